"""A failover cluster's state as the windows-model keeps it: one shared record per cluster (in Windows the
cluster database is replicated on every node), and what follows from the VMs' power and guest facts:
node states, quorum, storage online or not, role placement (soft anti-affinity), S2D repair after a node
was lost while the cluster ran, and the health report ``cluster-health`` returns.
"""

from __future__ import annotations

from typing import Any

from azguest.emulator.guest.content import signature
from azguest.emulator.guest.world import Peer, World

S2D_REPAIR_KEY = "guest.s2d-repair"  # profile durations: Azure seconds a resync takes after a node returns
S2D_REPAIR_DEFAULT = 300.0
_EVENTS = 20


def member(facts: dict[str, Any]) -> str | None:
    return facts.get("cluster")


def node_peer(world: World, rec: dict[str, Any], computer: str) -> Peer | None:
    p = world.by_name(computer)
    return p if p is not None and member(p.facts) == rec["name"] else None


def node_up(world: World, rec: dict[str, Any], computer: str) -> bool:
    p = node_peer(world, rec, computer)
    return bool(p and p.running and not p.facts.get("clusterStopped"))


def up_nodes(world: World, rec: dict[str, Any]) -> list[str]:
    return [n for n in rec["nodes"] if node_up(world, rec, n)]


def source_online(world: World, rec: dict[str, Any], source: dict[str, Any]) -> bool:
    """A cluster disk's backing store is reachable from a node that is up."""
    up = [node_peer(world, rec, n) for n in up_nodes(world, rec)]
    if source.get("kind") == "target-lun":
        target = next((p for p in world.peers() if p.id.lower() == source["target"].lower()), None)
        if target is None or not target.running:
            return False
        return any(source["iqn"] in [s["target"] for s in (p.facts.get("iscsi") or {}).get("sessions", [])]
                   for p in up if p)
    # by content, as Windows finds a disk by its signature: a disk restored from a copy is the same cluster disk
    sig = signature(world.ctx, str(source.get("id") or ""))
    return any(p and any(signature(world.ctx, str(d["id"])) == sig for d in p.data_disks().values()) for p in up)


def witness_online(world: World, rec: dict[str, Any]) -> bool:
    w = rec.get("witness") or {}
    if w.get("type") == "Cloud":
        return world.storage_account(w.get("account", "")) is not None
    if w.get("type") == "Disk":
        disk = (rec.get("disks") or {}).get(w.get("disk"))
        return bool(disk) and source_online(world, rec, disk["source"])
    return False


def has_quorum(world: World, rec: dict[str, Any]) -> bool:
    """Node majority (plus the witness's vote when there is one); dynamic quorum is not modelled."""
    up = len(up_nodes(world, rec))
    votes = len(rec["nodes"]) + (1 if rec.get("witness") else 0)
    have = up + (1 if up and rec.get("witness") and witness_online(world, rec) else 0)
    return up > 0 and have * 2 > votes


def running(world: World, rec: dict[str, Any]) -> bool:
    return has_quorum(world, rec)


def event(world: World, rec: dict[str, Any], kind: str, **fields: Any) -> None:
    rec["events"] = (rec.get("events", []) + [{"time": world.iso_now(), "event": kind, **fields}])[-_EVENTS:]


def place(world: World, rec: dict[str, Any], role: str, avoid: str | None = None) -> str | None:
    """The up node for ``role``: fewest roles of its anti-affinity classes there (soft: a conflict is allowed
    when no other node is up), then fewest roles, then node order."""
    classes = set(rec["roles"][role].get("antiAffinityClassNames") or [])
    candidates = [n for n in up_nodes(world, rec) if n != avoid] or up_nodes(world, rec)
    if not candidates:
        return None

    def score(node: str) -> tuple[int, int, int]:
        others = [r for k, r in rec["roles"].items() if k != role and r.get("owner") == node
                  and r.get("state") == "Online"]
        clash = sum(1 for r in others if classes & set(r.get("antiAffinityClassNames") or []))
        return clash, len(others), rec["nodes"].index(node)

    return min(candidates, key=score)


def settle(world: World, rec: dict[str, Any]) -> None:
    """Roles that should be online but whose owner is down move to a node that is up (failover)."""
    if not has_quorum(world, rec):
        return
    for name, role in sorted(rec.get("roles", {}).items()):
        if role.get("state") == "Online" and not node_up(world, rec, role.get("owner") or ""):
            target = place(world, rec, name)
            if target and target != role.get("owner"):
                event(world, rec, "RoleMoved", role=name, source=role.get("owner"), target=target)
                role["owner"] = target


def repair_state(world: World, rec: dict[str, Any]) -> tuple[str, str, list[dict[str, Any]]]:
    """(health, operational status, storage jobs) of the S2D virtual disks."""
    rep = rec.get("repair")
    if not rec.get("pool"):
        return "Healthy", "OK", []
    if not has_quorum(world, rec):
        return "Unknown", "Detached", []
    if not rep:
        return "Healthy", "OK", []
    if rep.get("down"):
        return "Warning", "Degraded", [{"name": "Repair", "state": "Suspended", "percentComplete": 0,
                                        "waitingFor": list(rep["down"])}]
    until, since = float(rep.get("until", 0)), float(rep.get("since", 0))
    if world.now >= until:
        rec["repair"] = None
        event(world, rec, "RepairCompleted")
        return "Healthy", "OK", []
    done = int(100 * (world.now - since) / max(until - since, 1e-9))
    return "Warning", "InService", [{"name": "Repair", "state": "Running", "percentComplete": done}]


def node_down(world: World, rec: dict[str, Any], computer: str, graceful: bool) -> None:
    """A node's VM stopped (deallocate, power off, restart, delete)."""
    event(world, rec, "NodeDown", node=computer, graceful=graceful)
    if graceful:
        return
    if rec.get("pool"):
        rep = rec.get("repair") or {"down": []}
        if computer not in rep["down"]:
            rep["down"].append(computer)
        rec["repair"] = rep
    settle(world, rec)
    failed = [n for n, r in rec.get("roles", {}).items() if r.get("state") == "Online" and r.get("owner") == computer]
    for name in failed:
        event(world, rec, "RoleFailed", role=name, node=computer)


def node_back(world: World, rec: dict[str, Any], computer: str) -> None:
    """A node's VM started again: its Cluster service starts (Automatic), it rejoins; S2D resyncs."""
    event(world, rec, "NodeUp", node=computer)
    rep = rec.get("repair")
    if rep and computer in rep.get("down", []):
        rep["down"].remove(computer)
        if not rep["down"]:
            rep["since"] = world.now
            rep["until"] = world.now + world.profile_seconds(S2D_REPAIR_KEY, S2D_REPAIR_DEFAULT)
    settle(world, rec)


def role_state(world: World, rec: dict[str, Any], role: dict[str, Any]) -> str:
    if role.get("transition"):  # a group caught between states (Pending, OnlinePending, OfflinePending)
        return str(role["transition"])
    if role.get("state") != "Online":
        return "Offline"
    if not has_quorum(world, rec) or not node_up(world, rec, role.get("owner") or ""):
        return "Failed"
    csv = (rec.get("csvs") or {}).get(role.get("csv") or "")
    if csv and csv_state(world, rec, csv) != "Online":
        return "Failed"
    return "Online"


def csv_state(world: World, rec: dict[str, Any], csv: dict[str, Any]) -> str:
    if not has_quorum(world, rec):
        return "Offline"
    if csv.get("disk"):
        disk = (rec.get("disks") or {}).get(csv["disk"])
        return "Online" if disk and source_online(world, rec, disk["source"]) else "Failed"
    return "Online"


def health(world: World, rec: dict[str, Any], local: str) -> dict[str, Any]:
    """The ``cluster-health`` report (compact: a run command keeps the last 4 KB of output)."""
    settle(world, rec)
    quorum = has_quorum(world, rec)
    vd_health, vd_op, jobs = repair_state(world, rec)
    state = "Running" if quorum else ("Stopped" if not up_nodes(world, rec) else "NoQuorum")
    witness = rec.get("witness")
    out: dict[str, Any] = {
        "cluster": rec["name"], "state": state, "quorum": quorum, "managementPoint": rec.get("managementPoint"),
        "localNode": local,
        "nodes": [{"name": n, "state": "Up" if node_up(world, rec, n) else "Down"} for n in rec["nodes"]],
        "validation": validation_summary(rec.get("validation")),
        "pool": ({**{k: rec["pool"][k] for k in ("name", "physicalDisks")}, "health": vd_health,
                  "operational": "OK" if vd_op == "OK" else vd_op} if rec.get("pool") else None),
        "virtualDisks": [{"name": n, "health": vd_health, "operational": vd_op} for n in rec.get("virtualDisks", {})],
        "disks": [{"name": n, "state": ("Online" if quorum and source_online(world, rec, d["source"]) else "Failed")}
                  for n, d in (rec.get("disks") or {}).items()],
        "csvs": [{"name": n, "path": c["path"], "state": csv_state(world, rec, c)}
                 for n, c in rec.get("csvs", {}).items()],
        "witness": ({"type": witness["type"], "resource": witness.get("account") or witness.get("disk"),
                     "state": "Online" if witness_online(world, rec) else "Offline"} if witness else None),
        "roles": [{"name": n, "owner": r.get("owner"), "state": role_state(world, rec, r),
                   "antiAffinityClassNames": r.get("antiAffinityClassNames") or [],
                   "migrating": bool(r.get("migrating"))}
                  for n, r in sorted(rec.get("roles", {}).items())],
        "storageJobs": jobs, "repairNeeded": bool(rec.get("repair")),
        "events": rec.get("events", [])[-5:],
    }
    return out


def validation_summary(v: dict[str, Any] | None) -> dict[str, Any] | None:
    if not v:
        return None
    return {"passed": v.get("passed"), "failed": v.get("failed", []), "time": v.get("time"),
            "tests": v.get("tests", [])}
