"""The Typer application and the one top-level error handler.

Commands live one module per group and expose ``register(app)``. Nothing here imports ``azure.*``:
command modules import the heavy layers inside the command functions.
"""

from __future__ import annotations

import functools
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
    "azguest.cli.lifecycle_cmds",  # extend
    "azguest.cli.guest_cmds",  # configure
    "azguest.cli.power_cmds",  # stop, start, test
    "azguest.cli.backup_cmds",  # backup LAB, backup list/show/delete/prune
    "azguest.cli.restore_cmds",  # restore BACKUP [--into NEWLAB]
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


USAGE_CODES = (  # click's usage errors, most specific first: (exception class name, code in CLI_ERROR_CODES)
    ("MissingParameter", "AZG-USAGE-MISSING"),
    ("NoSuchOption", "AZG-USAGE-UNKNOWN-OPTION"),
    ("BadParameter", "AZG-USAGE-BAD-VALUE"),
    ("NoArgsIsHelpError", "AZG-USAGE-NO-COMMAND"),
    ("FileError", "AZG-USAGE-FILE"),
)


@functools.cache
def click_command():
    """The click command tree of ``app``, built once per process: Typer rebuilds it from every command's
    signature on each ``get_command`` (about 30 ms), and tests run the CLI in process thousands of times."""
    return typer.main.get_command(app)


def run(argv: list[str] | None = None) -> int:
    """Run the CLI and return the exit code. Every error is turned into one message here (and, when
    JSON output is asked for, into the envelope's ``error`` on stdout: usage errors included)."""
    from typer._click import exceptions as click_exc

    from azguest.cli import output
    from azguest.errors import AzguestError

    argv = list(sys.argv[1:] if argv is None else argv)
    command = click_command()
    output.reset()
    try:
        rv = command.main(args=argv, prog_name="azguest", standalone_mode=False)
        code = int(rv) if isinstance(rv, int) else ExitCode.OK
        if code == ExitCode.INTERRUPTED and not output.emitted():  # Typer turns KeyboardInterrupt into 130
            sys.stderr.write("azguest: interrupted\n")
            return _fail(argv, "AZG-INTERRUPTED", "interrupted (Ctrl-C)", code, kind="interrupted")
        if code != ExitCode.OK:  # a command that returned a failure code without an error object
            _fail(argv, "AZG-FAILED", f"{_command_name(argv) or 'azguest'} failed", code)
        return code
    except typer.Exit as e:
        if e.exit_code:
            _fail(argv, "AZG-FAILED", f"{_command_name(argv) or 'azguest'} failed", e.exit_code)
        return e.exit_code
    except typer.Abort:
        sys.stderr.write("azguest: aborted\n")
        return _fail(argv, "AZG-ABORTED", "aborted", ExitCode.INTERRUPTED, kind="interrupted")
    except BrokenPipeError:  # output piped into `head` and closed: not an error
        sys.stderr.close()
        return ExitCode.OK
    except click_exc.ClickException as e:
        e.show()
        return _usage(argv, e)
    except AzguestError as e:
        if _debug():
            import traceback

            traceback.print_exc()
        _report(e, argv)
        return KIND_TO_EXIT[e.kind]
    except KeyboardInterrupt:
        sys.stderr.write("azguest: interrupted\n")
        return _fail(argv, "AZG-INTERRUPTED", "interrupted (Ctrl-C)", ExitCode.INTERRUPTED,
                     kind="interrupted")
    except Exception as e:  # the one catch-all: a bug, shown without locals
        if _debug():
            raise
        sys.stderr.write(f"azguest: internal error: {type(e).__name__}: {e}\n")
        sys.stderr.write("  Run again with --debug for a traceback, and report it.\n")
        return _fail(argv, "AZG-INTERNAL", f"internal error: {type(e).__name__}: {e}", ExitCode.INTERNAL,
                     hint="run again with --debug for a traceback, and report it", kind="internal")


def _command_name(argv: list[str]) -> str:
    """The command path named on the command line ("plan", "emulator stats"), as far as it names one."""
    group, names = click_command(), []
    for a in argv:
        if a.startswith("-"):
            continue
        sub = getattr(group, "commands", {}).get(a)
        if sub is None:
            if getattr(group, "default_command", None):  # `backup LAB` runs `backup create LAB`
                names.append(group.default_command)
            break
        names.append(a)
        group = sub
    return " ".join(names)


def _usage(argv: list[str], e) -> int:
    """A click usage error (missing argument, unknown option, bad value) as the envelope's error."""
    names = {k.__name__ for k in type(e).__mro__}
    code = next((c for cls, c in USAGE_CODES if cls in names), "AZG-USAGE")
    extra = {}
    param = getattr(e, "param", None)
    if param is not None and getattr(param, "name", None):
        extra["param"] = (param.opts or [param.name])[0] if param.param_type_name == "option" else param.name
    if getattr(e, "option_name", None):
        extra["param"] = e.option_name
    help_cmd = " ".join(["azguest", *_command_name(argv).split(), "--help"])
    message = e.format_message()
    if code == "AZG-USAGE-NO-COMMAND" and getattr(e, "ctx", None) is not None:  # one line, not the whole help
        message = f"{e.ctx.command_path} needs a command: {', '.join(e.ctx.command.list_commands(e.ctx))}"
    return _fail(argv, code, message, ExitCode.USAGE, hint=f"see `{help_cmd}`", kind="usage", **extra)


def _fail(argv: list[str], code: str, message: str, exit_code: int, hint: str | None = None, **extra) -> int:
    """The envelope of a failure that is not an AzguestError, once, when JSON output is asked for."""
    from azguest.cli import output

    if output.json_requested(argv) and not output.emitted():
        output.emit_json(_command_name(argv), ok=False,
                         error=output.failure(code, message, exit_code, hint=hint, **extra))
    return exit_code


def _report(e, argv: list[str]) -> None:
    from azguest.cli import output

    if output.json_requested(argv) and not output.emitted():
        output.emit_json(_command_name(argv), ok=False, result=e.result, error=output.error_object(e),
                         warnings=getattr(e, "warnings", None))
    sys.stderr.write(f"azguest: error [{e.code}]: {e.message}\n")
    if e.hint:
        sys.stderr.write(f"  hint: {e.hint}\n")


def main() -> None:
    code = run()
    if "azguest.cli.progress" in sys.modules and sys.modules["azguest.cli.progress"].abandoned():
        # a second Ctrl-C left worker threads polling Azure: everything of ours is done (lease released,
        # session closed, message printed); do not let interpreter shutdown wait on them
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)
