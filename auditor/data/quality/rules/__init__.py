"""The built-in DQDL rule types, one module per family (see ``registry.BUILTIN_MODULES``)."""
