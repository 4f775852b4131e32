"""Byte-identical workbooks: the same sample, the same bytes, on every run.

openpyxl stamps a workbook with the time it was written (``dcterms:created`` and
``dcterms:modified`` in ``docProps/core.xml``, and each zip entry's date), so the
same rows gave different bytes each second. Landing dedupes by SHA-256 (the same
bytes land once; other bytes under the same name land beside them as
``name.1.xlsx``), so ``--sample`` landed another copy every run and the pipeline
counted (and quarantined) its rows again. :func:`reproducible_xlsx` rewrites the
archive with fixed timestamps and entry attributes; the content is unchanged.

Example::

    data = reproducible_xlsx(buf.getvalue())     # same rows in, same SHA-256 out
"""

from __future__ import annotations

import io
import re
import zipfile

# The sample's fixed "written at" (any constant works; this one predates the sample's years).
SAMPLE_TIMESTAMP = "2020-01-01T00:00:00Z"
_ZIP_TIME = (2020, 1, 1, 0, 0, 0)
_CORE = "docProps/core.xml"
_STAMP = re.compile(r"(<dcterms:(created|modified)\b[^>]*>)[^<]*(</dcterms:\2>)")


def reproducible_xlsx(data: bytes) -> bytes:
    """``data`` (an .xlsx, or any zip) re-packed in the same entry order with fixed timestamps and attributes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == _CORE:
                body = _STAMP.sub(rf"\g<1>{SAMPLE_TIMESTAMP}\g<3>", body.decode("utf-8")).encode("utf-8")
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 3  # the default depends on the platform that writes the file
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, body)
    return out.getvalue()
