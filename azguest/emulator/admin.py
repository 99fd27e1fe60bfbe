"""Operations behind ``azguest emulator ...``: state file location, stats, reset, serving."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from azguest.emulator.profile import Profile, load_profile
from azguest.emulator.requestlog import RequestLog
from azguest.emulator.store import Store, empty_state, load_file
from azguest.errors import ConfigError

ENV_STATE = "AZGUEST_EMULATOR_STATE"
DEFAULT_STATE = Path(".azguest") / "emulator.db"


def state_path(explicit: Path | str | None = None) -> Path:
    return Path(explicit or os.environ.get(ENV_STATE) or DEFAULT_STATE)


def read_stats(path: Path) -> dict[str, Any]:
    """Request-log counters of a state file (zeros when it does not exist)."""
    state = load_file(path) if path.exists() else empty_state()  # StateFileError names the file
    summary = RequestLog.summary(state.get("log_counts", {}), {})
    summary["state"] = str(path)
    summary["resources"] = len(state["resources"])
    return summary


def reset_state(path: Path) -> None:
    """Replace the state with an empty world (atomically, under the lock), whatever the file holds."""
    Store(path, load=False).reset()


def check_bind_host(host: str, allow_remote: bool) -> None:
    """The emulator has no authentication: it listens only on loopback unless told otherwise."""
    if allow_remote or _is_loopback(host):
        return
    raise ConfigError(f"refusing to serve the emulator on {host!r}: it has no authentication, so anyone who "
                      "can reach that address could read and change the emulated world",
                      hint="use --host 127.0.0.1 (the default), or add --allow-remote if you mean it")


def _is_loopback(host: str) -> bool:
    import ipaddress

    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def run_server(*, host: str, port: int, state: Path | None, profile: str | None,
               announce: Callable[[str], None], allow_remote: bool = False) -> None:
    """Serve until KeyboardInterrupt; ``announce(url)`` is called once the socket is bound."""
    from azguest.emulator.engine import Engine
    from azguest.emulator.server import make_server

    check_bind_host(host, allow_remote)
    prof = load_profile(profile) if profile else Profile.from_env()
    engine = Engine(state_path=state, profile=prof)
    server = make_server(engine, host, port)
    announce(server.url)
    _stop_on_sigterm()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.httpd.server_close()
        engine.flush()


def _stop_on_sigterm() -> None:
    """SIGTERM stops the server like Ctrl-C (state is flushed either way)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return

    def _raise(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _raise)
