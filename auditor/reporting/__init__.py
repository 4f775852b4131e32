"""Reporting: the report model and the writers (json, html, sarif, junit, csv, ocsf)."""
