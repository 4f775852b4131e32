"""Hostile inputs: exit code, peak memory and wall time of ``auditor data ...`` on each, one process per run.

Target (issue 13): nothing lost, nothing hung; peak memory under 1 GB on any
hostile input; every error one line naming the file. Each file is generated here
(zip bombs, entity bombs, sheets at the limits, Glue-style Parquet); each command
runs in a fresh ``python -m auditor`` whose peak RSS is read from ``wait4``.
Prints figures; asserts nothing (not part of the unit tests).

    .venv/bin/python benchmarks/hostile_inputs.py [--only SUBSTRING] [--big-mb 64] [--keep DIR]

``--big-mb`` sizes the "large sheet within the limits" case (the default limit is 256 MiB).
"""

from __future__ import annotations

import argparse
import decimal
import random
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "data"))

from xlsx_parts import BILLION_LAUGHS, MAIN, inline_row, sheet_xml, write_workbook  # noqa: E402

_HEAD = f'<worksheet xmlns="{MAIN}"><sheetData>'.encode()
_TAIL = b"</sheetData></worksheet>"


def _streamed_workbook(path: Path, rows: Callable[[], object], *, shared: bytes | None = None) -> Path:
    """A workbook whose sheet is written block by block (never held in memory here)."""
    write_workbook(path, b"", sheets={"S": b""}, shared=shared)
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist() if n != "xl/worksheets/sheet1.xml"}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as out:
            out.write(_HEAD)
            for block in rows():  # type: ignore[attr-defined]
                out.write(block)
            out.write(_TAIL)
    return path


def zip_bomb(path: Path) -> Path:
    """~1 GB of identical rows in about a megabyte."""
    row = b"<row><c><v>1</v></c></row>" * 40_000

    def rows() -> object:
        yield inline_row(1, "n").encode()
        for _ in range(1_000):
            yield row
    return _streamed_workbook(path, rows)


def large_sheet(mb: int) -> Callable[[Path], Path]:
    """A sheet of varied numbers and text (deflates ~5x, so within the ratio limit) of about ``mb`` MB."""
    def make(path: Path) -> Path:
        rng = random.Random(13)

        def rows() -> object:
            yield inline_row(1, *[f"c{j}" for j in range(10)]).encode()
            written, r = 0, 2
            while written < mb * 1024 * 1024:
                block = []
                for _ in range(2_000):
                    cells = "".join(f'<c r="{chr(65 + j)}{r}"><v>{rng.random() * 1e6:.4f}</v></c>' for j in range(9))
                    cells += f'<c r="J{r}" t="inlineStr"><is><t>id {rng.getrandbits(40):x}</t></is></c>'
                    block.append(f'<row r="{r}">{cells}</row>')
                    r += 1
                data = "".join(block).encode()
                written += len(data)
                yield data
        return _streamed_workbook(path, rows)
    return make


def shared_string_flood(path: Path) -> Path:
    """Shared strings at their limit (64 MiB of distinct short strings), each used once."""
    n = 60 * 1024 * 1024 // 29  # 29 bytes per <si>
    rng = random.Random(5)
    items = b"".join(f"<si><t>{rng.getrandbits(48):012x}</t></si>".encode() for _ in range(n - 10))
    shared = f'<sst xmlns="{MAIN}">'.encode() + items + b"</sst>"

    def rows() -> object:
        yield inline_row(1, "s").encode()
        for start in range(0, 200_000, 10_000):
            yield "".join(f'<row r="{i + 2}"><c r="A{i + 2}" t="s"><v>{i}</v></c></row>'
                          for i in range(start, start + 10_000)).encode()
    return _streamed_workbook(path, rows, shared=shared)


def laughs_in_workbook(path: Path) -> Path:
    book = (BILLION_LAUGHS + f'<workbook xmlns="{MAIN}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships"><sheets><sheet name="&lol9;" sheetId="1" r:id="rId1"/></sheets></workbook>').encode()
    return write_workbook(path, sheet_xml(inline_row(1, "a")), workbook=book)


def laughs_in_sheet(path: Path) -> Path:
    return write_workbook(path, BILLION_LAUGHS.encode() + sheet_xml(inline_row(1, "&lol9;")))


def truncated_workbook(path: Path) -> Path:
    book = f'<workbook xmlns="{MAIN}"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sh'.encode()
    return write_workbook(path, sheet_xml(inline_row(1, "a")), workbook=book)


def far_cells(path: Path) -> Path:
    rows = ('<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c><c r="XFD1" t="inlineStr"><is><t>far</t>'
            '</is></c></row><row r="1048576"><c r="A1048576"><v>7</v></c><c r="XFD1048576"><v>8</v></c></row>')
    return write_workbook(path, sheet_xml(rows))


def wide_header(path: Path) -> Path:
    """16,384 header cells, then one-cell rows: refused at the cells limit, read in small chunks until then."""
    def ref(col: int) -> str:
        s = ""
        while col:
            col, rest = divmod(col - 1, 26)
            s = chr(65 + rest) + s
        return s
    header = "".join(f'<c r="{ref(j)}1" t="inlineStr"><is><t>h{j}</t></is></c>' for j in range(1, 16_385))

    def rows() -> object:
        yield f'<row r="1">{header}</row>'.encode()
        for start in range(2, 100_002, 10_000):
            yield "".join(f'<row r="{i}"><c r="A{i}"><v>{i}</v></c></row>' for i in range(start, start + 10_000)).encode()
    return _streamed_workbook(path, rows)


def attribute_flood(path: Path) -> Path:
    attrs = " ".join(f'a{i}=""' for i in range(380_000))  # ~3.9 MB in one tag: just under the run limit
    return write_workbook(path, sheet_xml(inline_row(1, "a") + f'<row r="2"><c r="A2" {attrs}><v>1</v></c></row>'))


def deep_nesting(path: Path) -> Path:
    # 140,000 levels: just under 1 MiB, so no ratio check stops it before the parser's depth limit.
    return write_workbook(path, _HEAD + b"<x>" * 140_000 + b"</x>" * 140_000 + _TAIL)


def glue_parquet(path: Path) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    n = 100_000
    pq.write_table(pa.table({
        "id": pa.array(range(n)),
        "amount": pa.array([decimal.Decimal(f"{i}.25") for i in range(n)], type=pa.decimal128(12, 2)),
        "contact": pa.array([{"email": f"p{i}@example.com", "city": "Vancouver"} for i in range(n)]),
        "tags": pa.array([["a", "b"]] * n),
        "attrs": pa.array([[("k", "v")]] * n, type=pa.map_(pa.string(), pa.string())),
        "photo": pa.array([bytes([0, 255, i % 256]) for i in range(n)]),
    }), path)
    return path


CASES: list[tuple[str, str, Callable[[Path], Path], str]] = [
    ("zip bomb: ~1 GB sheet in ~1 MB", "bomb.xlsx", zip_bomb, "scan"),
    ("billion laughs in workbook.xml", "laughs-book.xlsx", laughs_in_workbook, "scan"),
    ("billion laughs in a sheet", "laughs-sheet.xlsx", laughs_in_sheet, "scan"),
    ("truncated workbook.xml", "cut.xlsx", truncated_workbook, "scan"),
    ("cells at A1 and XFD1048576", "far.xlsx", far_cells, "scan"),
    ("16,384-column header + 100k rows", "wide.xlsx", wide_header, "scan"),
    ("one 3.9 MB tag (380k attributes)", "attrs.xlsx", attribute_flood, "scan"),
    ("140,000 nested elements", "deep.xlsx", deep_nesting, "scan"),
    ("60 MiB of shared strings", "strings.xlsx", shared_string_flood, "check"),
    ("Glue Parquet: decimal, struct, list, map, binary (100k rows)", "glue.parquet", glue_parquet, "scan"),
]


def run(args: list[str], cwd: Path) -> tuple[int, float, float, str]:
    """(exit code, peak RSS in MB, wall seconds, first error/warning line) of one auditor process.

    Peak memory comes from GNU time (``%M``): a child's ``ru_maxrss`` read here would start
    from this script's own size (Linux keeps it across fork and exec)."""
    start = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-f", "peak-kb %M", sys.executable, "-m", "auditor", *args], cwd=cwd,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False)
    wall = time.perf_counter() - start
    lines = proc.stderr.splitlines()
    peak = next((int(ln.split()[1]) for ln in lines if ln.startswith("peak-kb ")), 0)
    said = [ln for ln in lines if ln.startswith(("error", "warning", "internal error"))]
    return proc.returncode, peak / 1024, wall, (said[0] if said else "")[:150]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="Run only the cases whose title contains this text.")
    parser.add_argument("--big-mb", type=int, default=64, help="Size of the large-sheet case in MB (limit 256).")
    parser.add_argument("--keep", type=Path, help="Write the files here and keep them.")
    opts = parser.parse_args()
    cases = [*CASES, (f"large sheet within the limits (~{opts.big_mb} MB XML)", "large.xlsx",
                      large_sheet(opts.big_mb), "check")]
    work = opts.keep or Path(tempfile.mkdtemp(prefix="auditor-hostile-"))
    work.mkdir(parents=True, exist_ok=True)
    rules = work / "rows.dqdl"
    rules.write_text("Rules = [ RowCount > 0 ]", encoding="utf-8")
    print(f"{'case':62} {'exit':>4} {'peak MB':>8} {'wall s':>7}  first line")
    try:
        for title, name, make, command in cases:
            if opts.only and opts.only not in title:
                continue
            path = make(work / name)
            if command == "scan":
                args = ["data", "scan", str(path), "--output-dir", str(work / "out"), "--force"]
            else:
                args = ["data", "check", str(path), "--ruleset", str(rules)]
            code, peak, wall, line = run(args, work)
            size = path.stat().st_size / 1024 / 1024
            print(f"{title + f' [{size:.1f} MB, {command}]':62} {code:>4} {peak:>8.0f} {wall:>7.1f}  {line}")
    finally:
        if not opts.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
