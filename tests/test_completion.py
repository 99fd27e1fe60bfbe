"""Shell completion through Typer: the script is printed, and completing imports no azure.* module."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]


def _azguest(args: list[str], env: dict[str, str], importtime: bool = False) -> subprocess.CompletedProcess:
    cmd = [sys.executable, *(["-X", "importtime"] if importtime else []), "-m", "azguest", *args]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=60, check=False,
                          env={**os.environ, **env})


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_show_completion__prints_a_bash_script_in_bash():
    # Typer detects the shell from the process tree: run it from bash (the trailing command keeps bash
    # from exec-ing azguest in its place, so bash is the parent whatever shell runs the suite)
    line = f"SHELL=/bin/bash {shlex.quote(sys.executable)} -m azguest --show-completion; exit $?"
    proc = subprocess.run(["bash", "-c", line], capture_output=True, text=True, cwd=ROOT, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "complete -o default -F _azguest_completion azguest" in proc.stdout
    assert "_AZGUEST_COMPLETE=complete_bash" in proc.stdout


def test_help__offers_install_and_show_completion():
    out = _azguest(["--help"], {"SHELL": "/bin/bash"}).stdout
    assert "--install-completion" in out and "--show-completion" in out


def test_completing__commands_and_choices_without_importing_azure():
    proc = _azguest([], {"_AZGUEST_COMPLETE": "complete_bash", "COMP_WORDS": "azguest de", "COMP_CWORD": "1"},
                    importtime=True)
    assert proc.returncode == 0, proc.stderr[-800:]
    words = proc.stdout.split()
    assert {"deploy", "destroy"} <= set(words) and all(w.startswith("de") for w in words)
    imported = [line.split("|")[-1].strip() for line in proc.stderr.splitlines() if "|" in line]
    assert imported and not [m for m in imported if m == "azure" or m.startswith("azure.")]
    layers = ("azguest.azure", "azguest.restore", "azguest.backup", "azguest.guest", "azguest.execute")
    assert not [m for m in imported if m.startswith(layers)]  # command modules import their use case lazily
    storage = _azguest([], {"_AZGUEST_COMPLETE": "complete_bash", "COMP_WORDS": "azguest init --storage ",
                            "COMP_CWORD": "3"})
    assert storage.stdout.split() == ["s2d", "shared-disk", "iscsi"]
