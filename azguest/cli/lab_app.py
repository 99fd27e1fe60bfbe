"""`azguest lab list` (the labs in the subscription) and `azguest connect LAB` (how to reach each VM).

``lab`` is a sub-app so that later lab-wide commands (clone, rebuild) join ``list`` under it.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from azguest.cli import render
from azguest.cli.options import CloudOpt, EmulatorOpt, EndpointOpt, OutputOpt, SubscriptionOpt, session_for
from azguest.cli.output import OutputFormat, emit_json

lab_app = typer.Typer(name="lab", help="Labs in the subscription: list (later clone, rebuild).",
                      no_args_is_help=True, rich_markup_mode=None)


@lab_app.command("list")
def list_cmd(output: OutputOpt = OutputFormat.human, emulator: EmulatorOpt = False, endpoint: EndpointOpt = None,
             subscription: SubscriptionOpt = None, cloud: CloudOpt = None) -> None:
    """The labs azguest created here: group, location, expiry, VM count and power states."""
    from azguest.deploy.labs import list_labs

    with session_for(emulator, endpoint, subscription, cloud) as session:
        labs = list_labs(session)
    if output is OutputFormat.json:
        emit_json("lab list", ok=True, result={"labs": [x.to_dict() for x in labs]})
    else:
        render.lab_list(labs, sys.stdout)


def connect_cmd(
    lab: Annotated[str, typer.Argument(help="The lab name (its azguest-lab tag).")],
    rdp_dir: Annotated[Path, typer.Option(
        "--rdp-dir", help="Where to write <vm>.rdp for each VM with a public IP (default: here).",
        file_okay=False)] = Path("."),
    spec: Annotated[Path | None, typer.Option(
        "--spec", help="The lab's spec: its NetBIOS domain makes the user DOMAIN\\user (else .\\user).")] = None,
    resource_group: Annotated[str | None, typer.Option(
        "--resource-group", "-g", help="The lab's group, when more than one group claims the lab.")] = None,
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
