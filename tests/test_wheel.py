"""azguest as users install CLIs (``pipx install .``): the wheel, in a fresh venv, run from another folder.

Offline: the wheel is built by the project's PEP 517 build backend (the venv's setuptools, no build
isolation: the call pip makes, without pip's own start-up), installed by pip without dependencies into a
fresh venv, and the fresh venv sees the dependencies through a .pth line naming this venv's site-packages.
A .pth in a directory added that way is not processed, so the editable install's finder stays off:
azguest can only come from the wheel.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
PASSWORD = "Wheel-Only-Pa55!"
pytestmark = pytest.mark.slow


def _sh(cmd: list, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300, check=False)
    assert proc.returncode == 0, f"{cmd}:\n{proc.stdout[-1500:]}\n{proc.stderr[-1500:]}"
    return proc


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel, built from a copy of the project (the build writes nothing into the source tree)."""
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    for folder in ("azguest", "templates"):  # templates/: the guest PowerShell, shipped as azguest/templates
        shutil.copytree(ROOT / folder, src / folder, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    dist = tmp_path_factory.mktemp("dist")
    backend = tomllib.loads((src / "pyproject.toml").read_text(encoding="utf-8"))["build-system"]["build-backend"]
    _sh([sys.executable, "-c", "import importlib, sys; importlib.import_module(sys.argv[1]).build_wheel(sys.argv[2])",
         backend, dist], cwd=src)
    [whl] = dist.glob("azguest-*.whl")
    return whl


@pytest.fixture(scope="module")
def fresh(wheel, tmp_path_factory) -> Path:
    """A fresh venv with the wheel installed; its bin directory."""
    venv = tmp_path_factory.mktemp("fresh") / "venv"
    _sh([sys.executable, "-m", "venv", "--without-pip", venv], cwd=venv.parent)
    py = venv / "bin" / "python"
    _sh([sys.executable, "-m", "pip", "--python", py, "install", "-q", "--no-deps", "--no-index", wheel],
        cwd=venv.parent)
    site = Path(_sh([py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=venv).stdout.strip())
    deps = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site / "azguest_test_deps.pth").write_text("".join(f"{d}\n" for d in sorted(deps)), encoding="utf-8")
    return venv / "bin"


def _env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AZGUEST_", "AZURE_", "PYTHON"))}
    env.update(AZGUEST_EMULATOR_STATE=str(tmp / "emulator.db"), AZGUEST_EMULATOR_PROFILE="fast",
               AZGUEST_ADMIN_PASSWORD=PASSWORD, PYTHONNOUSERSITE="1")
    return env


def test_wheel__ships_the_templates_and_the_schema(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"azguest/spec/lab.schema.json", "azguest/cli/output.schema.json", "azguest/spec/templates/s2d.yaml",
            "azguest/spec/templates/shared-disk.yaml", "azguest/spec/templates/iscsi.yaml"} <= names
    assert not [n for n in names if n.startswith(("tests/", "bench/", "docs/", "templates/"))]


def test_wheel__ships_every_guest_step_script(wheel):
    from azguest.guest.steps import all_steps

    names = set(zipfile.ZipFile(wheel).namelist())
    scripts = {f"azguest/templates/{s.script}" for s in all_steps().values()}
    assert scripts <= names, sorted(scripts - names)
    assert scripts == {f"azguest/templates/guest/{p.name}" for p in (ROOT / "templates" / "guest").glob("*.ps1")}


def test_installed_cli__init_validate_deploy_from_another_folder(fresh, tmp_path):
    env, azguest = _env(tmp_path), fresh / "azguest"
    _sh([azguest, "init", "--storage", "shared-disk", "--nodes", "3", "lab1"], cwd=tmp_path, env=env)
    spec = (tmp_path / "lab1.yaml").read_text(encoding="utf-8")
    assert spec.startswith("# yaml-language-server: $schema=https://")  # the schema's $id, not a path
    assert str(ROOT) not in spec and str(fresh.parent) not in spec
    out = _sh([azguest, "validate", "lab1.yaml", "-o", "json"], cwd=tmp_path, env=env).stdout
    assert json.loads(out)["result"]["valid"]
    out = _sh([azguest, "deploy", "lab1.yaml", "--emulator", "--yes", "-o", "json"], cwd=tmp_path, env=env).stdout
    doc = json.loads(out)
    assert doc["ok"] and doc["result"]["summary"]["created"] > 0 and PASSWORD not in out
    schema = json.loads(_sh([azguest, "schema"], cwd=tmp_path, env=env).stdout)
    assert schema["$id"] == "https://azguest.dev/schema/lab.schema.json"
    envelope = json.loads(_sh([azguest, "schema", "--envelope"], cwd=tmp_path, env=env).stdout)
    assert envelope["$id"] == "https://azguest.dev/schema/output.schema.json"  # package data, -o json's schema


_PROBE = """
import json, sys
from azguest.cli.main import run
code = run(sys.argv[1:])
files = sorted({m.__file__ for m in list(sys.modules.values()) if getattr(m, "__file__", None)
                and m.__name__.split(".")[0] == "azguest"})
print(json.dumps({"code": code, "files": files}))
"""


def test_installed_cli__imports_nothing_from_the_source_tree(fresh, tmp_path):
    env = _env(tmp_path)
    _sh([fresh / "azguest", "init", "lab2"], cwd=tmp_path, env=env)
    out = _sh([fresh / "python", "-c", _PROBE, "plan", "lab2.yaml", "--emulator", "-o", "json"], cwd=tmp_path,
              env=env).stdout
    probe = json.loads(out.splitlines()[-1])
    assert probe["code"] == 0 and len(probe["files"]) > 20
    venv = str(fresh.parent.resolve())
    assert all(str(Path(f).resolve()).startswith(venv) for f in probe["files"]), probe["files"][:5]
