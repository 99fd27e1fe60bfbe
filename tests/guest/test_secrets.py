"""A canary admin password and a canary storage key appear nowhere but in protectedParameters: not in
script text, parameters, tags, output, logs, records, the plan, or the emulator's state and request log."""

from __future__ import annotations

import json
import logging

from azguest.guest.commands import Secrets, run_command_body
from azguest.guest.configure import configure, plan_guest
from azguest.guest.graph import step_graph

CANARY_PASSWORD = "Canary-Pw-7f3a9!"
CANARY_KEY = "Q2FuYXJ5S2V5LTkxYjJjM2Q0ZTVmNg=="


def test_canary_secrets_reach_the_guest_only_as_protected_parameters(s2d_lab, fake_guest, monkeypatch,
                                                                       caplog, tmp_path):
    from azguest.azure import AzureSession
    from azguest.emulator import Engine

    state = tmp_path / "emulator.db"
    engine = Engine(state_path=state)  # persisted: the state file is searched too
    session = AzureSession.for_engine(engine)
    from azguest.deploy.lab import deploy

    deploy(session, s2d_lab, confirm=lambda p: True, password=lambda: CANARY_PASSWORD)
    monkeypatch.setattr("azguest.azure.lookups.storage_account_key", lambda s, rg, name: CANARY_KEY)
    caplog.set_level(logging.DEBUG)
    put_bodies: list[str] = []
    real = engine.handle

    def spy(method, url, headers, body):  # what azguest sends, to check it only ever in protectedParameters
        if method == "PUT" and "/runCommands/" in url and body:
            put_bodies.append(body.decode())
        return real(method, url, headers, body)

    engine.handle = spy
    record = configure(session, s2d_lab, secrets=lambda need: Secrets(CANARY_PASSWORD))
    assert record.ok

    # the guest got them, as protected parameters, where the steps declare them
    got = {k for p in fake_guest.seen_protected for k, v in p.items() if v in (CANARY_PASSWORD, CANARY_KEY)}
    assert got == {"AdminPassword", "SafeModePassword", "StorageKey"}
    for _, _, params, _ in fake_guest.calls:
        assert CANARY_PASSWORD not in json.dumps(params) and CANARY_KEY not in json.dumps(params)
    # on the wire: only inside protectedParameters
    assert any(CANARY_PASSWORD in b for b in put_bodies) and any(CANARY_KEY in b for b in put_bodies)
    for b in put_bodies:
        doc = json.loads(b)
        doc["properties"].pop("protectedParameters", None)
        assert CANARY_PASSWORD not in json.dumps(doc) and CANARY_KEY not in json.dumps(doc)

    engine.handle = real
    engine.flush()
    where = {
        "record": json.dumps(record.to_dict()),
        "plan": json.dumps(plan_guest(session, s2d_lab).to_dict()),
        "desired": json.dumps([run_command_body(s2d_lab, r) for r in step_graph(s2d_lab).runs]),
        "request log": json.dumps([vars(e) for e in engine.request_log], default=str),
        "state file": state.read_text(encoding="utf-8"),
        "logs": caplog.text,
    }
    for name, text in where.items():
        assert CANARY_PASSWORD not in text and CANARY_KEY not in text, name


def test_the_planned_body_and_its_name_hold_a_placeholder_the_put_gets_the_secret(s2d_lab):
    from azguest.guest.commands import execution_name, with_secrets

    run = step_graph(s2d_lab).run("node-join@hv01")
    body = run_command_body(s2d_lab, run)
    name = execution_name("node-join", body)
    for secret in (CANARY_PASSWORD, "Other-Pw-0000!"):
        sent = with_secrets(body, Secrets(secret))
        assert sent["properties"]["protectedParameters"] == [{"name": "AdminPassword", "value": secret}]
        assert sent["properties"]["parameters"] == body["properties"]["parameters"]
        assert secret not in json.dumps(body) and execution_name("node-join", body) == name
