"""Can this folder receive a run's output? Asked before the run, not after it.

Usage::

    from auditor.core.outdir import check_output_folder
    check_output_folder(Path("reports/aws-scan"), "--output-dir")   # UsageError (exit 2) if not

A folder can receive output when it is a directory, or when it does not exist yet
and its nearest existing parent is a directory we may write into. A file in the
way (``-o somefile/x`` or an ``output_dir`` that names a file), a read-only file
system or a folder without write permission is one line naming the path, before
any work is done, instead of a failure at the end of a long run.
"""

from __future__ import annotations

import os
from pathlib import Path

from auditor.core.errors import UsageError
from auditor.core.oserrors import one_line


def check_output_folder(path: Path, what: str) -> None:
    """Raise :class:`UsageError` when ``path`` cannot be created or written as a folder."""
    label = one_line(f"{what} {path}")
    for candidate in [path, *path.parents]:
        try:
            exists = candidate.exists()
        except OSError:
            return  # e.g. a name too long: the write reports it, with the path
        if not exists:
            if candidate.is_symlink():
                raise UsageError(f"{label}: {one_line(str(candidate))} is a broken symbolic link")
            continue
        if not candidate.is_dir():
            where = "exists and is not a directory" if candidate == path else \
                f"{one_line(str(candidate))} is a file, not a directory"
            raise UsageError(f"{label}: {where}")
        if not os.access(candidate, os.W_OK | os.X_OK):
            raise UsageError(f"{label}: {one_line(str(candidate))} is not writable (permission denied or a "
                             "read-only file system)")
        return
