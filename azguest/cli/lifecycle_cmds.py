"""`azguest extend LAB 7d`: move a lab's expiry without its spec (azguest.deploy.lifecycle)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from azguest.cli.options import (
    BreakLeaseOpt,
    CloudOpt,
    EmulatorOpt,
    EndpointOpt,
    GroupOpt,
    LabArg,
    OutputOpt,
    SubscriptionOpt,
    session_for,
)
from azguest.cli.output import OutputFormat, emit_json


def extend_cmd(
    lab: LabArg,
    duration: Annotated[str | None, typer.Argument(
        help="How much longer, as lifetime.expiresAfter takes it: 30m, 12h, 7d, 2w, or never (no expiry). "
             "Added to the current expiry, or to now if that has passed.")] = None,
    to: Annotated[str | None, typer.Option(
        "--to", help="Set the expiry to this ISO 8601 time instead (UTC unless it has an offset).")] = None,
    resource_group: GroupOpt = None,
    break_lease: BreakLeaseOpt = False,
    output: OutputOpt = OutputFormat.human, emulator: EmulatorOpt = False, endpoint: EndpointOpt = None,
    subscription: SubscriptionOpt = None, cloud: CloudOpt = None,
) -> None:
    """Extend a lab's life: gc destroys it only after the new expiry. Needs no spec; a re-deploy keeps it
    unless lifetime.expiresAfter is edited (docs/design.md, "Lifetime")."""
    from azguest.deploy.lease import policy_for
    from azguest.deploy.lifecycle import extend, parse_extension
    from azguest.execute.wait import session_now

    with session_for(emulator, endpoint, subscription, cloud) as session:
        now = session_now(session)
        ext = parse_extension(duration, to, now)  # a bad duration or time: usage error, before any read
        record = extend(session, lab, ext, now=now, resource_group=resource_group,
                        lease=policy_for(session, "extend", break_lease=break_lease))
    if output is OutputFormat.json:
        emit_json("extend", ok=True, result=record.to_dict())
        return
    if not record.changed:
        sys.stdout.write(f"lab {lab} ({record.resource_group}) already expires {record.expires or 'never'}; "
                         "nothing written\n")
    else:
        sys.stdout.write(f"lab {lab} ({record.resource_group}): expiry {record.previous or 'never'} -> "
                         f"{record.expires or 'never'}\n")


def register(app: typer.Typer) -> None:
    app.command("extend")(extend_cmd)
