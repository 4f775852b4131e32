"""The typed core: registries, rules, filters, loading, engine and findings.

Nothing in this package imports from ``auditor.aws``, ``auditor.data``,
``auditor.pipelines``, ``auditor.reporting`` or the CLI; those layers plug into
the core through the registries and the run context.
"""
