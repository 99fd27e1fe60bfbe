"""Human rendering of plans and records (rich tables). JSON rendering lives in output.py.

Tables never cut a name: without a terminal (piped, CI logs) they are plain columns as wide as their
longest cell; in a terminal, name columns keep their full width (``no_wrap``) and the other columns fold.
"""

from __future__ import annotations

from typing import Any, TextIO

_SYMBOL = {"create": "+", "update": "~", "replace": "!", "delete": "-", "wait": "…", "retry": "↻",
           "no-change": "="}


def _console(stream: TextIO | None = None):
    from rich.console import Console

    return Console(file=stream, highlight=False, soft_wrap=True)


MIN_FOLDED = 6  # narrowest a folded (non-name) column gets in a terminal before the table goes plain


def table(c: Any, head: list[str], rows: list[list[str]], names: tuple[int, ...] = (0,)) -> None:
    """Print rows under ``head``; the columns in ``names`` are never truncated, piped or at 80 columns.
    A cell may hold several lines (one IP each): stacked in a terminal, joined with ", " in plain columns."""
    terminal = c.is_terminal
    widths = [max(len(x) for r in [head, *rows] for x in r[i].split("\n")) for i in range(len(head))]
    need = sum(widths[i] for i in names) + MIN_FOLDED * (len(head) - len(names)) + 3 * len(head) + 1
    if not terminal or need > c.width:
        rows = [[cell.replace("\n", ", ") for cell in r] for r in rows]
        widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
        for r in [head, *rows]:
            c.print("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip(), markup=False,
                    soft_wrap=True)
        return
    from rich.table import Table

    t = Table()
    for i, h in enumerate(head):
        if i in names:
            t.add_column(h, no_wrap=True, min_width=widths[i])
        else:
            t.add_column(h, overflow="fold")
    for r in rows:
        t.add_row(*r)
    c.print(t)


def cost(est: Any, c: Any, what: str = "cost") -> None:
    """One line: per hour running and per month deallocated, and what the figures are."""
    if est is None:
        return
    c.print(f"{what}: about ${est.per_hour_running:,.2f}/hour running, ${est.per_month_deallocated:,.2f}/month "
            f"deallocated (disks, storage, public IPs) -- {est.note}", markup=False)
    if est.unpriced:
        c.print(f"  not priced (counted as 0): {', '.join(est.unpriced)}", markup=False)


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
    data_loss(p, c)
    for ch in p.drifted():
        c.print(f"  drift    {ch.kind:<16} {ch.name} (changed outside azguest; deploy leaves it)")
        for line in ch.drift[:8]:
            c.print(f"      {line}", markup=False)
    from azguest.deploy.cost import graph_cost

    cost(graph_cost(p.graph), c, "cost of the lab as planned")


def data_loss(p: Any, c: Any) -> None:
    """The disks a plan deletes, each with its size: deploy does it only with --allow-data-loss."""
    if not p.data_loss:
        return
    total = sum(d.size_gb or 0 for d in p.data_loss)
    c.print(f"  DATA LOSS: this change deletes {len(p.data_loss)} disk(s) holding data ({total:,} GiB); deploy "
            "needs --allow-data-loss:", markup=False, style="red")
    for d in p.data_loss:
        size = f"{d.size_gb} GiB" if d.size_gb is not None else "? GiB"
        c.print(f"      {d.name}  {size}  {d.sku or '-'}  ({d.why})", markup=False)


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
    groups = ", the resource group included" if td.groups else ""
    c.print(f"Destroy lab [bold]{td.lab}[/]: {td.delete_count} resources{groups}")
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


def status(st: Any, stream: TextIO | None = None) -> None:
    c = _console(stream)
    c.print(f"Lab [bold]{st.lab}[/] in {', '.join(st.resource_groups)}; expires {st.expires or 'never'}")
    table(c, ["vm", "role", "size", "vCPUs", "power", "running h", "provisioning"],
          [[v.name, v.role, v.size, str(v.vcpus), v.power_state,
            "-" if v.running_hours is None else f"{v.running_hours:.1f}", v.provisioning_state] for v in st.vms])
    table(c, ["disk", "sku", "GiB", "maxShares", "state", "held by"],
          [[d.name, d.sku, str(d.size_gb), str(d.max_shares), d.state, ", ".join(d.held_by)] for d in st.disks],
          names=(0, 5))
    access_table(c, st.access)
    facts = st.cost_facts()
    c.print(f"running: {facts['running']}/{facts['vms']} VMs ({facts['runningVcpus']} vCPUs), "
            f"{facts['diskGiB']} GiB of disks; backups: {len(st.backups)}")
    cost(st.estimate, c)
    if st.estimate is not None:
        c.print(f"  now, with {facts['running']} of {facts['vms']} VMs running: about ${st.per_hour_now:,.2f}/hour",
                markup=False)
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


def access_table(c: Any, access: Any) -> None:
    """Per VM: role, private IPs, public IP, admin user (never a password), how to reach it."""
    if access:
        table(c, ["vm", "role", "private IP", "public IP", "user", "how"],
              [[a.name, a.role, "\n".join(a.private_ips), a.public_ip or "-", a.username, a.how] for a in access],
              names=(0, 2, 3, 4))


def connect(acc: Any, stream: TextIO | None = None) -> None:
    c = _console(stream)
    c.print(f"Lab [bold]{acc.lab}[/] in {acc.resource_group}: RDP asks for the admin password "
            "(azguest never shows it)")
    access_table(c, acc.vms)
    for a in acc.vms:
        if a.rdp_file:
            c.print(f"wrote {a.rdp_file}", markup=False)
    if any(a.public_ip is None for a in acc.vms):
        c.print("through the lab's Bastion, once it exists (see below):")
        for a in acc.vms:
            if a.public_ip is None:
                c.print(f"  {a.name}: {a.bastion}", markup=False)
    for line in acc.advice:
        c.print(f"- {line}", markup=False)


def lab_list(labs: Any, stream: TextIO | None = None) -> None:
    c = _console(stream)
    if not labs:
        c.print("no labs in this subscription")
        return
    table(c, ["lab", "resource group", "location", "expires", "owner", "state", "VMs", "power", "cost/h now"],
          [[x.lab + (" (ambiguous)" if x.ambiguous else ""), x.resource_group, x.location, x.expires or "never",
            x.owner or "-", x.state, str(x.vms), x.power_summary, f"{x.cost_per_hour:.2f}"] for x in labs],
          names=(0, 1))


def power_record(r: Any, stream: TextIO | None = None) -> None:
    """`stop` / `start`: one row per stage task in order, then what the guest showed (findings)."""
    c = _console(stream)
    if r.note == "already stopped":
        c.print(f"lab {r.lab} ({r.resource_group}): every VM is deallocated already; nothing done", markup=False)
        return
    rows = [[o.key, o.stage, o.vm or "-", o.action, o.state, f"{o.elapsed_s:.0f}s"] for o in r.outcomes]
    table(c, ["step", "stage", "vm", "action", "state", "took"], rows, names=(0, 2))
    for f in r.findings:
        c.print(f"note: {f}", markup=False)
    verb = "stopped (deallocated)" if r.command == "stop" else "started"
    if r.ok:
        c.print(f"lab {r.lab} {verb} in {r.elapsed_s:.0f}s", markup=False)


def health_report(h: Any, stream: TextIO | None = None) -> None:
    """`test`: one row per check, PASS or FAIL, and what it saw."""
    c = _console(stream)
    table(c, ["check", "result", "detail"], [[k.name, "PASS" if k.ok else "FAIL", k.detail] for k in h.checks])
    bad = len(h.failed())
    c.print(f"lab {h.lab}: {len(h.checks) - bad} passed, {bad} failed", markup=False)


def backup_summary(r: dict, stream: TextIO | None = None) -> None:
    """`backup LAB` / `backup show ID`: the pieces, then one line with method, status, skew and size."""
    c = _console(stream)
    table(c, ["piece", "kind", "state", "size", "started"],
          [[p["key"], p["kind"], p["state"], f"{p['sizeGb']} GB",
            "-" if p["startedS"] is None else f"+{p['startedS']:.2f}s"] for p in r["pieces"]])
    skew = "-" if r["skewS"] is None else f"{r['skewS']:.2f}s"
    extra = "" if r.get("downtimeS") is None else f", downtime {r['downtimeS']:.0f}s"
    c.print(f"backup {r['id']} of {r['lab']}: {r['status']}, {r['method']} ({r['verdict']}), {r['consistency']}-"
            f"consistent, skew {skew}{extra}, {r['sizeGb']} GB", markup=False)
    c.print(r["why"], markup=False)
    g = r.get("guest")
    if g:
        t = g.get("target") or {}
        c.print(f"in the guest on {g.get('node')}: {', '.join(g.get('volumes') or [])} with workloads "
                f"{', '.join(g.get('workloads') or []) or 'none'} to disk {str(t.get('diskId')).rsplit('/', 1)[-1]} "
                f"(version {g.get('versionsOnTarget')} on it); volumes and workloads "
                f"{(g.get('consistency') or {}).get('workloads')}-consistent", markup=False)
    for f in r.get("forced") or []:
        c.print(f"forced past: {f}", markup=False)


def backup_list(items: list, stream: TextIO | None = None) -> None:
    c = _console(stream)
    if not items:
        c.print("no backups")
        return
    table(c, ["id", "lab", "mode", "status", "created", "label"],
          [[i["id"], i["lab"], i["mode"] or "-", i["status"] or "-", i["created"] or "-", i["label"] or "-"]
           for i in items], names=(0, 1))


def backup_prune(r: dict, stream: TextIO | None = None) -> None:
    c = _console(stream)
    table(c, ["backup", "kept", "why"], [[b["id"], "yes" if b["keep"] else "no", b["why"]] for b in r["backups"]])
    c.print(f"deleted {len(r['deleted'])} backup(s)" + (" (dry run)" if r["dryRun"] else ""), markup=False)


def restore_record(r: dict, stream: TextIO | None = None) -> None:
    """`restore BACKUP`: one row per phase, then one line: what was restored where, and the old disks."""
    c = _console(stream)
    table(c, ["phase", "state", "took"], [[s["phase"], "ok" if s["ok"] else "failed", f"{s['elapsedS']:.0f}s"]
                                          for s in r["stages"]])
    for n in r.get("notes") or []:
        c.print(f"note: {n}", markup=False)
    where = f"into the new lab {r['lab']} ({r['resourceGroup']})" if r["mode"] == "into" else \
        f"in place on {r['lab']} ({r['resourceGroup']})"
    kept = f"; old disks kept: {len(r['oldDisksKept'])}" if r.get("oldDisksKept") else ""
    c.print(f"backup {r['backup']} restored {where} in {r['elapsedS']:.0f}s; health checks passed{kept}",
            markup=False)


def clone_record(r: Any, stream: TextIO | None = None) -> None:
    """`lab clone`: one row per lab of the shard (created, skipped as complete already, failed)."""
    c = _console(stream)
    rows = [[x.lab, x.resource_group or "-", x.state, f"{x.elapsed_s:.0f}s",
             (x.error or {}).get("code", "") if x.error else ""] for x in r.labs]
    table(c, ["lab", "resource group", "state", "took", "error"], rows, names=(0, 1))
    s = r.summary()
    c.print(f"shard {r.shard} of {r.count} clone(s) of {r.backup}: {s['created']} created, {s['skipped']} complete "
            f"already, {s['failed']} failed, in {r.elapsed_s:.0f}s", markup=False)
