"""`azguest backup LAB`, `backup list|show|delete|prune` (azguest.backup; docs/design.md, "Backup").

``backup`` is a group whose default command is ``create``: ``azguest backup LAB`` is ``azguest backup create
LAB`` (a first word that is not one of the group's commands is taken as the lab), so the issue's spelling and
``backup list`` both work. A lab called like a command is ``backup create <name>``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from azguest.cli.lab_cmds import confirm
from azguest.cli.options import (
    BreakLeaseOpt,
    CloudOpt,
    EmulatorOpt,
    EndpointOpt,
    GroupOpt,
    OutputOpt,
    SubscriptionOpt,
    YesOpt,
    session_for,
)
from azguest.cli.output import OutputFormat, emit_json
from azguest.errors import Interrupted


class DefaultCreateGroup(TyperGroup):
    """A group whose first argument, when it is not one of its commands or an option, goes to ``create``."""

    default_command = "create"  # main._command_name names it in a failure's envelope too

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and not args[0].startswith("-") and args[0] not in self.commands:
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)


backup_app = typer.Typer(name="backup", cls=DefaultCreateGroup, no_args_is_help=True, rich_markup_mode=None,
                         help="Whole-lab backups that outlive the lab: `azguest backup LAB`, list, show, delete, "
                              "prune.")

LabOrSpec = Annotated[str, typer.Argument(help="The lab name, or its spec file (then the spec goes into the "
                                               "manifest and its retention and consistency are used).")]
ModeOpt = Annotated[str, typer.Option("--mode", "-m", help="vm (hot: restore points), cold (stop, snapshots, "
                                      "start), in-guest, or auto (the best supported one).")]


def _lab_and_spec(arg: str) -> tuple[str, Any]:
    path = Path(arg)
    if path.suffix.lower() in (".yaml", ".yml") and path.is_file():
        from azguest.spec import load_lab

        spec = load_lab(path)
        return spec.name, spec
    return arg, None


def create_cmd(lab: LabOrSpec, mode: ModeOpt = "auto", label: Annotated[str | None, typer.Option(
        "--label", help="A label (e.g. golden): a labelled backup is never pruned.")] = None,
               resource_group: GroupOpt = None,
               break_lease: BreakLeaseOpt = False,
               force: Annotated[bool, typer.Option("--force", help="Back up although a node is down, a role is in "
                                                   "transition or an S2D repair runs (never past Azure's limits, "
                                                   "nor a live migration under --mode vm on iscsi/shared-disk).")
                                ] = False,
               output: OutputOpt = OutputFormat.human, emulator: EmulatorOpt = False, endpoint: EndpointOpt = None,
               subscription: SubscriptionOpt = None, cloud: CloudOpt = None) -> None:
    """Back up every VM of the lab (DC, nodes, storage VMs) into the region's backup group; refuses a method
    the lab's storage design does not support (exit 8) before any write."""
    from azguest.backup.run import Request, backup
    from azguest.cli.progress import Watch
    from azguest.deploy.lease import policy_for

    name, spec = _lab_and_spec(lab)
    resume = f"azguest backup {lab} --mode {mode}" + (" --emulator" if emulator else "")
    watch = Watch("backup", resume)
    with watch, session_for(emulator, endpoint, subscription, cloud) as session:
        watch.use_clock(session)
        m = backup(session, Request(name, mode, label, spec, resource_group, force=force),
                   lease=policy_for(session, "backup", break_lease=break_lease), on_event=watch.reporter,
                   stop_event=watch.stop_event, on_start=lambda choice: watch.begin())
    if watch.stop_event.is_set():
        raise Interrupted("backup interrupted", hint=f"re-run `{resume}`")
    result = _summary(m)
    if output is OutputFormat.json:
        emit_json("backup create", ok=True, result=result)
    else:
        from azguest.cli import render

        render.backup_summary(result, sys.stdout)


def _summary(m: Any) -> dict[str, Any]:
    from azguest.backup.run import piece_summary

    return {"id": m.id, "lab": m.lab, "status": m.status, "method": m.method, "requested": m.requested,
            "why": m.why, "verdict": m.verdict, "consistency": m.consistency, "storageMode": m.storage_mode,
            "label": m.label, "created": m.created, "finished": m.finished, "skewS": m.skew_s,
            "downtimeS": m.downtime_s, "elapsedS": m.elapsed_s, "backupResourceGroup": m.backup_resource_group,
            "guest": m.guest, "forced": list(m.forced),
            "restoreOrder": [list(t) for t in m.restore_order],
            "sizeGb": sum(p.size_gb for p in m.pieces), "pieces": [piece_summary(p) for p in m.pieces],
            "disks": [{"vm": v.name, "disk": d.name, "lun": d.lun, "maxShares": d.max_shares,
                       "restoreFrom": d.restore_from.to_dict() if d.restore_from else None}
                      for v in m.vms for d in (v.os_disk, *v.data_disks)]}


def list_cmd(lab: Annotated[str | None, typer.Argument(help="Only this lab's backups.")] = None,
             output: OutputOpt = OutputFormat.human, emulator: EmulatorOpt = False, endpoint: EndpointOpt = None,
             subscription: SubscriptionOpt = None, cloud: CloudOpt = None) -> None:
    """Every backup (of LAB), also of destroyed labs: id, lab, mode, status, created, label."""
    from azguest.backup import store

    with session_for(emulator, endpoint, subscription, cloud) as session:
        items = store.list_backups(session, lab)
    items = [{k: v for k, v in i.items() if k != "manifestId"} for i in items]
    if output is OutputFormat.json:
        emit_json("backup list", ok=True, result={"backups": items})
    else:
        from azguest.cli import render

        render.backup_list(items, sys.stdout)


def show_cmd(backup_id: Annotated[str, typer.Argument(help="The backup's id (`backup list`).")],
             output: OutputOpt = OutputFormat.human, emulator: EmulatorOpt = False, endpoint: EndpointOpt = None,
             subscription: SubscriptionOpt = None, cloud: CloudOpt = None) -> None:
    """A backup's manifest: method, consistency, status, skew, every piece with its size, every disk's source."""
    from azguest.backup import store

    with session_for(emulator, endpoint, subscription, cloud) as session:
        m = store.load(session, backup_id)
    result = {**_summary(m), "hasSpec": m.spec is not None, "error": m.error}
    if output is OutputFormat.json:
        emit_json("backup show", ok=True, result=result)
    else:
        from azguest.cli import render

        render.backup_summary(result, sys.stdout)


def delete_cmd(backup_id: Annotated[str, typer.Argument(help="The backup's id (`backup list`).")],
               yes: YesOpt = False, output: OutputOpt = OutputFormat.human, emulator: EmulatorOpt = False,
               endpoint: EndpointOpt = None, subscription: SubscriptionOpt = None, cloud: CloudOpt = None) -> None:
    """Delete one backup: its snapshots and restore points, then its manifest."""
    from azguest.backup import store

    with session_for(emulator, endpoint, subscription, cloud) as session:
        store.find(session, backup_id)  # not found: exit 6 before the question
        if not confirm(yes, f"delete backup {backup_id}"):
            from azguest.errors import RefusedError

            raise RefusedError("backup delete was not confirmed; nothing was deleted", code="AZG-NOT-CONFIRMED")
        done = store.delete(session, backup_id)
    result = {k: v for k, v in done.items() if k != "manifestId"}
    if output is OutputFormat.json:
        emit_json("backup delete", ok=True, result=result)
    else:
        print(f"deleted backup {backup_id} ({len(done['deletedPieces'])} pieces)")


def prune_cmd(lab: LabOrSpec, dry_run: Annotated[bool, typer.Option("--dry-run", help="Only say what would go.")]
              = False, yes: YesOpt = False, output: OutputOpt = OutputFormat.human, emulator: EmulatorOpt = False,
              endpoint: EndpointOpt = None, subscription: SubscriptionOpt = None, cloud: CloudOpt = None) -> None:
    """Delete the lab's backups outside its retention (keepLast, keepDaily, keepWeekly) and failed ones; never
    the newest complete backup or a labelled one."""
    from azguest.backup.retention import prune

    name, spec = _lab_and_spec(lab)
    with session_for(emulator, endpoint, subscription, cloud) as session:
        preview = prune(session, name, spec=spec, dry_run=True)
        going = [b["id"] for b in preview["backups"] if not b["keep"]]
        result = preview
        if going and not dry_run and confirm(yes, f"delete {len(going)} backup(s) of {name}"):
            result = prune(session, name, spec=spec)
    if output is OutputFormat.json:
        emit_json("backup prune", ok=True, result=result)
    else:
        from azguest.cli import render

        render.backup_prune(result, sys.stdout)


def matrix_markdown() -> str:
    """docs/backup.md: the support matrix (generated by `python -m azguest.docs`)."""
    from azguest.backup.support import PREFERENCE, matrix_rows

    rows = ["# Backup support matrix", "",
            "Generated from the storage-mode registry (`azguest/storage/`, each mode's `backup` slot) and",
            "`azguest/backup/support.py` by `python -m azguest.docs`; a test keeps it in sync.",
            "`supported`: runs; `lab-only`: runs, but Microsoft does not support it for production data;",
            "`refused`: exit 8 (UNSUPPORTED) with the reason, before any write.",
            f"`auto` takes the first supported method of {' > '.join(PREFERENCE)}.", "",
            "| storage mode | method | verdict | reason | source |", "|---|---|---|---|---|"]
    rows += [f"| {r['storageMode']} | `{r['method']}` | {r['verdict']} | {r['reason']} | {r['source']} |"
             for r in matrix_rows()]
    return "\n".join(rows) + "\n"


def register(app: typer.Typer) -> None:
    backup_app.command("create")(create_cmd)
    backup_app.command("list")(list_cmd)
    backup_app.command("show")(show_cmd)
    backup_app.command("delete")(delete_cmd)
    backup_app.command("prune")(prune_cmd)
    app.add_typer(backup_app, name="backup")
