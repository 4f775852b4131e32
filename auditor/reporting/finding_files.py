"""The repository file a finding is about: where CI annotations and code-quality reports point.

Shared by the CI gate's annotations (:mod:`auditor.exit_gate`) and the GitLab
code-quality writer (:mod:`auditor.reporting.writers.gitlab_writer`).
"""

from __future__ import annotations

import re

from auditor.core.documents import FindingDict


def finding_file(f: FindingDict) -> str | None:
    """The repository file a finding is about, when it has one; else None.

    IaC findings carry a ``location`` (the template or plan file, the line);
    dataset findings name a file in their resource id (``path``, ``path!Sheet``
    or ``path#column``). A path counts when it is relative, local and inside
    the working tree (an ``s3://`` URI, an absolute path or ``../x.csv`` is no
    file of the repository under review).
    """
    location = f.get("location")
    path: str
    if isinstance(location, dict) and isinstance(location.get("file"), str):
        path = str(location["file"])
    elif not f["resource_type"].startswith("dataset."):
        return None
    else:
        resource: str = f["resource_id"]
        path = resource.partition("#")[0] if f["resource_type"] == "dataset.column" else resource
        head, bang, _sheet = path.rpartition("!")
        if bang and head.lower().endswith((".xlsx", ".xlsm")):
            path = head
    path = path.removeprefix("./")
    if not path or "://" in path or path.startswith(("/", "\\", "~")) or re.match(r"^[A-Za-z]:[\\/]", path):
        return None
    if ".." in re.split(r"[\\/]", path):  # outside the working tree
        return None
    return path
