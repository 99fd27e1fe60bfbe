"""A static checker for the guest PowerShell (no Windows runs here): tree-sitter-powershell parses each script, and
the cmdlets it calls and the named parameters it passes are looked up in the Windows Server 2022 / PowerShell 5.1
reference (azguest.catalog.cmdlets). Each check returns a list of problems, "line N: ..." strings, empty when clean.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from tree_sitter import Language, Node, Parser

from azguest.catalog.cmdlets import COMMON_ALIASES_51, COMMON_PARAMETERS_51, Reference

VERB_NOUN = re.compile(r"^[A-Za-z]+-[A-Za-z0-9]+$")
SHOULD_PROCESS = ("Confirm", "WhatIf")  # only where the cmdlet supports ShouldProcess, i.e. the reference lists them
# Calls that reboot the guest, prompt for input, or wait on a human: never in a guest step.
FORBIDDEN_COMMANDS = {"restart-computer": "reboots its own VM", "stop-computer": "shuts its own VM down",
                      "read-host": "prompts", "get-credential": "prompts", "shutdown.exe": "reboots its own VM",
                      "shutdown": "reboots its own VM", "pause": "prompts"}
FORBIDDEN_PARAMETERS = {"restart": "reboots its own VM"}  # Install-WindowsFeature -Restart, Add-Computer -Restart
# Cmdlets that prompt unless told not to (-Force / -Confirm:$false; a prompting script is not supported by Run
# Command [ACD windows/run-command.md]), and Install-ADDSForest's reboot.
MUST_PASS = {"install-addsforest": ("Force", "NoRebootOnCompletion"), "add-computer": ("Force",),
             "stop-cluster": ("Force",), "enable-clusterstoragespacesdirect": ("Confirm",),
             "clear-disk": ("Confirm",), "format-volume": ("Confirm",), "initialize-disk": ("Confirm",),
             "unregister-scheduledtask": ("Confirm",), "remove-item": ("Force",)}


@cache
def _parser() -> Parser:
    import tree_sitter_powershell

    return Parser(Language(tree_sitter_powershell.language()))


@dataclass(frozen=True)
class Script:
    text: str
    src: bytes
    root: Node

    def of(self, node: Node) -> str:
        return self.src[node.start_byte:node.end_byte].decode("utf-8")


def parse(text: str) -> Script:
    src = text.encode("utf-8")
    return Script(text, src, _parser().parse(src).root_node)


def walk(node: Node) -> Iterator[Node]:
    yield node
    for child in node.children:
        yield from walk(child)


def _line(node: Node) -> str:
    return f"line {node.start_point[0] + 1}"


def syntax_errors(s: Script) -> list[str]:
    """ERROR and MISSING nodes: what the grammar could not parse."""
    return [f"{_line(n)}: {'missing ' + n.type if n.is_missing else 'cannot parse'} {s.of(n)[:60]!r}"
            for n in walk(s.root) if n.type == "ERROR" or n.is_missing]


@dataclass(frozen=True)
class Call:
    name: str
    parameters: tuple[str, ...]  # named parameters as written, without the dash
    splatted: bool
    line: str
    node: Node


def calls(s: Script) -> list[Call]:
    """Every command called by name (not `& $scriptblock`)."""
    out = []
    for n in walk(s.root):
        if n.type != "command":
            continue
        name = next((c for c in n.children if c.type == "command_name"), None)
        if name is None:
            continue
        elements = next((c for c in n.children if c.type == "command_elements"), None)
        params, splat = [], False
        for e in walk(elements) if elements is not None else ():
            if e.type == "command_parameter" and e.parent == elements:
                params.append(s.of(e).lstrip("-").rstrip(":"))
            elif e.type == "variable" and s.of(e).startswith("@"):
                splat = True
        out.append(Call(s.of(name), tuple(params), splat, _line(n), n))
    return out


def _param_names(block: Node | None, s: Script) -> tuple[str, ...]:
    if block is None:
        return ()
    return tuple(s.of(v)[1:] for p in walk(block) if p.type == "script_parameter"
                 for v in p.children if v.type == "variable")


def top_param_block(s: Script) -> Node | None:
    return next((c for c in s.root.children if c.type == "param_block"), None)


def param_names(s: Script) -> tuple[str, ...]:
    """The names the script's own param() block declares."""
    return _param_names(top_param_block(s), s)


def functions(s: Script) -> dict[str, tuple[str, ...]]:
    """The script's own functions (lower-case name) and the parameters each declares."""
    out = {}
    for n in walk(s.root):
        if n.type == "function_statement":
            name = next(c for c in n.children if c.type == "function_name")
            body = next((c for c in n.children if c.type == "script_block"), None)
            block = next((c for c in body.children if c.type == "param_block"), None) if body else None
            out[s.of(name).lower()] = _param_names(block, s)
    return out


def _resolve(written: str, names: list[str], aliases: dict[str, str]) -> tuple[str | None, str]:
    """The parameter a written name binds to (exact, alias, or unambiguous prefix, as PowerShell binds)."""
    low = written.lower()
    by_low = {n.lower(): n for n in names} | {a.lower(): p for a, p in aliases.items()}
    if low in by_low:
        return by_low[low], ""
    hits = {p for k, p in by_low.items() if k.startswith(low)}
    if len(hits) == 1:
        return hits.pop(), ""
    return None, ("ambiguous: " + ", ".join(sorted(hits))) if hits else "unknown"


def _signature(c: Call, own: dict[str, tuple[str, ...]], ref: Reference):
    """(parameter names, aliases, parameter sets) a call binds against; None when the command is unknown, and
    ((), {}, ()) for an external program (``powershell.exe``)."""
    low = c.name.lower()
    if low in own:
        return list(own[low]), {}, ()
    cmdlet = ref.lookup(c.name)
    if cmdlet is None:
        return ([], {}, ()) if low.endswith(".exe") and not VERB_NOUN.match(c.name) else None
    return ([*cmdlet.parameters, *COMMON_PARAMETERS_51], {**cmdlet.aliases, **COMMON_ALIASES_51},
            cmdlet.parameter_sets)


def check_calls(s: Script, ref: Reference) -> list[str]:
    """Every command exists (the reference, a documented alias or the script's own function) and every named
    parameter it is passed exists for it; the named parameters of one call fit one documented parameter set."""
    own = functions(s)
    problems = []
    for c in calls(s):
        signature = _signature(c, own, ref)
        if signature is None:
            problems.append(f"{c.line}: unknown command {c.name!r} (not in Windows Server 2022 / PowerShell 5.1)")
            continue
        names, aliases, sets = signature
        if not names and c.name.lower().endswith(".exe"):
            continue
        bound = []
        for p in c.parameters:
            target, why = _resolve(p, names, aliases)
            if target is None:
                problems.append(f"{c.line}: {c.name} has no parameter -{p} ({why})")
            else:
                bound.append(target)
        own_named = {b for b in bound if b not in COMMON_PARAMETERS_51 and b not in SHOULD_PROCESS}
        if sets and own_named and not any(own_named <= ps for ps in sets):
            problems.append(f"{c.line}: {c.name}: no parameter set takes -{' -'.join(sorted(own_named))} together")
    return problems


def check_safety(s: Script) -> list[str]:
    """No reboot of its own VM, no prompt; cmdlets that prompt are told not to; no Mandatory parameter."""
    problems = []
    for c in calls(s):
        low = c.name.lower()
        if low in FORBIDDEN_COMMANDS:
            problems.append(f"{c.line}: {c.name} {FORBIDDEN_COMMANDS[low]}")
        for p in c.parameters:
            if p.lower() in FORBIDDEN_PARAMETERS:
                problems.append(f"{c.line}: {c.name} -{p} {FORBIDDEN_PARAMETERS[p.lower()]}")
        given = {p.lower() for p in c.parameters}
        for needed in MUST_PASS.get(low, ()):
            if needed.lower() not in given:
                problems.append(f"{c.line}: {c.name} without -{needed}")
    block = top_param_block(s)
    if block is not None and "mandatory" in s.of(block).lower():
        problems.append(f"{_line(block)}: a Mandatory parameter prompts when its value is missing")
    return problems


def _is_json_line(s: Script, stmt: Node) -> bool:
    """``Write-Output (<x> | ConvertTo-Json -Compress ...)``."""
    cs = [c for c in calls(s) if stmt.start_byte <= c.node.start_byte < stmt.end_byte]
    return stmt.type == "pipeline" and bool(cs) and cs[0].node.start_byte == stmt.start_byte \
        and cs[0].name.lower() == "write-output" and any(
        c.name.lower() == "convertto-json" and "compress" in {p.lower() for p in c.parameters} for c in cs[1:])


def _ends_script(s: Script, stmt: Node) -> bool:
    """``if (...) { throw ... }`` / ``exit N``: what may follow the JSON line (a failed validation, for one)."""
    text = s.of(stmt).strip()
    if stmt.type == "flow_control_statement":
        return text.startswith(("exit", "throw"))
    if stmt.type == "if_statement":
        blocks = [b for b in stmt.children if b.type == "statement_block"]
        return all(all(st.type == "flow_control_statement" for st in _statements(b)) for b in blocks)
    return False


def _statements(node: Node) -> list[Node]:
    body = next((c for c in node.children if c.type == "statement_list"), None)
    return [c for c in body.children if c.type != "comment"] if body is not None else []


def check_output(s: Script) -> list[str]:
    """Exactly one JSON line: one top-level ``Write-Output (... | ConvertTo-Json -Compress)``, written last
    (only a throw or exit may follow it), and no JSON written to the output anywhere else."""
    top = _statements(s.root)
    json_lines = [st for st in top if _is_json_line(s, st)]
    nested = [c for c in calls(s) if c.name.lower() == "write-output" and not any(
        st.start_byte <= c.node.start_byte < st.end_byte for st in json_lines)
        and any(d.type == "command" and s.of(d).lower().startswith("convertto-json") for d in walk(c.node))]
    problems = [f"{c.line}: another JSON line written" for c in nested]
    if len(json_lines) != 1:
        return [*problems, f"{len(json_lines)} top-level JSON lines (Write-Output (... | ConvertTo-Json -Compress))"]
    after = top[top.index(json_lines[0]) + 1:]
    problems += [f"{_line(st)}: a statement after the JSON line" for st in after if not _ends_script(s, st)]
    return problems


# Where a protected parameter's value may go: into a SecureString, the scheduled task's logon, the cloud witness,
# the domain-admin helper; or into a redaction (.Replace(secret, ...)) or an emptiness test. Nowhere else.
SECRET_SINKS = {("convertto-securestring", "string"), ("register-scheduledtask", "password"),
                ("set-clusterquorum", "accesskey"), ("invoke-asdomainadmin", "password")}
SECRET_METHODS = {"replace", "isnullorempty"}


def _secret_use_ok(s: Script, var: Node) -> bool:
    node = var
    while node.parent is not None:
        parent = node.parent
        if parent.type == "param_block":
            return True
        if parent.type == "argument_list":
            member = parent.prev_named_sibling
            return member is not None and member.type == "member_name" and s.of(member).lower() in SECRET_METHODS
        if parent.type == "command_elements":
            before = [c for c in parent.children[:parent.children.index(node)] if c.type != "command_argument_sep"]
            command = parent.parent
            name = next((c for c in command.children if c.type == "command_name"), None)
            if not before or before[-1].type != "command_parameter" or name is None:
                return False
            return (s.of(name).lower(), s.of(before[-1]).lstrip("-").rstrip(":").lower()) in SECRET_SINKS
        if parent.type in ("expandable_string_literal", "assignment_expression"):
            return False
        node = parent
    return False


def check_secrets(s: Script, protected: tuple[str, ...]) -> list[str]:
    """Each use of a protected parameter is one of its sinks (never output, a string, a log line, a variable)."""
    names = {f"${p}".lower() for p in protected}
    return [f"{_line(v)}: the protected {s.of(v)} is used outside its sinks: {s.of(v.parent)[:60]!r}"
            for v in walk(s.root) if v.type == "variable" and s.of(v).lower() in names and not _secret_use_ok(s, v)]


def unused_parameters(s: Script) -> list[str]:
    """Parameters the param() block declares that the script never reads (a contract the script ignores)."""
    block = top_param_block(s)
    body = s.text[block.end_byte:] if block is not None else s.text
    return [p for p in param_names(s) if not re.search(rf"\${p}\b", body, re.I)]
