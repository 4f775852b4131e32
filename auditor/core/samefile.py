"""Never overwrite an input: is this output the same file as that input?

Comparing the strings is not enough: ``f.csv`` and ``./f.csv``, a symbolic link to
``f.csv`` and a hard link to it all name the same file. Usage::

    from auditor.core.samefile import refuse_overwrite, same_file

    same_file("f.csv", "./f.csv")              # True
    refuse_overwrite("out.csv", ["f.csv"])     # UsageError (exit 2) when out.csv is f.csv

Local paths are compared by device and inode when both exist (which sees through
symbolic and hard links), else by their resolved absolute paths; ``s3://`` URIs by
bucket and key. A local path and an ``s3://`` URI are never the same file.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from auditor.core.errors import UsageError


def _s3_parts(uri: str) -> tuple[str, str]:
    bucket, _, key = uri[len("s3://"):].partition("/")
    return bucket, key


def same_file(a: str | Path, b: str | Path) -> bool:
    """True when ``a`` and ``b`` name the same file (or the same S3 object)."""
    sa, sb = str(a), str(b)
    a_s3, b_s3 = sa.startswith("s3://"), sb.startswith("s3://")
    if a_s3 or b_s3:
        return a_s3 and b_s3 and _s3_parts(sa) == _s3_parts(sb)
    pa, pb = Path(sa), Path(sb)
    try:
        if pa.exists() and pb.exists():
            return os.path.samefile(pa, pb)
        return pa.resolve() == pb.resolve()
    except (OSError, RuntimeError):  # a symlink loop or an unreadable folder: not provably the same
        return False


def refuse_overwrite(output: str | Path, inputs: Iterable[str | Path], what: str = "the output") -> None:
    """Raise :class:`UsageError` (exit 2) when ``output`` is one of ``inputs``."""
    for source in inputs:
        if same_file(output, source):
            same = "" if str(output) == str(source) else f" (it is {source})"
            raise UsageError(f"{output}: {what} would overwrite the input{same}; inputs are never modified, "
                             "choose another output path")
