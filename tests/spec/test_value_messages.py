"""Values YAML reads as another type, and clock times, as the user sees them in validate."""

from __future__ import annotations

import pytest

from azguest.cli.exitcodes import ExitCode
from azguest.cli.main import run
from tests.spec.conftest import base_text, mutate


@pytest.mark.parametrize("value, shown", [("true", "true"), ('"2"', "'2'"), ("2.0", "2.0")])
def test_node_count_that_is_no_integer__is_a_type_error_not_1(write_spec, capsys, value, shown):
    spec = write_spec(mutate(base_text("s2d"), [("count: 2", f"count: {value}")]))
    assert run(["validate", str(spec)]) == ExitCode.SPEC_INVALID
    out = capsys.readouterr().out
    assert f"cluster.nodes.count: error [AZG-SPEC-TYPE] wrong type {shown}: input should be a valid integer" in out


@pytest.mark.parametrize("time", ['"25:00"', '"7:00"', '"19:60"', '"noon"'])
def test_auto_shutdown_time_out_of_range__plain_words_no_regex(write_spec, capsys, time):
    spec = write_spec(mutate(base_text("training"), [('time: "18:00"', f"time: {time}")]))
    assert run(["validate", str(spec)]) == ExitCode.SPEC_INVALID
    out = capsys.readouterr().out
    assert "lifetime.autoShutdown.time: error [AZG-SPEC-VALUE]" in out
    assert "expected a time of day as HH:MM, 00:00-23:59" in out
    assert "pattern" not in out and "\\d" not in out and "^(" not in out


def test_valid_integers_and_times_still_validate(write_spec, capsys):
    spec = write_spec(mutate(base_text("training"), [('time: "18:00"', 'time: "23:59"')]))
    assert run(["validate", str(spec)]) == ExitCode.OK
