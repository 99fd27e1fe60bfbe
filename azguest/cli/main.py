"""The Typer application and the one top-level error handler.

Commands live one module per group and expose ``register(app)``. Nothing here imports ``azure.*``:
command modules import the heavy layers inside the command functions.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Annotated

import typer

from azguest import __version__
from azguest.cli.exitcodes import KIND_TO_EXIT, ExitCode

COMMAND_MODULES = (
    "azguest.cli.spec_cmds",  # validate, schema, init
    "azguest.cli.lab_cmds",  # plan, deploy, status, destroy, gc
    "azguest.cli.lab_app",  # lab list, connect
    "azguest.cli.emulator_cmds",  # emulator serve / stats / reset
)

app = typer.Typer(
    name="azguest",
    help="Build, back up and rebuild Windows Server Hyper-V guest clusters on Azure.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        print(f"azguest {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    debug: Annotated[bool, typer.Option("--debug", envvar="AZGUEST_DEBUG", help="Show tracebacks.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    if debug:
        os.environ["AZGUEST_DEBUG"] = "1"


for _name in COMMAND_MODULES:
    importlib.import_module(_name).register(app)


def _debug() -> bool:
    return os.environ.get("AZGUEST_DEBUG", "") not in ("", "0", "false") or "--debug" in sys.argv


def _json_requested(argv: list[str]) -> bool:
    for i, a in enumerate(argv):
        if a in ("--output=json", "-ojson") or (a in ("--output", "-o") and argv[i + 1 : i + 2] == ["json"]):
            return True
    return False


def run(argv: list[str] | None = None) -> int:
    """Run the CLI and return the exit code. Every error is turned into one message here."""
    from typer._click import exceptions as click_exc

    from azguest.errors import AzguestError

    argv = list(sys.argv[1:] if argv is None else argv)
    command = typer.main.get_command(app)
    try:
        rv = command.main(args=argv, prog_name="azguest", standalone_mode=False)
        return int(rv) if isinstance(rv, int) else ExitCode.OK
    except typer.Exit as e:
        return e.exit_code
    except typer.Abort:
        sys.stderr.write("azguest: aborted\n")
        return ExitCode.INTERRUPTED
    except BrokenPipeError:  # output piped into `head` and closed: not an error
        sys.stderr.close()
        return ExitCode.OK
    except click_exc.ClickException as e:
        e.show()
        return ExitCode.USAGE
    except AzguestError as e:
        if _debug():
            import traceback

            traceback.print_exc()
        _report(e, argv)
        return KIND_TO_EXIT[e.kind]
    except KeyboardInterrupt:
        sys.stderr.write("azguest: interrupted\n")
        return ExitCode.INTERRUPTED
    except Exception as e:  # the one catch-all: a bug, shown without locals
        if _debug():
            raise
        sys.stderr.write(f"azguest: internal error: {type(e).__name__}: {e}\n")
        sys.stderr.write("  Run again with --debug for a traceback, and report it.\n")
        return ExitCode.INTERNAL


def _report(e, argv: list[str]) -> None:
    from azguest.cli.output import emit_json

    if _json_requested(argv):
        cmd = next((a for a in argv if not a.startswith("-")), "")
        emit_json(cmd, ok=False, result=e.result, error=e.to_dict(), warnings=getattr(e, "warnings", None))
    sys.stderr.write(f"azguest: error [{e.code}]: {e.message}\n")
    if e.hint:
        sys.stderr.write(f"  hint: {e.hint}\n")


def main() -> None:
    sys.exit(run())
