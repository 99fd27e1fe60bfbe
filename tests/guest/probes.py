"""Which guest step ran on which VM, and when, read back from the emulator (tests' helper, no fixtures).

A managed run command is a PUT of ``.../runCommands/<step>-<nonce8>``: its step is in its name. An action Run
Command is a POST of ``.../virtualMachines/<vm>/runCommand``: its step is the one its script declares (``#
azguest-step: <id>``), read from the emulator's record of that POST's operation (``state["operations"]``: the
script while it runs, the step once it ended; kept a day of emulated time). Each accepted POST made exactly one
operation on its VM, in order, so the VM's last N run-command operations are its N accepted POSTs in the log.
"""

from __future__ import annotations

from azguest.emulator.guest import parse_step_id


def _actions_by_vm(engine) -> dict[str, list[dict]]:
    """VM name (lower) -> its action Run Command operations, oldest first."""
    out: dict[str, list[dict]] = {}
    for op in engine.store.state["operations"].values():
        if op["operation"] == "runcommand":
            out.setdefault(op["resource_id"].rsplit("/", 1)[1].lower(), []).append(op)
    return out


def step_runs(engine, step: str) -> list[tuple[int, str]]:
    """(log index, VM name) of every accepted run of ``step``: its managed run command's PUT, or its action Run
    Command's POST."""
    posts: dict[str, list[int]] = {}
    out = []
    for i, e in enumerate(engine.request_log):
        parts = e.path.rstrip("/").split("/")
        if e.status >= 300:
            continue
        if e.method == "PUT" and "runCommands" in parts and parts[-1].rsplit("-", 1)[0] == step:
            out.append((i, parts[parts.index("runCommands") - 1]))
        elif e.method == "POST" and parts[-1] == "runCommand":
            posts.setdefault(parts[-2], []).append(i)
    ops = _actions_by_vm(engine)
    for vm, indexes in posts.items():
        mine = ops.get(vm.lower(), [])
        assert len(mine) >= len(indexes), f"{vm}: {len(indexes)} runCommand POSTs, {len(mine)} operations kept"
        for i, op in zip(indexes, mine[len(mine) - len(indexes):], strict=True):
            if op["args"].get("step", parse_step_id(op["args"].get("script"))) == step:  # ended / still running
                out.append((i, vm))
    return sorted(out)
