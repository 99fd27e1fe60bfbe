"""`azguest restore BACKUP [--into NEWLAB] [--keep-old-disks] [--yes]` (azguest.restore; docs/design.md,
"Restore"). Asks before it touches a lab in place (its disks are replaced); `--into` only creates."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Annotated, Any

import typer

from azguest.cli.options import (
    BreakLeaseOpt,
    CloudOpt,
    EmulatorOpt,
    EndpointOpt,
    OutputOpt,
    SubscriptionOpt,
    YesOpt,
    session_for,
)
from azguest.cli.output import OutputFormat, emit_json

BackupArg = Annotated[str, typer.Argument(help="The backup's id (`azguest backup list`); only a complete one.")]
IntoOpt = Annotated[str | None, typer.Option("--into", help="Restore into this new lab (its own group, isolated "
                                             "network, witness account, names, lab tag and expiry) instead of in "
                                             "place.")]
KeepOpt = Annotated[bool, typer.Option("--keep-old-disks", help="In place: keep the lab's old disks after a "
                                       "successful restore (they are always kept until the health checks pass).")]
ExpiresOpt = Annotated[str | None, typer.Option("--expires", help="--into: the new lab's lifetime (30m, 12h, 1d, "
                                                "2w, never); default: the backup spec's expiresAfter.")]
GroupOpt = Annotated[str | None, typer.Option("--resource-group", "-g", help="In place: the lab's group, when more "
                                              "than one group claims the lab.")]


def restore_cmd(backup: BackupArg, into: IntoOpt = None, keep_old_disks: KeepOpt = False,
                expires: ExpiresOpt = None, resource_group: GroupOpt = None, yes: YesOpt = False,
                break_lease: BreakLeaseOpt = False, output: OutputOpt = OutputFormat.human,
                emulator: EmulatorOpt = False, endpoint: EndpointOpt = None, subscription: SubscriptionOpt = None,
                cloud: CloudOpt = None) -> None:
    """Restore a complete backup: in place (ordered stop, disks from the backup swapped in, ordered start, health
    checks; rolled back to the old disks on failure), or --into a new isolated lab. An in-guest backup is restored
    into a freshly deployed lab (--into NEWLAB, or its own lab once destroyed; an existing lab is refused): deploy,
    configure, the restore-wsb guest step from its snapshot, health checks. Exit 4 for an incomplete backup
    (nothing written)."""
    from azguest.cli.lab_cmds import confirm
    from azguest.cli.progress import Watch
    from azguest.deploy.lease import policy_for
    from azguest.errors import RefusedError
    from azguest.restore.core import Request, load_restorable, restore

    resume = f"azguest restore {backup}" + (f" --into {into}" if into else "") + (" --emulator" if emulator else "")
    watch = Watch("restore", resume)
    with watch, session_for(emulator, endpoint, subscription, cloud) as session:
        m = load_restorable(session, backup)
        in_place = not into and m.method != "in-guest"  # an in-guest restore only creates (an existing lab: refused)
        if in_place and not confirm(yes, f"replace every disk of lab {m.lab} with backup {backup}"):
            raise RefusedError("restore was not confirmed; nothing was written", code="AZG-NOT-CONFIRMED")
        watch.use_clock(session)
        record = restore(session, Request(backup, into, keep_old_disks, resource_group, expires), manifest=m,
                         lease=policy_for(session, "restore", break_lease=break_lease), on_event=watch.reporter,
                         on_start=watch.begin, password=_password(session, m, into))
    result = record.to_dict()
    if output is OutputFormat.json:
        emit_json("restore", ok=True, result=result)
    else:
        from azguest.cli import render

        render.restore_record(result, sys.stdout)


def _password(session: Any, m: Any, into: str | None) -> Callable[[], str] | None:
    """An in-guest backup's restore deploys a fresh lab: its admin password, asked once (prompt or variable)."""
    resolved: list[str] = []

    def password() -> str:
        from azguest.cli.prompts import password_prompt
        from azguest.restore.clone import clone_spec
        from azguest.spec import resolve_password

        if not resolved:
            lab = clone_spec(m, into or m.lab)
            resolved.append(resolve_password(lab, prompt=password_prompt(lab.admin.username),
                                             key_vault=session.secret))
        return resolved[0]

    return password if m.method == "in-guest" else None


def register(app: typer.Typer) -> None:
    app.command("restore")(restore_cmd)
