"""What ARM power operations do inside a windows-model guest (called by the VM handler):

- a boot (create, start, restart) completes pending feature installs, domain joins and promotions, takes
  the DNS servers DHCP gives now, and starts the Cluster service (startup type Automatic): the node rejoins
  its cluster, S2D resyncs what it missed;
- a shutdown (deallocate, power off, restart, delete) of a cluster node whose Cluster service runs is a
  hard loss for the cluster: its roles move to other nodes (or fail), S2D virtual disks degrade and need a
  repair. After ``Stop-Cluster`` (cluster-stop) the same shutdown is graceful: nothing to repair.
"""

from __future__ import annotations

from typing import Any

from azguest.emulator.context import Ctx
from azguest.emulator.guest import clusterstate as cs
from azguest.emulator.guest.winbase import boot
from azguest.emulator.guest.world import World

BOOTS = ("create", "start", "restart")
SHUTDOWNS = ("deallocate", "poweroff", "restart", "delete")


def power_changed(ctx: Ctx, vm: dict[str, Any], operation: str) -> None:
    """Apply an ARM power operation that completed on ``vm`` to its guest (windows-model only)."""
    if ctx.engine.profile.guest != "windows-model":
        return
    op = operation.lower()
    world = World(ctx, vm["id"])
    me = world.peer_of(vm)
    if op in SHUTDOWNS and not me.facts.get("off"):
        rec = world.cluster(cs.member(me.facts))
        if rec is not None:
            cs.node_down(world, rec, me.computer, graceful=bool(me.facts.get("clusterStopped")))
        if op != "restart":
            me.facts["off"] = True
    if op in BOOTS:
        me.facts.pop("off", None)
        boot(me.facts, world.iso_now(), me.arm_dns())
        rec = world.cluster(cs.member(me.facts))
        if rec is not None:
            cs.node_back(world, rec, me.computer)
    ctx.mark_dirty()
