"""One line for a file-system error, naming the path the user gave.

Usage::

    from auditor.core.oserrors import describe_os_error, ENVIRONMENT_ERRNOS

    try:
        Path("somefile/out.csv").parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        describe_os_error(exc)   # "somefile: exists and is not a directory"

The wording says what is wrong with the path (no such file, a file where a folder
is needed, permission denied, read-only or full disk), never Python's exception
name. Temporary files of atomic writes (``.out.csv.k2j4.tmp``) are reported as
the file being written (``out.csv``). Control characters in a path are escaped,
so the message stays on one line.
"""

from __future__ import annotations

import errno
import os
import re
from pathlib import Path

#: What each errno means for the user (the path comes first, then this).
_MEANING = {
    errno.ENOENT: "no such file or directory",
    errno.EISDIR: "is a directory, not a file",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.EROFS: "read-only file system",
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "disk quota exceeded",
    errno.ENAMETOOLONG: "file name too long",
    errno.ELOOP: "too many levels of symbolic links",
    errno.EMFILE: "too many open files",
    errno.ENFILE: "too many open files in the system",
    errno.EIO: "input/output error on the device",
    errno.EFBIG: "file too large",
    errno.EXDEV: "cannot move a file across devices",
    errno.EBUSY: "device or resource busy",
    errno.ETXTBSY: "file is busy",
}

#: Errnos that say something about the user's files or machine, not about the code.
ENVIRONMENT_ERRNOS = frozenset({*_MEANING, errno.ENOTDIR, errno.EEXIST})

# ``.<name>.<random>.tmp``: the temporary name atomic writers use next to the target.
_TEMP_NAME = re.compile(r"^\.(?P<name>.+)\.[A-Za-z0-9_]{6,}\.tmp$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(text: str) -> str:
    """``text`` with control characters escaped (``\\n``, ``\\x1b``...), so it prints on one line."""
    return _CONTROL.sub(lambda m: repr(m.group(0))[1:-1], text)


def user_path(name: str | bytes | os.PathLike[str] | None) -> str:
    """The path as the user knows it: a temporary file of an atomic write becomes its target."""
    if name is None:
        return ""
    text = os.fsdecode(name)
    p = Path(text)
    m = _TEMP_NAME.match(p.name)
    return str(p.with_name(m.group("name"))) if m else text


def _file_in_the_way(path: str) -> str | None:
    """The first existing ancestor of ``path`` that is not a directory."""
    for parent in [Path(path), *Path(path).parents]:
        try:
            if parent.exists() or parent.is_symlink():
                return None if parent.is_dir() else str(parent)
        except OSError:
            return None
    return None


def describe_os_error(exc: OSError) -> str:
    """``<path>: <what is wrong>`` for ``exc`` (without the path when the error has none)."""
    code = exc.errno
    # rename/replace/link report (source, destination): the destination is the user's file
    # (unless the source is the one missing).
    second = exc.filename2 is not None and code != errno.ENOENT
    path = user_path(exc.filename2 if second else exc.filename)
    if code == errno.ENOTDIR:
        blocker = _file_in_the_way(path) if path else None
        what = f"{blocker} is a file, not a directory" if blocker else "a part of the path is not a directory"
    elif code == errno.EEXIST:
        what = "exists and is not a directory" if path and not Path(path).is_dir() else "already exists"
    else:
        what = _MEANING.get(code or -1) or (exc.strerror or type(exc).__name__).lower()
    return one_line(f"{path}: {what}" if path else what)
