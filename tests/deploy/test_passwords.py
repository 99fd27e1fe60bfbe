"""The admin password as a user meets it: a prompt in a terminal, a clear error without one, never echoed.

The prompt is driven two ways: injected (``is_terminal`` and the hidden reader of azguest.cli.prompts) for
the order of questions, and once through a real pseudo-terminal for what the user sees.
"""

from __future__ import annotations

import json
import os
import select
import time
from pathlib import Path

import pytest

from azguest.cli import lab_cmds, prompts
from azguest.cli.exitcodes import ExitCode
from azguest.cli.main import run
from azguest.emulator import Engine
from azguest.errors import ConfigError
from tests import forkserver
from tests.deploy.conftest import EXAMPLES, PASSWORD, cli_deployed

SPEC = str(EXAMPLES / "s2d-2node.yaml")  # admin.password: {fromEnv: AZGUEST_ADMIN_PASSWORD}
VAR = "AZGUEST_ADMIN_PASSWORD"


@pytest.fixture
def unset(emulated, monkeypatch):
    """The persisted emulator of conftest, with the password variable unset."""
    monkeypatch.delenv(VAR, raising=False)
    return emulated


def _writes(state) -> int:
    return Engine(state_path=state).stats()["by_kind"]["write"] if state.exists() else 0


@pytest.mark.parametrize("args", [[], ["--yes"], ["-o", "json"]])
def test_no_terminal_and_variable_unset__fails_at_once_naming_it_before_any_question_or_write(
        unset, capsys, args):
    assert run(["deploy", SPEC, *args]) == ExitCode.USAGE
    out = capsys.readouterr()
    assert "AZG-SECRET-ENV" in out.err and VAR in out.err and "no terminal" in out.err
    assert "needs confirmation" not in out.err and "Apply these changes" not in out.err
    if "json" in args:
        assert json.loads(out.out)["error"]["code"] == "AZG-SECRET-ENV"
    assert _writes(unset) == 0


def test_terminal_and_variable_unset__prompts_twice_before_the_confirmation(unset, monkeypatch, capsys):
    asked: list[str] = []

    def read(question: str) -> str:
        asked.append(question)
        return PASSWORD

    def confirm(yes: bool, question: str) -> bool:
        asked.append(question)
        return True

    monkeypatch.setattr(prompts, "is_terminal", lambda: True)
    monkeypatch.setattr(prompts, "_read_hidden", read)
    monkeypatch.setattr(lab_cmds, "confirm", confirm)
    assert run(["deploy", SPEC, "-o", "json"]) == 0
    out = capsys.readouterr()
    assert asked == [f"Admin password for labadmin@hv-s2d ({VAR} is not set)", "Repeat it to confirm",
                     "Apply these changes to lab hv-s2d?"]
    assert json.loads(out.out)["ok"] and PASSWORD not in out.out + out.err


def test_unchanged_lab__asks_no_password(unset, monkeypatch, capsys):
    monkeypatch.setenv(VAR, PASSWORD)
    cli_deployed(unset, SPEC)  # the lab as `azguest deploy --yes` left it (once per process, then a copy)
    monkeypatch.delenv(VAR)
    assert run(["deploy", SPEC]) == 0  # no terminal, no variable: nothing to create, nothing asked
    assert "no changes" in capsys.readouterr().out


def test_prompt__refused_and_differing_entries_are_asked_again_and_never_echoed():
    entries = iter(["short", "Good-Pa55word!", "Other-Pa55word!", "Good-Pa55word!", "Good-Pa55word!"])
    said: list[str] = []
    ask = prompts.password_prompt("azureadmin", terminal=lambda: True, read=lambda q: next(entries),
                                  say=said.append)
    assert ask("Admin password for azureadmin@lab") == "Good-Pa55word!"
    assert len(said) == 2 and "Azure refuses" in said[0] and "differ" in said[1]
    assert not any(secret in line for line in said for secret in ("short", "Good-Pa55word!", "Other-Pa55"))


def test_prompt__gives_up_after_three_attempts_and_is_none_without_a_terminal():
    assert prompts.password_prompt("azureadmin", terminal=lambda: False) is None
    entries = iter(["Good-Pa55word!", "Other-Pa55word!"] * 3)
    ask = prompts.password_prompt("azureadmin", terminal=lambda: True, read=lambda q: next(entries),
                                  say=lambda line: None)
    with pytest.raises(ConfigError) as e:
        ask("Admin password")
    assert e.value.code == "AZG-SECRET-PROMPT" and "Pa55" not in json.dumps(e.value.to_dict())


# --- a real pseudo-terminal ----------------------------------------------------------------------
def _expect(fd: int, seen: bytearray, text: bytes, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while text not in seen:
        left = deadline - time.monotonic()
        ready, _, _ = select.select([fd], [], [], max(left, 0))
        if not ready:
            raise AssertionError(f"{text!r} not seen; got {bytes(seen)[-600:]!r}")
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: the child closed the terminal
            chunk = b""
        if not chunk:
            raise AssertionError(f"{text!r} not seen before exit; got {bytes(seen)[-600:]!r}")
        seen += chunk


def _drain(fd: int, seen: bytearray) -> None:
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            return
        if not chunk:
            return
        seen += chunk


@pytest.fixture(scope="session")
def cli_server():
    """`python -m azguest` children forked from a process that has imported the CLI and the SDK."""
    with forkserver.shared(forkserver.CLI_PRELOAD) as server:
        yield server


@pytest.mark.slow
def test_deploy_in_a_terminal__hidden_prompt_with_confirmation_then_the_question(unset, cli_server):
    env = {k: v for k, v in os.environ.items() if k != VAR}
    env.update(TERM="dumb", COLUMNS="120", PYTHONUNBUFFERED="1")
    fd, slave = os.openpty()  # the child: azguest on the terminal (its controlling terminal, as pty.fork makes it)
    proc = cli_server.popen(["-m", "azguest", "deploy", SPEC], env=env, cwd=Path.cwd(), tty=os.ttyname(slave))
    seen = bytearray()
    try:
        _expect(fd, seen, b"is not set): ")
        os.close(slave)  # the child has the terminal open: once it exits, reading it ends (EIO)
        slave = None
        os.write(fd, PASSWORD.encode() + b"\r")
        _expect(fd, seen, b"Repeat it to confirm: ")
        os.write(fd, PASSWORD.encode() + b"\r")
        _expect(fd, seen, b"[y/N]: ")
        os.write(fd, b"y\r")
        _drain(fd, seen)
    finally:
        if slave is not None:
            os.close(slave)
        code = proc.wait(timeout=60)
        os.close(fd)
    text = seen.decode(errors="replace")
    assert code == 0, text[-1500:]
    assert f"Admin password for labadmin@hv-s2d ({VAR} is not set): " in text
    assert ": :" not in text and PASSWORD not in text
    assert text.index("Repeat it to confirm") < text.index("Apply these changes to lab hv-s2d?")
    assert _writes(unset) > 0
