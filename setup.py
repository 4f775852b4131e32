"""Build glue that pyproject.toml cannot say: the shipped content packages.

The repository keeps the default rule packs and the policy templates at its top level
(``rules/``, ``policy_templates/``: part of the project's layout contract). Every wheel and
sdist carries them as the resource packages ``auditor.rules`` and ``auditor.policy_templates``,
so the code finds them with ``importlib.resources`` in an installed wheel and in an editable
checkout alike (setuptools maps the two package names onto the top-level folders).
Data folders (frameworks, SQL, report templates, rule packs) are namespace packages, so
each one's files are package data of its own. Everything else is in ``pyproject.toml``.
"""

from setuptools import find_namespace_packages, setup

CONTENT = {"auditor.rules": "rules", "auditor.policy_templates": "policy_templates"}
NOT_PACKAGES = ["*__pycache__*"]


def _content_packages(name: str, folder: str) -> list[str]:
    return [name, *(f"{name}.{sub}" for sub in find_namespace_packages(where=folder, exclude=NOT_PACKAGES))]


setup(
    packages=[
        *find_namespace_packages(include=["auditor", "auditor.*"], exclude=NOT_PACKAGES),
        *(pkg for name, folder in CONTENT.items() for pkg in _content_packages(name, folder)),
    ],
    package_dir=CONTENT,
    package_data={"": ["py.typed", "*.txt", "*.txt.gz", "*.md", "*.yml", "*.yaml", "*.json", "*.j2", "*.sql", "*.css", "*.js"]},
)
