"""Human rendering of plans and records (rich tables). JSON rendering lives in output.py."""

from __future__ import annotations

from typing import Any, TextIO

_SYMBOL = {"create": "+", "update": "~", "replace": "!", "delete": "-", "wait": "…", "retry": "↻",
           "no-change": "="}


def _console(stream: TextIO | None = None):
    from rich.console import Console

    return Console(file=stream, highlight=False, soft_wrap=True)


def plan(p: Any, stream: TextIO | None = None) -> None:
    c = _console(stream)
    summary = ", ".join(f"{n} {a}" for a, n in p.summary().items()) or "nothing"
    c.print(f"Plan for lab [bold]{p.graph.lab}[/] in {p.graph.resource_group} ({p.graph.location}): {summary}")
    for ch in p.changes:
        if ch.action == "no-change":
            continue
        c.print(f"  {_SYMBOL[ch.action]} {ch.action:<8} {ch.kind:<16} {ch.name}")
        for line in ch.differences[:8]:
            c.print(f"      {line}", markup=False)
        if ch.hint:
            c.print(f"      [yellow]{ch.hint}[/]")
    for ch in p.drifted():
        c.print(f"  drift    {ch.kind:<16} {ch.name} (changed outside azguest; deploy leaves it)")
        for line in ch.drift[:8]:
            c.print(f"      {line}", markup=False)


def apply_record(r: Any, stream: TextIO | None = None) -> None:
    c = _console(stream)
    s = r.summary()
    c.print(f"{r.operation} {r.lab}: " + ", ".join(f"{v} {k}" for k, v in s.items() if v)
            + f" in {r.elapsed_s:.1f}s" + (f" ({r.note})" if r.note else ""))
    for res in r.failed():
        err = res.error or {}
        c.print(f"  [red]failed[/] {res.key}: {err.get('code', '')} {err.get('message', '')}", markup=True)


def teardown(td: Any, stream: TextIO | None = None) -> None:
    c = _console(stream)
    c.print(f"Destroy lab [bold]{td.lab}[/]: {len(td.deletes)} resources")
    for g in td.lab_groups:
        then = "then the group if empty" if g.created else "then only azguest's tags (the group predates azguest)"
        c.print(f"  resource group {g.name}: {len(g.deletes)} to delete, {then}")
        for ch in g.deletes:
            c.print(f"  - {ch.kind:<16} {ch.name}")
    if td.kept:
        c.print(f"  kept: {len(td.kept)} (backups or unknown kinds; --with-backups deletes backups)")
    if td.ignored:
        c.print(f"  ignored: {len(td.ignored)} tagged for {td.lab} but not azguest's (outside the lab's group, "
                "or without the full tag set): never touched")


def status(st: Any) -> None:
    from rich.table import Table

    c = _console()
    c.print(f"Lab [bold]{st.lab}[/] in {', '.join(st.resource_groups)}; expires {st.expires or 'never'}")
    t = Table("vm", "role", "size", "vCPUs", "power", "provisioning")
    for v in st.vms:
        t.add_row(v.name, v.role, v.size, str(v.vcpus), v.power_state, v.provisioning_state)
    c.print(t)
    t = Table("disk", "sku", "GiB", "maxShares", "state", "held by")
    for d in st.disks:
        t.add_row(d.name, d.sku, str(d.size_gb), str(d.max_shares), d.state, ", ".join(d.held_by))
    c.print(t)
    cost = st.cost_facts()
    c.print(f"cost: {cost['running']}/{cost['vms']} VMs running ({cost['runningVcpus']} vCPUs), "
            f"{cost['diskGiB']} GiB of disks; backups: {len(st.backups)}")
    for d in st.drift:
        c.print(f"drift: {d['action']} {d['kind']} {d['name']}")
        for line in (d.get("drift") or d.get("differences") or [])[:8]:
            c.print(f"      {line}", markup=False)


def gc_plan(items: list, stream: TextIO | None = None, dry_run: bool = False) -> None:
    """Every expired lab, and per group how many resources gc deletes (the prompt and --yes print it)."""
    c = _console(stream)
    if not items:
        c.print("no expired labs")
    for it in items:
        c.print(f"{it.lab}: expired {it.expires}" + (" (dry run)" if dry_run else ""))
        if it.teardown is None:
            c.print(f"  [red]skipped[/]: {(it.error or {}).get('message', '')}")
            continue
        for g in it.teardown.lab_groups:
            then = "and the group if empty" if g.created else "and azguest's tags (the group stays)"
            c.print(f"  resource group {g.name}: {len(g.deletes)} resources {then}")


def gc(records: list) -> None:
    for r in records:
        apply_record(r)
