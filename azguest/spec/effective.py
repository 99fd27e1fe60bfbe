"""The effective spec: what the user wrote plus every default, defaults marked (--show-defaults)."""

from __future__ import annotations

import io
from typing import Any

from azguest.spec.findings import Path
from azguest.spec.models import Lab
from azguest.spec.source import Positions


def effective_data(lab: Lab) -> dict[str, Any]:
    """The normalized spec with derived defaults filled in (what deploy will use, not null)."""
    data = lab.to_data()
    data["resourceGroup"] = lab.resource_group_name
    data["domain"]["netbios"] = lab.domain.netbios_name
    if lab.cluster.witness == "cloud":
        data["cluster"]["witnessStorageAccount"] = lab.witness_storage_account_name
    return data


def effective_yaml(lab: Lab, positions: Positions) -> str:
    """YAML of the normalized spec; values taken from defaults carry a ``# default`` comment."""
    from ruamel.yaml import YAML

    doc = _commented(effective_data(lab), (), positions, marked=False)
    yaml = YAML(typ="rt", pure=True)
    yaml.representer.add_representer(
        type(None), lambda r, _: r.represent_scalar("tag:yaml.org,2002:null", "null"))
    yaml.default_flow_style = False
    yaml.width = 120
    buf = io.StringIO()
    yaml.dump(doc, buf)
    return buf.getvalue()


def _commented(value: Any, path: Path, positions: Positions, *, marked: bool) -> Any:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(value, dict):
        out = CommentedMap()
        for k, v in value.items():
            child = (*path, k)
            default = child not in positions and not _has_given_child(child, positions)
            out[k] = _commented(v, child, positions, marked=marked or default)
            if default and not marked:
                out.yaml_add_eol_comment("# default", k, column=40)
        return out
    if isinstance(value, list):
        seq = CommentedSeq()
        for i, v in enumerate(value):
            seq.append(_commented(v, (*path, i), positions, marked=marked))
        return seq
    return value


def _has_given_child(path: Path, positions: Positions) -> bool:
    n = len(path)
    return any(p[:n] == path for p in positions if len(p) > n)
