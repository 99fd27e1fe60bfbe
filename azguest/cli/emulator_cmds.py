"""Emulator commands: ``emulator serve``, ``emulator stats``, ``emulator reset``. Thin: parse
options and call ``azguest.emulator.admin`` (imported inside the commands)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from azguest.cli.exitcodes import ExitCode
from azguest.cli.options import OutputOpt
from azguest.cli.output import OutputFormat, emit_json

emulator_app = typer.Typer(name="emulator", help="The local Azure Resource Manager emulator.",
                           no_args_is_help=True)

StateOpt = Annotated[
    Path | None,
    typer.Option("--state", help="State file (env AZGUEST_EMULATOR_STATE, default .azguest/emulator.db).",
                 dir_okay=False),
]


@emulator_app.command("serve")
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on (loopback only, unless --allow-remote).")
                    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port (0 = any free port).")] = 0,
    state: StateOpt = None,
    profile: Annotated[
        str | None, typer.Option("--profile", help="fast (the default), bench, realistic (Azure-like "
                                 "latencies) or a profile file (env AZGUEST_EMULATOR_PROFILE).")
    ] = None,
    allow_remote: Annotated[
        bool, typer.Option("--allow-remote", help="Allow a non-loopback --host. The emulator has no "
                           "authentication: anyone who can reach the address can read and change its world.")
    ] = False,
    output: OutputOpt = OutputFormat.human,
) -> int:
    """Serve ARM over HTTP. Prints the endpoint URL as the first line (with -o json: the envelope, on one
    line), then serves until Ctrl-C."""
    from azguest.emulator.admin import run_server, state_path

    path = state_path(state)

    def announce(url: str) -> None:
        if output == OutputFormat.json:
            emit_json("emulator serve", ok=True, result={"endpoint": url, "state": str(path)}, compact=True)
            return
        sys.stdout.write(url + "\n")
        sys.stdout.flush()

    run_server(host=host, port=port, state=path, profile=profile, announce=announce, allow_remote=allow_remote)
    return ExitCode.OK


@emulator_app.command("stats")
def stats(state: StateOpt = None, output: OutputOpt = OutputFormat.human) -> int:
    """Request-log counters of the emulator state: reads, writes, polls, faults, throttling."""
    from azguest.emulator.admin import read_stats, state_path

    data = read_stats(state_path(state))
    if output == OutputFormat.json:
        emit_json("emulator stats", ok=True, result=stats_json(data))
        return ExitCode.OK
    out = sys.stdout
    out.write(f"state: {data['state']} ({data['resources']} resources)\n")
    out.write(f"requests: {data['total']}  " + "  ".join(f"{k}={v}" for k, v in data["by_kind"].items()) + "\n")
    out.write(f"injected faults: {data['injected_faults']}  throttled: {data['throttled']}  "
              f"retries: {data['retries']}\n")
    for arm_type, counts in data["by_type"].items():
        detail = "  ".join(f"{k}={v}" for k, v in counts.items() if k != "total")
        out.write(f"  {arm_type}: {counts['total']}  ({detail})\n")
    return ExitCode.OK


def stats_json(data: dict) -> dict:
    """The counters with camelCase keys; maps keyed by data (ARM type, HTTP status) become lists."""
    return {
        "state": data["state"], "resources": data["resources"], "total": data["total"], "byKind": data["by_kind"],
        "byType": [{"type": t, **counts} for t, counts in data["by_type"].items()],
        "byStatus": [{"status": int(code), "count": n} for code, n in data["by_status"].items()],
        "injectedFaults": data["injected_faults"], "throttled": data["throttled"], "retries": data["retries"],
    }


@emulator_app.command("reset")
def reset(state: StateOpt = None, output: OutputOpt = OutputFormat.human) -> int:
    """Empty the emulator state (every resource, operation and counter); works on a corrupt file too."""
    from azguest.emulator.admin import reset_state, state_path

    path = state_path(state)
    reset_state(path)
    if output == OutputFormat.json:
        emit_json("emulator reset", ok=True, result={"state": str(path), "reset": True})
    else:
        sys.stdout.write(f"emulator state reset: {path}\n")
    return ExitCode.OK


@emulator_app.command("set-secret")
def set_secret(
    vault: Annotated[str, typer.Argument(help="Key Vault name (the emulator answers https://VAULT.vault.azure.net).")],
    name: Annotated[str, typer.Argument(help="Secret name.")],
    from_env: Annotated[
        str | None, typer.Option("--from-env", help="Read the value from this environment variable "
                                 "(default: the first line of standard input).")
    ] = None,
    state: StateOpt = None,
    output: OutputOpt = OutputFormat.human,
) -> int:
    """Seed a Key Vault secret for fromKeyVault specs. The value is never taken from the command line."""
    import os

    from azguest.emulator.admin import state_path
    from azguest.emulator.engine import Engine
    from azguest.errors import UsageError

    value = os.environ.get(from_env, "") if from_env else sys.stdin.readline().rstrip("\r\n")
    if not value:
        raise UsageError("no secret value given", hint="pipe it on standard input, or pass --from-env VAR")
    version = Engine(state_path=state_path(state)).set_secret(vault, name, value)
    if output == OutputFormat.json:  # never the value
        emit_json("emulator set-secret", ok=True, result={"vault": vault, "name": name, "version": version})
    else:
        sys.stdout.write(f"secret {name} set in emulated vault {vault} (version {version})\n")
    return ExitCode.OK


def register(app: typer.Typer) -> None:
    app.add_typer(emulator_app, name="emulator")
