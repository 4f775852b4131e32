"""Framework families: the versions of one benchmark shown as one.

``cis-aws-6.0`` and ``cis-aws-5.0`` are two versions of the CIS AWS
Foundations Benchmark. Reports show them as one family: one verdict row, one
control table with a column per version's control id (``2.4`` in v6.0 is
``1.4`` in v5.0), instead of two identically titled sections.

A framework id ending in ``-<version>`` (digits and dots) belongs to the family
named by the rest; frameworks of one family also share their title. Anything
else (``governance-baseline``) is a family of one.

    >>> family_id("cis-aws-6.0"), family_id("governance-baseline")
    ('cis-aws', 'governance-baseline')
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

_VERSIONED = re.compile(r"^(?P<family>.+?)-(?P<version>\d+(?:\.\d+)*)$")


def family_id(framework_id: str) -> str:
    m = _VERSIONED.match(framework_id)
    return m.group("family") if m else framework_id


def version_of(framework_id: str, declared: str = "") -> str:
    """The framework's version: ``6.0`` from ``cis-aws-6.0``, else the file's ``version``."""
    m = _VERSIONED.match(framework_id)
    return m.group("version") if m else declared


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split(".") if p.isdigit())


@dataclass
class Family:
    """One benchmark, its versions newest first (``members[0]`` is the primary version)."""

    id: str
    title: str
    members: list[str] = field(default_factory=list)
    versions: list[str] = field(default_factory=list)

    @property
    def primary(self) -> str:
        return self.members[0]


def families(framework_ids: Iterable[str], titles: Mapping[str, str],
             declared_versions: Mapping[str, str] | None = None) -> list[Family]:
    """Group ``framework_ids`` into families, each newest version first, sorted by title."""
    declared_versions = declared_versions or {}
    groups: dict[tuple[str, str], list[str]] = {}
    for fw in framework_ids:
        groups.setdefault((family_id(fw), titles.get(fw, fw)), []).append(fw)
    out = []
    for (fid, title), members in groups.items():
        members.sort(key=lambda m: _version_key(version_of(m, declared_versions.get(m, ""))), reverse=True)
        out.append(Family(fid if len(members) > 1 else members[0], title, members,
                          [version_of(m, declared_versions.get(m, "")) for m in members]))
    return sorted(out, key=lambda f: (f.title.lower(), f.id))
