"""`azguest test LAB`: post-deploy health checks, in the spirit of AutomatedLab's Pester tests.

Reads the lab's VMs (power states from ARM), runs ``dc-health`` on the DC and ``cluster-health`` on one
running node (operations steps: read-only looks, docs/design.md "Stop, start and test"), and judges:

- ``vms-running``: every VM of the lab runs;
- ``dc-answers``: AD DS and DNS answer on the DC;
- ``nodes-in-cluster``: the cluster is up and every node VM is a cluster node in state Up;
- ``validation-passed``: the last validation report (cluster-validate) passed;
- ``storage-healthy``: storage pools and virtual disks are Healthy, no storage job (repair) still runs;
- ``csvs-online``: every cluster shared volume is Online (and there is one);
- ``witness-online``: a witness is configured and Online;
- ``workloads-online``: every clustered VM role is Online;
- ``anti-affinity``: no two workloads of one anti-affinity class share a node;
- ``cluster-dns``: DNS resolves the cluster's name.

A check that cannot be judged (no node runs) fails, saying why. Any failure is ``AZG-TEST-FAILED``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from azguest.deploy.lease import policy_for, refuse_if_held
from azguest.errors import HealthError
from azguest.guest import ops

if TYPE_CHECKING:
    from azguest.azure.session import AzureSession

CHECKS = ("vms-running", "dc-answers", "nodes-in-cluster", "validation-passed", "storage-healthy", "csvs-online",
          "witness-online", "workloads-online", "anti-affinity", "cluster-dns")


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "detail": self.detail}


@dataclass(frozen=True)
class HealthReport:
    lab: str
    resource_group: str
    checks: tuple[Check, ...]
    host: str = ""  # the node cluster-health ran on

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    def failed(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]

    def to_dict(self) -> dict[str, Any]:
        return {"lab": self.lab, "resourceGroup": self.resource_group, "ok": self.ok, "host": self.host,
                "checks": [c.to_dict() for c in self.checks]}


def _names(items: list[str]) -> str:
    return ", ".join(items)


def check_vms(inv: ops.Inventory) -> Check:
    down = [f"{v.name} ({v.power})" for v in inv.vms if not v.running]
    if not inv.vms:
        return Check("vms-running", False, "the lab has no VM")
    return Check("vms-running", not down, f"not running: {_names(down)}" if down else f"{len(inv.vms)} VMs run")


def check_dc(run: ops.StepRun | None, why: str) -> Check:
    if run is None or not run.ok:
        return Check("dc-answers", False, why or _failed("dc-health", run, ""))
    data = run.data or {}
    missing = [w for w, k in (("AD DS", "adws"), ("DNS", "dnsServer")) if data.get(k) != "Running"]
    return Check("dc-answers", not missing, f"not answering: {_names(missing)}" if missing
                 else f"AD DS and DNS answer for {data.get('forest')}")


def cluster_checks(inv: ops.Inventory, data: dict[str, Any] | None, why: str) -> list[Check]:
    """The checks judged from one cluster-health look (all failing, with ``why``, without one)."""
    if data is None:
        return [Check(n, False, why) for n in CHECKS[2:]]
    return [_nodes(inv, data), _validation(data), _storage(data), _csvs(data), _witness(data), _workloads(data),
            _anti_affinity(data), _dns(data)]


def _nodes(inv: ops.Inventory, data: dict[str, Any]) -> Check:
    if data.get("state") != "Running":
        return Check("nodes-in-cluster", False, f"cluster {data.get('cluster')} is {data.get('state')}")
    states = {str(n.get("name", "")).lower(): str(n.get("state")) for n in data.get("nodes") or []}
    bad = [f"{v.computer} ({states.get(v.computer.lower(), 'not a member')})" for v in inv.nodes
           if states.get(v.computer.lower()) != "Up"]
    return Check("nodes-in-cluster", not bad, f"not Up in {data.get('cluster')}: {_names(bad)}" if bad
                 else f"{len(inv.nodes)} nodes Up in {data.get('cluster')}")


def _failed_test(f: Any) -> str:
    if isinstance(f, dict):
        return f"{f.get('test') or f.get('name')} ({f.get('node')})" if f.get("node") else str(f.get("test") or f)
    return str(f)


def _validation(data: dict[str, Any]) -> Check:
    v = data.get("validation") or {}
    if not v:
        return Check("validation-passed", False, "no validation report")
    failed = [_failed_test(x) for x in v.get("failed") or []]
    ok = bool(v.get("passed")) and not failed
    return Check("validation-passed", ok, f"passed ({v.get('time')})" if ok else f"failed tests: {_names(failed)}")


def _storage(data: dict[str, Any]) -> Check:
    items = ([("pool", data["pool"])] if data.get("pool") else []) + [("virtual disk", d) for d in
                                                                        data.get("virtualDisks") or []]
    bad = [f"{what} {d.get('name')} {d.get('health')}/{d.get('operational')}" for what, d in items
           if d.get("health") != "Healthy"]
    bad += [f"cluster disk {d.get('name')} {d.get('state')}" for d in data.get("disks") or []
            if d.get("state") != "Online"]
    bad += [f"storage job {j.get('name')} {j.get('state')} {j.get('percentComplete', 0)}%"
            for j in data.get("storageJobs") or [] if j.get("state") != "Completed"]
    n = len(items) + len(data.get("disks") or [])
    return Check("storage-healthy", not bad, _names(bad) if bad else f"{n} pool, virtual and cluster disks Healthy")


def _csvs(data: dict[str, Any]) -> Check:
    csvs = data.get("csvs") or []
    bad = [f"{c.get('name')} ({c.get('state')})" for c in csvs if c.get("state") != "Online"]
    if not csvs:
        return Check("csvs-online", False, "no cluster shared volume")
    return Check("csvs-online", not bad, f"not Online: {_names(bad)}" if bad else f"{len(csvs)} CSVs Online")


def _witness(data: dict[str, Any]) -> Check:
    w = data.get("witness") or {}
    if not w:
        return Check("witness-online", False, "no witness configured")
    ok = w.get("state") == "Online"
    return Check("witness-online", ok, f"{w.get('type')} witness {w.get('resource')} is {w.get('state') or 'unknown'}")


def _workloads(data: dict[str, Any]) -> Check:
    roles = data.get("roles") or []
    bad = [f"{w.get('name')} ({w.get('state')})" for w in roles if w.get("state") != "Online"]
    return Check("workloads-online", not bad, f"not Online: {_names(bad)}" if bad
                 else f"{len(roles)} workloads Online")


def _anti_affinity(data: dict[str, Any]) -> Check:
    together: dict[tuple[str, str], list[str]] = defaultdict(list)
    for w in data.get("roles") or []:
        for cls in w.get("antiAffinityClassNames") or []:
            together[(str(cls), str(w.get("owner")))].append(str(w.get("name")))
    bad = [f"{_names(names)} of class {cls} on {node}" for (cls, node), names in sorted(together.items())
           if len(names) > 1]
    classes = len({c for c, _ in together})
    return Check("anti-affinity", not bad, f"sharing a node: {'; '.join(bad)}" if bad
                 else f"{classes} anti-affinity classes placed apart")


def _dns(data: dict[str, Any]) -> Check:
    dns = data.get("dns") or {}
    addresses = [str(a) for a in dns.get("addresses") or []]
    return Check("cluster-dns", bool(addresses), f"{dns.get('name')} -> {_names(addresses)}" if addresses
                 else f"{dns.get('name') or 'the cluster name'} does not resolve")


def _look(session: AzureSession, inv: ops.Inventory, vms: tuple[ops.LabVm, ...], step: str, what: str
          ) -> tuple[ops.StepRun | None, str, str]:
    """Run ``step`` on the first running VM of ``vms``: (run, why not, the VM's name)."""
    running = [v for v in vms if v.running]
    if not running:
        return None, f"cannot look: {what} runs", ""
    return ops.run_step(session, inv, running[0], step), "", running[0].name


def _failed(step: str, run: ops.StepRun | None, host: str) -> str:
    """``<step> failed [on host] [(exit code N)][: last output line]`` (the action Run Command has no exit code)."""
    code = run.exit_code if run is not None else None
    last = run.last_line() if run is not None else ""
    return (f"{step} failed" + (f" on {host}" if host else "") + (f" (exit code {code})" if code is not None else "")
            + (f": {last}" if last else ""))


def run_checks(session: AzureSession, lab: str, *, resource_group: str | None = None,
               lease_held: bool = False) -> HealthReport:
    """Every check of the lab; refused while another run holds its lease (its VMs are changing), unless
    ``lease_held``: the caller holds it (a restore checks the lab it restored under its own lease)."""
    inv = ops.inventory(session, lab, resource_group)
    if not lease_held:
        refuse_if_held(session, [inv.resource_group], lab, policy_for(session, "test"))
    dc_run, dc_why, _ = _look(session, inv, inv.dc, "dc-health", "no domain controller")
    cl_run, cl_why, host = _look(session, inv, inv.nodes, "cluster-health", "no node")
    if cl_run is not None and not cl_run.ok:
        cl_why = _failed("cluster-health", cl_run, host)
    checks = [check_vms(inv), check_dc(dc_run, dc_why),
              *cluster_checks(inv, cl_run.data if cl_run is not None and cl_run.ok else None, cl_why)]
    return HealthReport(lab, inv.resource_group, tuple(checks), host)


def check_lab(session: AzureSession, lab: str, *, resource_group: str | None = None) -> HealthReport:
    """The checks; raises ``AZG-TEST-FAILED`` (exit 14) naming the failing ones, the report as its result."""
    report = run_checks(session, lab, resource_group=resource_group)
    if not report.ok:
        bad = report.failed()
        err = HealthError(f"lab {lab}: {len(bad)} of {len(report.checks)} checks failed: "
                          + ", ".join(c.name for c in bad), code="AZG-TEST-FAILED",
                          details={"failed": [c.name for c in bad]},
                          hint=f"a stopped lab: `azguest start {lab}` brings it back in order; a step that did not "
                               "finish: `azguest configure SPEC` resumes it")
        err.result, err.report = report.to_dict(), report
        raise err
    return report
