"""The ``cold`` method: the guest issue's graceful ordered ``stop`` (under the backup's lease), one incremental
snapshot of every disk of every VM all at once, then the ordered ``start``. The start runs whatever happened
after the stop began (a failed snapshot, a failed stop, Ctrl-C): the lab ends running again, in order. A lab
that was already stopped is left stopped."""

from __future__ import annotations

from dataclasses import replace

from azguest.backup import run
from azguest.backup.manifest import Manifest
from azguest.errors import AzguestError
from azguest.guest.power import run_power


def _cold(ctx: run.Context) -> Manifest:
    session, lab, rg = ctx.session, ctx.live.lab, ctx.live.resource_group
    clock = ctx.timing.clock
    was_running = any(p == "running" for p in ctx.live.power.values())
    t_stop = clock.now()
    stop_s = start_s = None
    try:
        run_power(session, lab, "stop", resource_group=rg, lease_held=True, on_event=ctx.on_event)
        stop_s = clock.now() - t_stop
        ctx.timing = replace(ctx.timing, t0=clock.now())
        m = run.run_pieces(ctx)
    finally:
        if was_running:
            t_start = clock.now()
            _start(ctx)
            start_s = clock.now() - t_start
            ctx.manifest = replace(ctx.manifest, downtime_s=round(clock.now() - t_stop, 3),
                                   stop_s=_r(stop_s), start_s=_r(start_s))
    return replace(m, downtime_s=ctx.manifest.downtime_s, stop_s=_r(stop_s), start_s=_r(start_s))


def _start(ctx: run.Context) -> None:
    """The ordered start; tried once more when it fails (a transient refusal must not leave the lab down: a
    second start checks the VMs already running and starts the rest, in order)."""
    kw = {"resource_group": ctx.live.resource_group, "lease_held": True, "on_event": ctx.on_event}
    try:
        run_power(ctx.session, ctx.live.lab, "start", **kw)
    except AzguestError:
        run_power(ctx.session, ctx.live.lab, "start", **kw)


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 3)


run.RUNNERS["cold"] = _cold
