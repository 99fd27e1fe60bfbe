"""Progress for long work: a live table on a terminal, plain log lines otherwise (CI logs)."""

from __future__ import annotations

import sys
import threading
import time
from typing import Any


class PlainProgress:
    """One line per state change, on stderr (stdout stays clean for --output json)."""

    def __init__(self) -> None:
        self.t0 = time.monotonic()
        self.lock = threading.Lock()

    def __call__(self, ev: Any) -> None:
        if ev.state == "started" and ev.label.startswith("no-change"):
            return
        if ev.state == "succeeded" and ev.label.startswith("no-change"):
            return
        line = f"[{time.monotonic() - self.t0:7.1f}s] {ev.state:<9} {ev.label}"
        if ev.state in ("succeeded", "failed"):
            line += f" ({ev.elapsed_s:.1f}s)"
        if ev.error is not None:
            line += f": {getattr(ev.error, 'code', type(ev.error).__name__)}"
        with self.lock:
            sys.stderr.write(line + "\n")
            sys.stderr.flush()

    def close(self) -> None:
        pass


class LiveProgress:
    """A rich live table: one row per resource with its state and elapsed time."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.live import Live

        self.rows: dict[str, list] = {}
        self.lock = threading.Lock()
        self.live = Live(self._table(), console=Console(stderr=True), refresh_per_second=4, transient=False)
        self.live.start()

    def _table(self):
        from rich.table import Table

        t = Table(show_header=True, header_style="bold", box=None)
        for col in ("resource", "state", "elapsed"):
            t.add_column(col)
        now = time.monotonic()
        for label, (state, started, elapsed) in self.rows.items():
            shown = elapsed if elapsed is not None else now - started
            style = {"failed": "red", "succeeded": "green", "skipped": "yellow"}.get(state, "cyan")
            t.add_row(label, f"[{style}]{state}[/]", f"{shown:5.1f}s")
        return t

    def __call__(self, ev: Any) -> None:
        if ev.label.startswith("no-change"):
            return
        with self.lock:
            started = self.rows.get(ev.label, [None, time.monotonic(), None])[1]
            done = ev.elapsed_s if ev.state in ("succeeded", "failed") else None
            self.rows[ev.label] = [ev.state, started, done]
            self.live.update(self._table())

    def close(self) -> None:
        self.live.stop()


def progress_for(quiet: bool = False):
    if quiet:
        return None
    return LiveProgress() if sys.stderr.isatty() else PlainProgress()
