"""Where the content shipped with auditor lives: the default rule packs and the policy templates.

Both are resource packages (``auditor.rules``, ``auditor.policy_templates``) found with
``importlib.resources``: in an installed wheel they sit inside the package; in a checkout
(editable install) they are the repository's top-level ``rules/`` and ``policy_templates/``
folders. Nothing here depends on where the source tree is.

    >>> rules_dir().joinpath("aws").is_dir()
    True
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path


def _package_dir(package: str) -> Path:
    folder = files(package)
    if not isinstance(folder, Path):  # a zipped install: the loaders need real files
        raise RuntimeError(f"{package} is not installed as files on disk ({folder!r}); reinstall auditor with pip")
    return folder


@cache
def rules_dir() -> Path:
    """The shipped rule packs (``aws/``, ``data/``, ``pipeline/``)."""
    return _package_dir("auditor.rules")


@cache
def policy_templates_dir() -> Path:
    """The governed baseline's Jinja2 JSON templates."""
    return _package_dir("auditor.policy_templates")


__all__ = ["policy_templates_dir", "rules_dir"]
