"""A failed Azure login, as the user sees it: azguest's one line and its hint; azure-identity's dump
(every credential tried, the troubleshooting link) only with --debug."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]
SUB = "11111111-1111-1111-1111-111111111111"


def _status(tmp_path, *extra: str) -> subprocess.CompletedProcess:
    empty = tmp_path / "bin"
    empty.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "AZGUEST_"))}
    # one credential that fails at once and offline: the Azure CLI, not on PATH
    env.update(PATH=str(empty), AZURE_TOKEN_CREDENTIALS="AzureCliCredential")
    return subprocess.run([sys.executable, "-m", "azguest", *extra, "status", "lab1", "--subscription", SUB],
                          capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120, check=False)


def test_failed_login__one_line_and_a_hint(tmp_path):
    proc = _status(tmp_path)
    assert proc.returncode == 10, proc.stderr  # ExitCode.AUTH
    lines = proc.stderr.splitlines()
    assert len(lines) == 2, proc.stderr
    assert lines[0].startswith("azguest: error [AZG-AUTH]: no usable Azure credential")
    assert lines[1].startswith("  hint: sign in with `az login`")
    assert "Attempted credentials" not in proc.stderr and "aka.ms" not in proc.stderr


def test_failed_login__with_debug_shows_the_sdk_detail(tmp_path):
    proc = _status(tmp_path, "--debug")
    assert proc.returncode == 10
    assert "Attempted credentials" in proc.stderr and "AzureCliCredential" in proc.stderr
