"""Options shared by many commands, declared once (Annotated types).

Target options default to None so that ``azguest.azure.resolve_target`` reads the environment
(AZGUEST_EMULATOR, AZGUEST_ARM_ENDPOINT, AZURE_SUBSCRIPTION_ID, AZGUEST_CLOUD) in one place.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from azguest.cli.output import OutputFormat

OutputOpt = Annotated[
    OutputFormat, typer.Option("--output", "-o", envvar="AZGUEST_OUTPUT", case_sensitive=False,
                               help="human (default) or json: one JSON document on stdout (docs/output.md).")
]
EmulatorOpt = Annotated[
    bool, typer.Option("--emulator", help="Use the embedded local ARM emulator (env AZGUEST_EMULATOR=1).")
]
EndpointOpt = Annotated[
    str | None, typer.Option("--endpoint", help="Custom ARM endpoint URL (env AZGUEST_ARM_ENDPOINT).")
]
SubscriptionOpt = Annotated[
    str | None, typer.Option("--subscription", help="Azure subscription id (env AZURE_SUBSCRIPTION_ID).")
]
CloudOpt = Annotated[
    str | None,
    typer.Option("--cloud", help="AzureCloud (default), AzureUSGovernment or AzureChinaCloud (env AZGUEST_CLOUD)."),
]
YesOpt = Annotated[bool, typer.Option("--yes", "-y", help="Answer yes to confirmations (for CI).")]
AllowPublicRdpOpt = Annotated[
    bool, typer.Option("--allow-public-rdp", help="Accept an allowRdpFrom wider than a /8 (e.g. 0.0.0.0/0): "
                       "RDP to the domain controller from the internet. Prefer Azure Bastion or just-in-time "
                       "VM access.")
]
AllowUnknownSizeOpt = Annotated[
    bool, typer.Option("--allow-unknown-size", help="Accept VM sizes the catalogue does not know (their limits "
                       "are not checked offline).")
]
ConcurrencyOpt = Annotated[
    int, typer.Option("--concurrency", "-j", min=1, max=64, help="Resources created in parallel.")
]
DeleteConcurrencyOpt = Annotated[
    int, typer.Option("--concurrency", "-j", min=1, max=64, help="Resources deleted in parallel.")
]

SpecArg = Annotated[Path, typer.Argument(help="The lab spec (YAML).", exists=False)]
LabArg = Annotated[str, typer.Argument(help="The lab name (its azguest-lab tag).")]
GroupOpt = Annotated[str | None, typer.Option(
    "--resource-group", "-g", help="The lab's group, when more than one group claims the lab.")]
BreakLeaseOpt = Annotated[bool, typer.Option(
    "--break-lease", help="Take the lab's lease even if another run holds it (only when that run is surely gone).")]


def session_for(emulator: bool, endpoint: str | None, subscription: str | None, cloud: str | None):
    """The one place a command turns target options into an AzureSession (imports the adaptor lazily)."""
    from azguest.azure import AzureSession, resolve_target

    target = resolve_target(emulator=True if emulator else None, endpoint=endpoint,
                            subscription=subscription, cloud=cloud)
    return AzureSession(target)
