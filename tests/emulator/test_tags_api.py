"""The Tags API at resource-group scope (Microsoft.Resources/tags/default), through the real SDK."""

from __future__ import annotations

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError


def _scope(session, rg: str) -> str:
    return f"/subscriptions/{session.subscription_id}/resourceGroups/{rg}"


def _patch(session, rg: str, operation: str, tags: dict) -> dict:
    res = session.resource.tags.begin_update_at_scope(
        _scope(session, rg), {"operation": operation, "properties": {"tags": tags}}).result()
    return dict(res.properties.tags or {})


def test_merge_and_delete_touch_only_the_names_given(session, uid):
    rg = f"rg-tags-{uid}"
    session.resource.resource_groups.create_or_update(rg, {"location": "westeurope",
                                                           "tags": {"owner": "a", "costcenter": "1"}})
    assert _patch(session, rg, "Merge", {"azguest-lab": "x", "owner": "a"}) == {
        "owner": "a", "costcenter": "1", "azguest-lab": "x"}
    assert _patch(session, rg, "Delete", {"azguest-lab": "", "costcenter": "other-value"}) == {
        "owner": "a", "costcenter": "1"}  # by name, or by name and value when a value is given
    assert dict(session.resource.resource_groups.get(rg).tags) == {"owner": "a", "costcenter": "1"}
    assert _patch(session, rg, "Replace", {"only": "this"}) == {"only": "this"}
    got = session.resource.tags.get_at_scope(_scope(session, rg))
    assert dict(got.properties.tags) == {"only": "this"}


def test_missing_group_is_404_and_an_unknown_operation_is_400(session, uid):
    with pytest.raises(ResourceNotFoundError):
        _patch(session, f"rg-none-{uid}", "Merge", {"a": "b"})
    rg = f"rg-tags-{uid}"
    session.resource.resource_groups.create_or_update(rg, {"location": "westeurope"})
    with pytest.raises(HttpResponseError) as exc:
        _patch(session, rg, "Append", {"a": "b"})
    assert exc.value.status_code == 400 and exc.value.error.code == "InvalidTagsOperation"
