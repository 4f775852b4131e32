"""The built-in DQDL rule types, one module per family.

Each module is an ``auditor.dqdl_rule_types`` entry point in ``pyproject.toml``.
"""
