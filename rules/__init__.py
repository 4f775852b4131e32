"""The shipped rule packs, importable as the resource package ``auditor.rules``.

Only the YAML files here are rules; this file makes the folder a package so that
``importlib.resources.files("auditor.rules")`` finds it in a wheel and in a checkout.
"""
