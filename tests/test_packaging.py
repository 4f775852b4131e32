"""What a user who installs auditor gets: the built sdist and wheel carry the shipped rule
packs and policy templates, and the installed wheel works outside the checkout.

The sdist is built from a clean copy of the checkout (no ``*.egg-info`` or ``build/`` left by
an earlier build: setuptools would take its file list from there and hide a packaging bug)
and the wheel from the sdist (``python -m build``'s default), offline (``--no-isolation``:
setuptools and build come from the locked set).
The wheel is then installed into a new virtual environment in a temporary folder; its
third-party dependencies are made visible from the project's environment through a
``.pth`` line (installing them again would need the network), so the only ``auditor`` the
new environment can import is the wheel's.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # builds the sdist and wheel and installs the wheel in a new venv

ROOT = Path(__file__).resolve().parent.parent
CONTENT = {"rules": "auditor/rules", "policy_templates": "auditor/policy_templates"}


def _shipped_files(folder: str) -> set[str]:
    base = ROOT / folder
    return {p.relative_to(base).as_posix() for p in base.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"}


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("dist")
    source = tmp_path_factory.mktemp("source") / "auditor"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", ".tools", "*.egg-info", "build", "dist", "__pycache__", "reports", "lake", ".*_cache"))
    build = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(source)],
                           capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stdout[-2000:] + build.stderr[-2000:]
    (wheel,) = out.glob("auditor-*.whl")
    (sdist,) = out.glob("auditor-*.tar.gz")
    return {"wheel": wheel, "sdist": sdist}


@pytest.mark.parametrize("folder", sorted(CONTENT))
def test_wheel_and_sdist_carry_the_shipped_content(dists: dict[str, Path], folder: str) -> None:
    expected = _shipped_files(folder)
    assert any(name.endswith((".yml", ".j2")) for name in expected)
    if folder == "rules":  # the package's own data too: frameworks, SQL, report templates
        wheel_all = zipfile.ZipFile(dists["wheel"]).namelist()
        for suffix in (".sql", ".html.j2", "cis-aws-6.0.yml", "findings.schema.json"):
            assert any(n.endswith(suffix) for n in wheel_all), f"wheel lacks *{suffix}"
    wheel_names = set(zipfile.ZipFile(dists["wheel"]).namelist())
    missing_in_wheel = {f for f in expected if f"{CONTENT[folder]}/{f}" not in wheel_names}
    assert not missing_in_wheel, f"wheel lacks {sorted(missing_in_wheel)}"
    with tarfile.open(dists["sdist"]) as sdist:
        sdist_names = {n.split("/", 1)[1] for n in sdist.getnames() if "/" in n}
    missing_in_sdist = {f for f in expected if f"{folder}/{f}" not in sdist_names}
    assert not missing_in_sdist, f"sdist lacks {sorted(missing_in_sdist)}"


def test_wheel_carries_every_data_file_of_the_package(dists: dict[str, Path]) -> None:
    """Word lists, the gazetteer, templates, schemas, SQL: every non-Python file under auditor/."""
    data = {p.relative_to(ROOT).as_posix() for p in (ROOT / "auditor").rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".py", ".pyc")}
    assert {"auditor/data/name_words.txt", "auditor/data/common_words.txt", "auditor/data/places.txt.gz"} <= data
    wheel_names = set(zipfile.ZipFile(dists["wheel"]).namelist())
    assert not sorted(data - wheel_names), f"wheel lacks {sorted(data - wheel_names)}"


@pytest.fixture(scope="module")
def installed(dists: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
                    "--disable-pip-version-check", str(dists["wheel"])], check=True, timeout=300)
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    # Only this environment's dependencies; the project's own editable finder is never loaded
    # (a path added by a .pth line does not have its own .pth files processed).
    Path(site, "_project_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv


def _run(venv: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    return subprocess.run([str(venv / "bin" / "auditor"), *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


def test_installed_wheel_imports_itself_not_the_checkout(installed: Path, tmp_path: Path) -> None:
    out = subprocess.run([str(installed / "bin" / "python"), "-c",
                          "import auditor, auditor.shipped as s; print(auditor.__file__); print(s.rules_dir())"],
                         cwd=tmp_path, capture_output=True, text=True, check=True)
    module, rules = out.stdout.split()
    assert module.startswith(str(installed)) and rules.startswith(str(installed))


def test_installed_wheel_lists_every_shipped_rule(installed: Path, tmp_path: Path) -> None:
    result = _same_as_checkout(installed, tmp_path, "rules", "list")
    assert len(result.splitlines()) > 30


def test_installed_wheel_lints_its_templates(installed: Path, tmp_path: Path) -> None:
    result = _same_as_checkout(installed, tmp_path, "templates", "lint")
    assert "documents rendered" in result and "no problems" in result


def test_installed_wheel_registers_its_plugins_through_entry_points(installed: Path, tmp_path: Path) -> None:
    """The built-in pipelines, writers... are the wheel's own entry points (its metadata, not the checkout's)."""
    result = _same_as_checkout(installed, tmp_path, "pipeline", "list")
    assert "registrar" in result and "inquiries-311" in result
    code = ("from auditor.reporting.writers import load_writers; from auditor.iac.readers import load_readers; "
            "from auditor.baseline.live import load_builders; from auditor.data.quality.registry import rule_type_names; "
            "print(len(load_writers()), len(load_readers()), len(load_builders()), len(rule_type_names()))")
    out = subprocess.run([str(installed / "bin" / "python"), "-c", code], cwd=tmp_path, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    writers, readers, builders, rule_types = map(int, out.stdout.split())
    assert writers >= 7 and readers == 3 and builders >= 13 and rule_types >= 30


def _same_as_checkout(venv: Path, cwd: Path, *args: str) -> str:
    """The installed command's output, checked equal to the checkout's own."""
    result = _run(venv, cwd, *args)
    assert result.returncode == 0, result.stdout + result.stderr
    checkout = subprocess.run([sys.executable, "-m", "auditor", *args], capture_output=True, text=True, cwd=cwd, timeout=300)
    assert checkout.returncode == 0, checkout.stdout + checkout.stderr
    assert result.stdout == checkout.stdout
    return result.stdout


def test_installed_wheel_runs_the_demo_outside_the_checkout(installed: Path, tmp_path: Path) -> None:
    result = _run(installed, tmp_path, "demo", "--output-dir", "out")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    doc = json.loads((tmp_path / "out" / "findings.json").read_text())
    kinds = {f["resource_type"].split(".")[0] for f in doc["findings"]}
    assert {"aws", "dataset", "pipeline"} <= kinds
    assert (tmp_path / "out" / "index.html").is_file()
