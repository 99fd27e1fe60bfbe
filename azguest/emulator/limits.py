"""The checks ARM makes before a resource provider sees a request: body size, JSON shape and
depth, the types of the envelope fields, name lengths per type and tag limits.

Figures come from ``azguest.catalog.names`` (each with its source). Deeper shapes (inside
``properties``) are the handlers' business; a handler that trips over a wrong shape there is
answered 400 ``InvalidRequestContent`` by the engine, never with a dropped connection.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from azguest.catalog import names as N
from azguest.emulator.errors import ArmError

if TYPE_CHECKING:
    from azguest.emulator.context import Ctx

_OBJECT_FIELDS = ("properties", "sku", "identity", "plan", "extendedLocation")
_STRING_FIELDS = ("location", "kind")


def content_error(detail: str) -> ArmError:
    return ArmError(400, "InvalidRequestContent",
                    f"The request content was invalid and could not be deserialized: {detail}")


def check_body_size(body: bytes | None) -> None:
    if body is not None and len(body) > N.REQUEST_BODY_MAX_BYTES:
        raise body_too_large(len(body))


def body_too_large(size: int) -> ArmError:
    return ArmError(413, "RequestEntityTooLarge",
                    f"The request body is {size} bytes; the limit is {N.REQUEST_BODY_MAX_BYTES} bytes.")


def check_depth(data: Any, limit: int = N.MAX_JSON_DEPTH) -> None:
    """Iteratively: no recursion, so a deep body cannot exhaust the stack here either."""
    stack = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            raise content_error(f"JSON nesting is deeper than {limit} levels.")
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)


def check_write(ctx: Ctx, arm_type: str, name: str | None, *, creating: bool) -> None:
    """A PUT or PATCH: the name (on PUT), the envelope's types, the tags."""
    if creating and name is not None:
        check_name(arm_type, name)
    body = ctx.body
    check_depth(body)
    for key in _OBJECT_FIELDS:
        if body.get(key) is not None and not isinstance(body[key], dict):
            raise content_error(f"'{key}' must be a JSON object, not {_kind(body[key])}.")
    for key in _STRING_FIELDS:
        if body.get(key) is not None and not isinstance(body[key], str):
            raise content_error(f"'{key}' must be a string, not {_kind(body[key])}.")
    if body.get("zones") is not None and not (isinstance(body["zones"], list)
                                              and all(isinstance(z, str) for z in body["zones"])):
        raise content_error("'zones' must be a list of strings.")
    if body.get("tags") is not None:
        check_tags(arm_type, body["tags"])
    if isinstance(body.get("properties"), dict):
        check_linked_ids(body["properties"], "properties")
    if arm_type.lower() == "microsoft.resources/tags" and isinstance(body.get("properties"), dict) \
            and body["properties"].get("tags") is not None:  # the Tags API carries them in properties
        check_tags(arm_type, body["properties"]["tags"])


def check_linked_ids(node: Any, path: str) -> None:
    """Every reference ``{"id": ...}`` in ``properties`` must be a fully qualified ARM id (iteratively)."""
    stack = [(node, path)]
    while stack:
        cur, where = stack.pop()
        if isinstance(cur, dict):
            for k, v in cur.items():
                at = f"{where}.{k}"
                if k == "id" and v is not None:
                    _check_id(v, at)
                elif isinstance(v, (dict, list)):
                    stack.append((v, at))
        elif isinstance(cur, list):
            stack.extend((v, f"{where}[{i}]") for i, v in enumerate(cur) if isinstance(v, (dict, list)))


def _check_id(value: Any, at: str) -> None:
    if not isinstance(value, str):
        raise content_error(f"'{at}' must be a string, not {_kind(value)}.")
    if not value.lower().startswith(("/subscriptions/", "/providers/")):
        shown = value if len(value) <= 200 else value[:200] + "..."
        raise ArmError(400, "LinkedInvalidPropertyId", f"Property id '{shown}' at path '{at}' is invalid. Expect "
                       "fully qualified resource Id that start with '/subscriptions/{subscriptionId}' or "
                       "'/providers/{resourceProviderNamespace}/'.", at)


def check_name(arm_type: str, name: str) -> None:
    rule = N.name_rule(arm_type)
    if rule.min_len <= len(name) <= rule.max_len:
        return
    shown = name if len(name) <= 100 else name[:100] + "..."
    raise ArmError(400, rule.code, f"The resource name '{shown}' ({len(name)} characters) is invalid: a "
                   f"{arm_type} name must be {rule.min_len} to {rule.max_len} characters long.", "name")


def check_tags(arm_type: str, tags: Any) -> None:
    if not isinstance(tags, dict):
        raise content_error(f"'tags' must be a JSON object of string values, not {_kind(tags)}.")
    lim = N.tag_limits(arm_type)
    if len(tags) > lim.max_tags:
        raise _tag_error("count", f"A resource can have at most {lim.max_tags} tags; the request has {len(tags)}.")
    for k, v in tags.items():
        if not isinstance(v, str):
            raise content_error(f"the value of tag '{k[:64]}' must be a string, not {_kind(v)}.")
        if len(k) > lim.max_name:
            raise _tag_error("name", f"Tag name '{k[:64]}...' has {len(k)} characters; the limit is "
                             f"{lim.max_name}.")
        if len(v) > lim.max_value:
            raise _tag_error("value", f"The value of tag '{k[:64]}' has {len(v)} characters; the limit is "
                             f"{lim.max_value}.")
        bad = sorted({c for c in k if c in lim.reserved_name_chars or ord(c) < 32})
        if bad or not k:
            raise _tag_error("chars", f"The tag name '{k[:64]}' is empty or has reserved characters "
                             f"'{','.join(lim.reserved_name_chars)}' or control characters.")


def _tag_error(which: str, message: str) -> ArmError:
    code, _verified = N.TAG_CODES[which]
    return ArmError(400, code, message, "tags")


def _kind(value: Any) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean",
            type(None): "null"}.get(type(value), "a number")


def markdown() -> list[str]:
    """The limits as a docs/emulator.md section (rendered by ``azguest.emulator.coverage``)."""
    t = N.TAGS
    lines = ["\n## ARM request limits (azguest/catalog/names.py)\n",
             "Checked on every PUT/PATCH before the handler runs; a failure is a 4xx ARM error body. Codes "
             "marked * could not be verified from a primary source.\n",
             "| ARM type | Name length | Error code |", "|---|---|---|"]
    for r in (*N.NAMES, N.GENERIC_NAME):
        lines.append(f"| {'any other type' if r.arm_type == '*' else r.arm_type} | {r.min_len}-{r.max_len} | "
                     f"`{r.code}`{'' if r.verified else ' *'} |")
    codes = {k: f"`{c}`{'' if ok else ' *'}" for k, (c, ok) in N.TAG_CODES.items()}
    lines += ["", f"- Tags: at most {t.max_tags} per resource ({codes['count']}); names up to {t.max_name} "
              f"characters ({N.STORAGE_TAGS.max_name} on storage accounts) ({codes['name']}); values up to "
              f"{t.max_value} ({codes['value']}); no `{' '.join(t.reserved_name_chars)}` or control characters "
              f"in a name ({codes['chars']}); values must be strings (`InvalidRequestContent`).",
              f"- Body: at most {N.REQUEST_BODY_MAX_BYTES} bytes (413 `RequestEntityTooLarge` *, over HTTP "
              f"before the body is read); JSON nesting at most {N.MAX_JSON_DEPTH} levels (an emulator "
              "safeguard); `location`/`kind` strings, `properties`/`sku`/`identity`/`plan`/`extendedLocation` "
              "objects, `zones` a list of strings (400 `InvalidRequestContent`).",
              "- References: every `{\"id\": ...}` under `properties` is a fully qualified ARM id (starts "
              "`/subscriptions/` or `/providers/`), else 400 `LinkedInvalidPropertyId` with the path as target.",
              "- HTTP: `Content-Length` not a number, repeated, or missing on PUT/PATCH, and chunked bodies: 400 "
              "`InvalidRequestFormat`. A handler that trips over a wrong shape deeper in the body: 400 "
              "`InvalidRequestContent`; any other failure: 500 `InternalServerError`. Never a dropped "
              "connection or a traceback."]
    return lines
