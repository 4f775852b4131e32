"""Small helpers shared by the pipeline tests."""

from __future__ import annotations

from pathlib import Path


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path
