"""`make bench`: every benchmark in one run, ratios measured side by side (machines are noisy)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import backup_bench, clone_bench, deploy_bench, emulator_bench, guest_bench, startup_bench  # noqa: E402


def main() -> int:
    results: dict = {"startup": startup_bench.run()}
    try:
        from bench import spec_bench

        results["validate"] = spec_bench.run()
    except ImportError:
        results["validate"] = "bench/spec_bench.py missing"
    results["makespan"] = [deploy_bench.makespan(s) for s in ("s2d-2node.yaml", "shared-disk-3node.yaml")]
    results["makespan"].append(deploy_bench.makespan("iscsi-2node.yaml", nodes=16))
    results["calls"] = [deploy_bench.calls("s2d-2node.yaml")]
    results["emulator"] = emulator_bench.run()  # the wall-clock figures the tests do not assert
    results["guest"] = guest_bench.run()  # issue 10: configure's makespan vs its step graph; time to a validated lab
    results["backup"] = backup_bench.run()  # vm skew vs one polling interval; cold downtime vs its critical path
    results["clone"] = clone_bench.run()  # issue 12: lab clone --count 30 vs ARM's write bucket and one lab; ready lab
    print(json.dumps(results, indent=2))
    out = Path(__file__).parent / "results.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
