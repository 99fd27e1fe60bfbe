"""Options shared by many commands, declared once (Annotated types)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from azguest.cli.output import OutputFormat

OutputOpt = Annotated[
    OutputFormat, typer.Option("--output", "-o", help="human (default) or json for CI.", case_sensitive=False)
]
EmulatorOpt = Annotated[
    bool,
    typer.Option("--emulator", envvar="AZGUEST_EMULATOR", help="Use the embedded local ARM emulator (no subscription)."),
]
EndpointOpt = Annotated[
    Optional[str],
    typer.Option("--endpoint", envvar="AZGUEST_ARM_ENDPOINT", help="Custom ARM endpoint URL (e.g. a running emulator)."),
]
SubscriptionOpt = Annotated[
    Optional[str], typer.Option("--subscription", envvar="AZURE_SUBSCRIPTION_ID", help="Azure subscription id.")
]
CloudOpt = Annotated[
    str,
    typer.Option(
        "--cloud", envvar="AZGUEST_CLOUD", help="AzureCloud, AzureUSGovernment or AzureChinaCloud."
    ),
]
YesOpt = Annotated[bool, typer.Option("--yes", "-y", help="Answer yes to confirmations (for CI).")]
