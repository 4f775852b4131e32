"""The governed baseline's Jinja2 JSON templates, importable as ``auditor.policy_templates``.

This file makes the folder a package so that ``importlib.resources`` finds the templates
in an installed wheel and in a checkout alike; the templates are the ``*.j2`` files.
"""
