"""Cost estimates: `plan` and `status` show per hour running and per month deallocated, from the dated
one-region price table, and say what they are; `init`'s disk tier comes with its price."""

from __future__ import annotations

import json

import pytest

from azguest.catalog import prices as P
from azguest.catalog.sizes import SIZES
from azguest.cli.main import run
from azguest.deploy.cost import graph_cost, live_cost
from azguest.plan.desired import desired_graph
from tests.deploy.conftest import EXAMPLES, cli_deployed

S2D = str(EXAMPLES / "s2d-2node.yaml")
# The s2d example by hand from the table: DC D2s_v5 + 2 nodes D8s_v5 (Windows), 3 OS disks P10 (128 GiB),
# the DC's AD DS disk P4 (32 GiB), 4 S2D disks P15 (256 GiB), the witness account (~1 GiB hot LRS).
S2D_HOURLY_VMS = 0.188 + 2 * 0.752
S2D_MONTHLY = 3 * 19.71 + 5.28 + 4 * 38.01 + 0.0184


def test_every_catalogued_size_has_a_linux_and_a_windows_price():
    for size in SIZES.values():
        linux, windows = P.vm_hourly(size.name, windows_license=False), P.vm_hourly(size.name)
        assert linux and windows, size.name
        assert 0 < linux[0] < windows[0], size.name
    assert {r.basis for r in P.SERIES_RATES.values()} <= {"corroborated", "recalled", "unverified"}


@pytest.mark.parametrize(("sku", "gib", "tier", "price"), [
    ("Premium_LRS", 1024, "P30", 135.17), ("Premium_LRS", 8192, "P60", 946.08), ("Premium_LRS", 20, "P4", 5.28),
    ("StandardSSD_LRS", 100, "E10", 9.60), ("Standard_LRS", 20, "S4", 1.54), ("Standard_LRS", 1000, "S30", 40.96)])
def test_disk_tiers_and_monthly_prices(sku, gib, tier, price):
    assert P.disk_monthly(sku, gib)[:2] == (tier, price)


@pytest.mark.parametrize("sku", ["Premium_ZRS", "UltraSSD_LRS", "PremiumV2_LRS"])
def test_disks_the_table_cannot_price_are_listed_as_unpriced_not_guessed(sku):
    est = live_cost([], [{"name": "d1", "sku": {"name": sku}, "properties": {"diskSizeGB": 256}}], [], [])
    assert est.per_month_deallocated == 0 and est.unpriced == (f"d1 ({sku} 256 GiB)",)


def test_plan__prints_the_estimate_and_what_it_is(emulated, capsys):
    assert run(["plan", S2D]) == 0
    out = capsys.readouterr().out
    hourly = round(S2D_HOURLY_VMS + S2D_MONTHLY / 730, 2)
    assert f"about ${hourly:,.2f}/hour running, ${S2D_MONTHLY:,.2f}/month deallocated" in out
    assert f"estimate, eastus list prices of {P.PRICE_DATE}" in out and "Windows license included" in out


def test_plan_json_and_status_json__the_deployed_lab_costs_what_the_plan_said(emulated, capsys):
    assert run(["plan", S2D, "-o", "json"]) == 0
    planned = json.loads(capsys.readouterr().out)["result"]["cost"]
    assert planned["perMonthDeallocated"] == round(S2D_MONTHLY, 2)
    assert planned["perHourRunning"] == round(S2D_HOURLY_VMS + round(S2D_MONTHLY, 2) / 730, 3)
    assert (planned["region"], planned["priceDate"], planned["windowsLicense"]) == ("eastus", P.PRICE_DATE, True)
    cli_deployed(emulated, S2D)
    capsys.readouterr()
    assert run(["status", "hv-s2d", "-o", "json"]) == 0
    live = json.loads(capsys.readouterr().out)["result"]["costEstimate"]
    assert (live["perHourRunning"], live["perMonthDeallocated"]) == (
        planned["perHourRunning"], planned["perMonthDeallocated"])  # OS disks counted once, none missed
    assert live["note"] == planned["note"] and not live["unpriced"]
    assert run(["status", "hv-s2d"]) == 0
    assert f"/hour running, ${S2D_MONTHLY:,.2f}/month deallocated" in capsys.readouterr().out


def test_hybrid_benefit_vms_are_priced_without_the_windows_license_and_say_so():
    vm = {"name": "n1", "properties": {"hardwareProfile": {"vmSize": "Standard_D8s_v5"},
                                       "licenseType": "Windows_Server"}}
    est = live_cost([vm], [], [], [])
    assert est.per_hour_running == 0.384 and "Windows license excluded" in est.note
    assert live_cost([{**vm, "properties": {"hardwareProfile": {"vmSize": "Standard_D8s_v5"}}}], [], [], []
                     ).per_hour_running == 0.752


def test_a_public_ip_costs_while_the_lab_is_deallocated(s2d_lab):
    from tests.deploy.conftest import lab_from

    exposed = lab_from("s2d-2node.yaml", **{"allowRdpFrom: []": "allowRdpFrom: [203.0.113.0/24]"})
    base = graph_cost(desired_graph(s2d_lab, "sub"))
    more = graph_cost(desired_graph(exposed, "sub"))
    assert round(more.per_month_deallocated - base.per_month_deallocated, 2) == 3.65


def test_init_note__the_shared_disk_tier_for_six_nodes_and_its_price():
    note = P.disk_choice_note("Premium_LRS", 8192, 6)
    assert note.startswith("Premium_LRS 8192 GiB = P60, shared by 6 nodes: about $946.08/month")
    assert "eastus list prices of" in note and "mount charges not included" in note and "Windows" not in note


def test_init__tells_the_disk_tier_it_chose_for_the_node_count_and_its_price(capsys):
    assert run(["init", "demo", "--storage", "shared-disk", "--nodes", "6", "--out", "-"]) == 0
    err = capsys.readouterr().err
    assert "storage: 1 x Premium_LRS 8192 GiB = P60, shared by 6 nodes: about $946.08/month" in err
    assert run(["init", "demo", "--storage", "s2d", "--nodes", "2", "--out", "-"]) == 0
    assert "x Premium_LRS 256 GiB = P15: about $38.01/month" in capsys.readouterr().err


def test_status__per_hour_now_counts_only_the_running_vms(s2d_lab):
    from azguest.azure import AzureSession
    from azguest.azure import kinds as K
    from azguest.deploy.status import lab_status
    from azguest.emulator import Engine
    from tests.deploy.conftest import do_deploy

    s = AzureSession.for_engine(Engine(), polling_interval=0.0)
    assert do_deploy(s, s2d_lab).ok
    for vm in ("hv-s2d-hv01", "hv-s2d-hv02"):
        K.action(s, K.KINDS["vm"], K.KINDS["vm"].arm_id(s.subscription_id, s2d_lab.resource_group_name, vm),
                 "deallocate")
    cost = lab_status(s, s2d_lab.name).to_dict()["costEstimate"]
    assert cost["perHourNow"] == round(0.188 + S2D_MONTHLY / 730, 3)  # the DC runs; the disks bill anyway
    assert cost["perHourRunning"] == round(S2D_HOURLY_VMS + round(S2D_MONTHLY, 2) / 730, 3)
