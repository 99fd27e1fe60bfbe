"""Mistakes and attacks on the spec: RDP opened to the internet, a password pasted where a variable
name belongs, a "spec" that never ends (/dev/zero). Each is refused offline, without echoing a secret."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from azguest.cli.exitcodes import ExitCode
from azguest.cli.main import run
from azguest.errors import ConfigError
from azguest.spec import load, load_text, resolve_password
from tests.spec.conftest import base_text, mutate

PASTED = "Sup3r-Secret!Pasted"  # what a user pastes by mistake
RDP = "  allowRdpFrom: []"


def _rdp(*cidrs: str, allow: bool = False):
    text = mutate(base_text("s2d"), [(RDP, f"  allowRdpFrom: [{', '.join(cidrs)}]")])
    return load_text(text, filename="lab.yaml", allow_public_rdp=allow)


def _codes(result, severity: str) -> list[str]:
    return [f.code for f in result.findings if f.severity == severity]


@pytest.mark.parametrize("cidrs", [("0.0.0.0/0",), ("0.0.0.0/1", "128.0.0.0/1"),
                                   ("1.0.0.0/8", "2.0.0.0/8"), ("0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/2")])
def test_rdp_wider_than_a_slash8_together__is_an_error(cidrs):
    result = _rdp(*cidrs)
    assert result.lab is None and "AZG-NET-RDP-OPEN" in _codes(result, "error")
    assert "--allow-public-rdp" in next(f.message for f in result.findings if f.code == "AZG-NET-RDP-OPEN")


@pytest.mark.parametrize("cidrs", [("0.0.0.0/0",), ("0.0.0.0/1", "128.0.0.0/1")])
def test_rdp_wide__with_allow_public_rdp_is_a_warning_naming_bastion(cidrs):
    result = _rdp(*cidrs, allow=True)
    assert result.lab is not None and "AZG-NET-RDP-OPEN" in _codes(result, "warning")
    msg = next(f.message for f in result.findings if f.code == "AZG-NET-RDP-OPEN")
    assert "Bastion" in msg and "just-in-time" in msg


@pytest.mark.parametrize("cidrs", [("203.0.113.7/32",), ("10.0.0.0/8",), ("10.0.0.0/8", "10.1.0.0/16", "10.0.0.0/9")])
def test_rdp_up_to_a_slash8__overlaps_counted_once__is_fine(cidrs):
    result = _rdp(*cidrs)
    assert result.lab is not None and "AZG-NET-RDP-OPEN" not in [f.code for f in result.findings]


def test_cli_validate__allow_public_rdp_flag(write_spec, capsys):
    spec = write_spec(mutate(base_text("s2d"), [(RDP, "  allowRdpFrom: [0.0.0.0/1, 128.0.0.0/1]")]))
    assert run(["validate", str(spec)]) == ExitCode.SPEC_INVALID
    assert "AZG-NET-RDP-OPEN" in capsys.readouterr().out
    assert run(["validate", str(spec), "--allow-public-rdp"]) == ExitCode.OK
    assert "warning [AZG-NET-RDP-OPEN]" in capsys.readouterr().out


# --- a password pasted as fromEnv ---------------------------------------------------------------
@pytest.mark.parametrize("pasted", [PASTED, "Summer2024_Secure", "p@ss w0rd Secret"])
def test_pasted_password_in_from_env__refused_and_never_echoed(write_spec, capsys, pasted):
    text = mutate(base_text("s2d"), [("{fromEnv: AZGUEST_ADMIN_PASSWORD}", json.dumps({"fromEnv": pasted}))])
    spec = write_spec(text)
    codes = {f.code for f in load(spec).findings}
    assert codes & {"AZG-SECRET-ENV-NAME", "AZG-SECRET-ENV-PASSWORD"}
    for args in (["validate", str(spec)], ["validate", str(spec), "-o", "json"],
                 ["validate", str(spec), "--show-defaults"], ["validate", str(spec), "--strict", "-o", "json"]):
        assert run(args) == ExitCode.SPEC_INVALID
        out = capsys.readouterr()
        assert pasted not in out.out + out.err


def test_from_env_name_that_is_no_variable_name__resolve_never_echoes(tmp_path):
    # even if a caller skips validation, the runtime error does not quote the string
    text = mutate(base_text("s2d"), [("{fromEnv: AZGUEST_ADMIN_PASSWORD}", "{fromEnv: Summer2024_Secure}")])
    result = load_text(text)
    assert result.lab is None and [f.code for f in result.errors] == ["AZG-SECRET-ENV-PASSWORD"]
    # a caller that skips validation (a Lab built in code) still gets no echo
    lab = load_text(base_text("s2d")).lab.model_copy(update={"admin": _admin("Summer2024_Secure")})
    with pytest.raises(ConfigError) as e:
        resolve_password(lab, env={})
    assert e.value.code == "AZG-SECRET-ENV" and "Summer2024_Secure" not in json.dumps(e.value.to_dict())
    plain = load_text(base_text("s2d")).lab
    with pytest.raises(ConfigError) as e:
        resolve_password(plain, env={})
    assert "AZGUEST_ADMIN_PASSWORD" in e.value.message  # an ordinary name is still named


def test_key_vault_reference__read_through_the_callable_and_checked():
    text = mutate(base_text("s2d"), [("{fromEnv: AZGUEST_ADMIN_PASSWORD}",
                                      "{fromKeyVault: {vault: kv-lab, secret: admin-pw}}")])
    lab = load_text(text).lab
    asked = []

    def reader(vault: str, name: str) -> str:
        asked.append((vault, name))
        return "Fr0m-The-Vault!"

    assert resolve_password(lab, key_vault=reader) == "Fr0m-The-Vault!" and asked == [("kv-lab", "admin-pw")]
    with pytest.raises(ConfigError) as e:
        resolve_password(lab, key_vault=lambda v, s: "weak")
    assert e.value.code == "AZG-SECRET-WEAK" and "weak" not in e.value.message


def _admin(from_env: str):
    from azguest.spec.models import Admin, PasswordRef

    return Admin(password=PasswordRef(fromEnv=from_env))


# --- size limit: at most the limit plus one byte is read -----------------------------------------
_LIMITED = """
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))  # 1 GiB: reading it all would fail
from azguest.cli.main import run
code = run(["validate", sys.argv[1], "-o", "json"])
sys.stdout.flush()
sys.exit(code)
"""


def _validate_limited(path: str) -> tuple[int, dict]:
    """``azguest validate PATH -o json`` in a process that may use at most 1 GiB of address space."""
    root = Path(__file__).parents[2]
    proc = subprocess.run([sys.executable, "-c", _LIMITED, path], capture_output=True, text=True, timeout=120,
                          cwd=root, env={**os.environ, "PYTHONPATH": str(root)})
    assert proc.stdout.strip(), proc.stderr[-800:]
    return proc.returncode, json.loads(proc.stdout)


def _assert_refused_as_too_big(code: int, doc: dict) -> None:
    assert code == ExitCode.SPEC_INVALID
    [finding] = doc["result"]["findings"]
    assert finding["code"] == "AZG-SPEC-FILE" and "MiB" in finding["message"]


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_validate_dev_zero__refused_without_reading_it_all():
    _assert_refused_as_too_big(*_validate_limited("/dev/zero"))


def test_validate_huge_file__refused_without_reading_it_all(tmp_path):
    big = tmp_path / "huge.yaml"
    with big.open("wb") as f:  # sparse: 8 GiB on paper, nothing on disk
        f.write(b"name: x\n")
        f.truncate(8 << 30)
    _assert_refused_as_too_big(*_validate_limited(str(big)))
