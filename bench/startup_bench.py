"""CLI start-up: `azguest deploy --help` wall time and whether any azure.* module was imported."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time


def _time(args: list[str], runs: int = 7) -> float:
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, *args], check=True, capture_output=True)
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


def run() -> dict:
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "azguest", "deploy", "--help"],
                          capture_output=True, text=True, check=True)
    azure_mods = [ln for ln in proc.stderr.splitlines() if "| azure." in ln or ln.rstrip().endswith("| azure")]
    python = _time(["-c", "pass"])
    helptime = _time(["-m", "azguest", "deploy", "--help"])
    sdk = _time(["-c", "import azure.mgmt.compute, azure.mgmt.network, azure.mgmt.storage, "
                       "azure.mgmt.resource.resources, azure.identity"], runs=3)
    return {"deploy_help_s": round(helptime, 3), "python_startup_s": round(python, 3),
            "sdk_import_s_avoided": round(sdk, 3), "azure_modules_imported": len(azure_mods)}
