"""Operations behind ``azguest emulator ...``: state file location, stats, reset, serving."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from azguest.emulator.profile import Profile, load_profile
from azguest.emulator.requestlog import RequestLog
from azguest.emulator.store import Store, empty_state, load_file

ENV_STATE = "AZGUEST_EMULATOR_STATE"
DEFAULT_STATE = Path(".azguest") / "emulator.db"


def state_path(explicit: Path | str | None = None) -> Path:
    return Path(explicit or os.environ.get(ENV_STATE) or DEFAULT_STATE)


def read_stats(path: Path) -> dict[str, Any]:
    """Request-log counters of a state file (zeros when it does not exist)."""
    counts = load_file(path).get("log_counts", {}) if path.exists() else {}
    summary = RequestLog.summary(counts, {})
    summary["state"] = str(path)
    summary["resources"] = len(load_file(path)["resources"]) if path.exists() else 0
    return summary


def reset_state(path: Path) -> None:
    """Replace the state with an empty world (atomically, under the lock)."""
    store = Store(path)
    with store.session():
        store.state.clear()
        store.state.update(empty_state())
        store.dirty = True


def run_server(*, host: str, port: int, state: Path | None, profile: str | None,
               announce: Callable[[str], None]) -> None:
    """Serve until KeyboardInterrupt; ``announce(url)`` is called once the socket is bound."""
    from azguest.emulator.engine import Engine
    from azguest.emulator.server import make_server

    prof = load_profile(profile) if profile else Profile.from_env(default="realistic")
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
