"""Benchmark: `azguest validate` on a large spec (16 nodes, 200 workloads), without importing azure.*.

``run()`` returns the in-process median of load+validate, one cold subprocess run of the CLI, and
whether any ``azure.*`` module was imported (it must not be).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NODES = 16
WORKLOADS = 200
RUNS = 7


def large_spec_text(nodes: int = NODES, workloads: int = WORKLOADS) -> str:
    """A valid iSCSI lab (S2D stops at 3 nodes, shared disks at 10-15) with many nested VMs."""
    lines = [
        "apiVersion: azguest/v1", "kind: Lab", "name: hv-big", "location: westeurope",
        "network:", "  addressSpace: 10.60.0.0/16", "  subnets:",
        "    - {name: management, prefix: 10.60.1.0/24}", "    - {name: cluster, prefix: 10.60.2.0/24}",
        "    - {name: storage, prefix: 10.60.3.0/24}",
        "domain:", "  fqdn: big.contoso.test", "  controller: {name: dc01, size: Standard_D4s_v5, ip: 10.60.1.4}",
        "admin:", "  username: labadmin", "  password: {fromEnv: AZGUEST_ADMIN_PASSWORD}",
        "cluster:", "  name: bigclu", "  dnn: true",
        f"  nodes: {{count: {nodes}, namePrefix: hv, size: Standard_E64s_v5}}",
        "  storage:", "    mode: iscsi", "    iscsi:", "      target:",
        "        {name: iscsi01, size: Standard_D16s_v5, ip: 10.60.3.250,",
        "         disks: [{sku: Premium_LRS, sizeGB: 4096}, {sku: Premium_LRS, sizeGB: 4096}]}",
        "  witness: cloud", "  workloads:",
    ]
    for i in range(1, workloads + 1):
        cls = f"class{i % 20:02d}"  # 20 classes of 10 members: fewer than the 16 nodes
        lines.append(f"    - {{name: wl{i:03d}, vCPUs: 2, memoryMB: 2048, diskGB: 40, antiAffinity: {cls}}}")
    lines += ["backup: {mode: auto}", "lifetime: {expiresAfter: 3d}"]
    return "\n".join(lines) + "\n"


def _in_process(path: Path) -> list[float]:
    from azguest.spec import load

    times = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        result = load(path)
        times.append(time.perf_counter() - t0)
        assert result.lab is not None and not result.findings, [f.render() for f in result.findings]
    return times


def _subprocess(path: Path) -> tuple[float, int, list[str]]:
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "azguest", "validate", str(path)],
                          capture_output=True, text=True, cwd=ROOT, check=False)
    elapsed = time.perf_counter() - t0
    mods = [line.split("|")[-1].strip() for line in proc.stderr.splitlines() if "|" in line]
    azure = sorted({m for m in mods if m == "azure" or m.startswith("azure.")})
    return elapsed, proc.returncode, azure


def run() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.yaml"
        path.write_text(large_spec_text(), encoding="utf-8")
        times = _in_process(path)
        wall, rc, azure = _subprocess(path)
    return {
        "spec": f"{NODES} nodes, {WORKLOADS} workloads",
        "in_process_median_ms": round(statistics.median(times) * 1000, 1),
        "in_process_first_ms": round(times[0] * 1000, 1),
        "subprocess_ms": round(wall * 1000, 1),
        "subprocess_exit": rc,
        "azure_modules_imported": azure,
        "ok": rc == 0 and not azure and statistics.median(times) < 1.0,
    }


if __name__ == "__main__":
    import json

    sys.path.insert(0, str(ROOT))
    print(json.dumps(run(), indent=2))
