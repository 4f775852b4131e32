"""`--sample` is byte-deterministic: the same seed gives the same bytes, so re-running lands nothing new."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from auditor.core.context import RunContext
from auditor.pipelines.inquiries311 import sample as sample311
from auditor.pipelines.pipeline_run import run_pipeline
from auditor.pipelines.registrar import sample as sample_reg
from auditor.pipelines.samples.reproducible import SAMPLE_TIMESTAMP, reproducible_xlsx

ROOT_REG = "registraroffice/enrollwithdraw"


def _zip(when: tuple[int, int, int, int, int, int], stamp: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("xl/workbook.xml", date_time=when), "<workbook/>")
        z.writestr(zipfile.ZipInfo("docProps/core.xml", date_time=when),
                   f'<cp:coreProperties><dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
                   f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified></cp:coreProperties>')
    return buf.getvalue()


def test_write_time_does_not_reach_the_bytes() -> None:
    a = _zip((2026, 12, 7, 7, 38, 0), "2026-12-07T07:38:00Z")
    b = _zip((2027, 1, 2, 3, 4, 6), "2027-01-02T03:04:06Z")
    assert a != b
    assert reproducible_xlsx(a) == reproducible_xlsx(b)
    with zipfile.ZipFile(io.BytesIO(reproducible_xlsx(a))) as z:
        assert z.namelist() == ["xl/workbook.xml", "docProps/core.xml"]
        assert z.read("xl/workbook.xml") == b"<workbook/>"
        assert z.read("docProps/core.xml").decode().count(SAMPLE_TIMESTAMP) == 2


def test_sample_workbooks_carry_no_wall_clock() -> None:
    files = {**sample_reg.sample_files(applications_per_year=20),
             "311.xlsx": sample311.to_xlsx(sample311.generate(seed=3, years=(2023,), volume=2000))}
    for name, data in files.items():
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            assert {i.date_time for i in z.infolist()} == {(2020, 1, 1, 0, 0, 0)}, name
            core = z.read("docProps/core.xml").decode()
            assert core.count(SAMPLE_TIMESTAMP) == 2, name
    assert sample_reg.sample_files(seed=9, applications_per_year=20) == \
        sample_reg.sample_files(seed=9, applications_per_year=20)
    assert sample_reg.sample_files(seed=9, applications_per_year=20) != \
        sample_reg.sample_files(seed=10, applications_per_year=20)


@pytest.mark.slow
def test_rerunning_the_registrar_sample_lands_nothing_new(tmp_path: Path,
                                                         make_context: Callable[..., RunContext]) -> None:
    lake = tmp_path / "lake"
    first = run_pipeline("registrar", lake, sample=True, output_dir=tmp_path / "o1", context=make_context())
    assert first.exit_code == 0, first.message
    landed = sorted(p.relative_to(lake) for p in (lake / ROOT_REG / "Landing").rglob("*") if p.is_file())
    quarantined = sorted((lake / ROOT_REG / "Quarantine").rglob("*"))
    second = run_pipeline("registrar", lake, sample=True, output_dir=tmp_path / "o2", context=make_context())
    assert second.status == "up-to-date", second.message
    assert sorted(p.relative_to(lake) for p in (lake / ROOT_REG / "Landing").rglob("*") if p.is_file()) == landed
    assert len(landed) == 3
    assert sorted((lake / ROOT_REG / "Quarantine").rglob("*")) == quarantined
