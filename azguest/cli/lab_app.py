"""`azguest lab list` (the labs in the subscription) and `azguest connect LAB` (how to reach each VM).

``lab`` is a sub-app so that later lab-wide commands (clone, rebuild) join ``list`` under it.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from azguest.cli import render
from azguest.cli.options import (
    CloudOpt,
    EmulatorOpt,
    EndpointOpt,
    GroupOpt,
    LabArg,
    OutputOpt,
    SubscriptionOpt,
    YesOpt,
    session_for,
)
from azguest.cli.output import OutputFormat, emit_json
from azguest.deploy.records import DEFAULT_PARALLEL

lab_app = typer.Typer(name="lab", help="Labs in the subscription: list, clone (a class from a golden backup), rebuild.",
                      no_args_is_help=True, rich_markup_mode=None)


@lab_app.command("list")
def list_cmd(output: OutputOpt = OutputFormat.human, emulator: EmulatorOpt = False, endpoint: EndpointOpt = None,
             subscription: SubscriptionOpt = None, cloud: CloudOpt = None) -> None:
    """The labs azguest created here: group, location, expiry, owner tag, state, VM count, power states and
    the estimated cost per hour now (running VMs and disks)."""
    from azguest.deploy.labs import list_labs

    with session_for(emulator, endpoint, subscription, cloud) as session:
        labs = list_labs(session)
    if output is OutputFormat.json:
        emit_json("lab list", ok=True, result={"labs": [x.to_dict() for x in labs]})
    else:
        render.lab_list(labs, sys.stdout)


BackupArg = Annotated[str, typer.Argument(help="The golden backup's id (`azguest backup list` shows them).")]
ExpiresOpt = Annotated[str | None, typer.Option(
    "--expires", help="Each lab's lifetime (1d, 8h, never); default: the backup's spec's lifetime.")]


@lab_app.command("clone")
def clone_cmd(
    backup: BackupArg,
    count: Annotated[int, typer.Option("--count", "-n", help="How many labs: <prefix>1 .. <prefix>N.")],
    prefix: Annotated[str, typer.Option("--prefix", help="Lab name prefix; lab i is <prefix><i>.")] = "student-",
    expires: ExpiresOpt = None,
    shard: Annotated[str | None, typer.Option(
        "--shard", help="I/N: only the labs i with (i-1) % N == I-1 (a CI matrix job's share; round robin).")] = None,
    parallel: Annotated[int, typer.Option(
        "--parallel", min=1, max=64, help="Labs restored at once (they share one ARM budget).")] = DEFAULT_PARALLEL,
    output: OutputOpt = OutputFormat.human, emulator: EmulatorOpt = False, endpoint: EndpointOpt = None,
    subscription: SubscriptionOpt = None, cloud: CloudOpt = None,
) -> None:
    """N isolated labs from one golden backup, in parallel: each its own group, VNet (same addresses, no
    peering, no public inbound), witness account, lab tag and expiry. A re-run finishes only the labs that
    failed (complete ones are skipped with no write); exit 5 when some failed."""
    from azguest.cli.progress import Watch
    from azguest.restore.fleet import Shard, clone_labs

    sh = Shard.parse(shard)
    resume = f"azguest lab clone {backup} --count {count} --prefix {prefix}" + (f" --shard {sh}" if shard else "") \
        + (" --emulator" if emulator else "")
    watch = Watch("lab clone", resume)

    finished: list[str] = []
    total = [0]

    def plan(names: list[str], done: dict[str, str]) -> None:
        total[0] = len(names) - len(done)
        watch.reporter.note(f"shard {sh}: {len(names)} lab(s), {len(done)} complete already, {total[0]} to clone")
        watch.begin()

    def on_event(ev) -> None:  # every event to the reporter; a finished lab also the overall count
        watch.reporter(ev)
        if ev.key.startswith("lab/") and ev.state in ("succeeded", "failed"):
            finished.append(ev.state)
            watch.reporter.note(f"labs: {finished.count('succeeded')} ready, {finished.count('failed')} failed, "
                                f"{total[0] - len(finished)} to go")

    with watch, session_for(emulator, endpoint, subscription, cloud) as session:
        watch.use_clock(session)
        record = clone_labs(session, backup, count=count, prefix=prefix, expires=expires, shard=sh,
                            parallel=parallel, on_event=on_event, stop_event=watch.stop_event, on_plan=plan)
    if output is OutputFormat.json:
        emit_json("lab clone", ok=True, result=record.to_dict())
    else:
        render.clone_record(record, sys.stdout)


@lab_app.command("rebuild")
def rebuild_cmd(
    lab: Annotated[str, typer.Argument(help="The lab to rebuild (destroyed first if it exists).")],
    from_backup: Annotated[str, typer.Option("--from", help="The backup id to restore the lab from.")],
    expires: ExpiresOpt = None, yes: YesOpt = False,
    output: OutputOpt = OutputFormat.human, emulator: EmulatorOpt = False, endpoint: EndpointOpt = None,
    subscription: SubscriptionOpt = None, cloud: CloudOpt = None,
) -> None:
    """Destroy the lab, then restore the backup into a lab of the same name (the nightly job's command).
    Every run ends with a fresh lab; a run that failed half-way is finished by the next."""
    from azguest.cli.lab_cmds import confirm
    from azguest.cli.progress import Watch
    from azguest.errors import RefusedError
    from azguest.restore.fleet import rebuild_lab

    resume = f"azguest lab rebuild {lab} --from {from_backup} --yes" + (" --emulator" if emulator else "")
    if not confirm(yes, f"Destroy lab {lab} (if it exists) and restore it from backup {from_backup}?"):
        raise RefusedError("lab rebuild was not confirmed; nothing was deleted", code="AZG-NOT-CONFIRMED")
    with Watch("lab rebuild", resume) as watch, session_for(emulator, endpoint, subscription, cloud) as session:
        watch.use_clock(session)
        watch.begin()
        record = rebuild_lab(session, lab, from_backup, expires=expires, on_event=watch.reporter,
                             stop_event=watch.stop_event)
    if output is OutputFormat.json:
        emit_json("lab rebuild", ok=True, result=record.to_dict())
    else:
        print(f"lab {lab} rebuilt from {record.backup} in {record.elapsed_s:.0f}s "
              f"({'destroyed first' if record.destroyed else 'no lab to destroy'})")


def connect_cmd(
    lab: LabArg,
    rdp_dir: Annotated[Path, typer.Option(
        "--rdp-dir", help="Where to write <vm>.rdp for each VM with a public IP (default: here).",
        file_okay=False)] = Path("."),
    spec: Annotated[Path | None, typer.Option(
        "--spec", help="The lab's spec: its NetBIOS domain makes the user DOMAIN\\user (else .\\user).")] = None,
    resource_group: GroupOpt = None,
    output: OutputOpt = OutputFormat.human, emulator: EmulatorOpt = False, endpoint: EndpointOpt = None,
    subscription: SubscriptionOpt = None, cloud: CloudOpt = None,
) -> None:
    """Per VM: role, private and public IP, admin user, and how to reach it (an .rdp file, or Bastion/JIT advice).

    Never shows or writes a password: RDP asks for it."""
    from dataclasses import replace

    from azguest.deploy.connect import lab_access, write_rdp_files

    domain = _domain_of(spec, lab) if spec is not None else None
    with session_for(emulator, endpoint, subscription, cloud) as session:
        access = lab_access(session, lab, domain=domain, resource_group=resource_group)
    access = replace(access, vms=write_rdp_files(access.vms, rdp_dir))
    if output is OutputFormat.json:
        emit_json("connect", ok=True, result=access.to_dict())
    else:
        render.connect(access, sys.stdout)


def _domain_of(spec: Path, lab: str) -> str:
    """The spec's NetBIOS domain; a spec of another lab is refused (its domain would be a guess)."""
    from azguest.errors import UsageError
    from azguest.spec import load
    from azguest.spec.loader import checked

    spec_lab = checked(load(spec, allow_public_rdp=True, allow_unknown_size=True), spec)
    if spec_lab.name != lab:
        raise UsageError(f"{spec} is the spec of lab {spec_lab.name}, not {lab}",
                         hint=f"pass lab {lab}'s own spec, or leave out --spec")
    return spec_lab.domain.netbios_name


def register(app: typer.Typer) -> None:
    app.add_typer(lab_app, name="lab")
    app.command("connect")(connect_cmd)
