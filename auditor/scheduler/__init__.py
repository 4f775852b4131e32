"""Scheduled, unattended audit runs: ``auditor run --config audit.yml``.

One run executes every configured source (the AWS scan, data scans, pipeline
runs, existing findings files), merges their findings, and writes::

    OUTPUT_DIR/
      index.html                 # every past run with the trend; links to each report
      history.json               # the same as data (newest last)
      2026-11-27T02-00-00Z/      # one folder per run
        findings.json index.html findings.sarif junit.xml findings.csv findings.ocsf.json

Each report is compared with the previous run (new / resolved / unchanged
failures); only the last ``keep`` runs are kept; new critical/high failures
are announced to an SNS topic and/or a webhook. See ``auditor.scheduler.schedule_section``
for the ``schedule:`` section of the config file.
"""
