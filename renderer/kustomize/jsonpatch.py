"""JSON 6902 patches as kustomize applies them (evanphx/json-patch v4), not as the RFC reads.

The differences that show in real kustomizations: `replace` of a missing map key adds it
(v4 only checks that array indexes exist), array indexes may be negative (counted from the
end), `copy` of a missing map key copies null, and nulls written by a patch stay.
"""
from __future__ import annotations

import copy
import re
from decimal import Decimal
from typing import Any

from ..core.errors import RenderError
from ..core.sizes import bounded_size

__all__ = ["MAX_COPIED", "apply_ops", "as_go_json", "JsonPatchError"]


class JsonPatchError(RenderError):
    """An operation does not apply to the document."""


MAX_COPIED = 16 * 1024 * 1024
"""Characters and elements the `copy` operations of one patch may duplicate, over all the
resources it targets: forty copies of a map into itself double it forty times (a terabyte
from a 2 KB patch)."""


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def _find(doc: Any, path: str) -> tuple[Any, str] | None:
    """The container holding the last token of `path`, and that token (v4's findObject)."""
    split = path.split("/")
    if len(split) < 2:
        return None
    node = doc
    for part in split[1:-1]:
        key = _unescape(part)
        if isinstance(node, dict):
            node = node.get(key)
        elif isinstance(node, list):
            idx = _index(node, key, for_insert=False)
            node = node[idx]
        else:
            return None
        if not isinstance(node, (dict, list)):
            return None
    return node, _unescape(split[-1])


_GO_INT = re.compile(r"[+-]?[0-9]+")


def _index(ary: list[Any], key: str, *, for_insert: bool) -> int:
    if not _GO_INT.fullmatch(key):  # strconv.Atoi: no spaces, no underscores
        raise JsonPatchError(f"invalid array index {key!r}")
    idx = int(key)
    size = len(ary) + 1 if for_insert else len(ary)  # v4 counts an insert from the end of the grown array
    if idx < 0:
        if idx < -size:
            raise JsonPatchError(f"unable to access invalid index: {idx}")
        idx += size
    if idx >= size:
        raise JsonPatchError(f"unable to access invalid index: {idx}")
    return idx


def _get(con: Any, key: str) -> Any:
    if isinstance(con, dict):
        return con.get(key)  # a missing key reads as null, which is why replace adds
    return con[_index(con, key, for_insert=False)]


def _add(con: Any, key: str, value: Any) -> None:
    if isinstance(con, dict):
        con[key] = value
    elif key == "-":
        con.append(value)
    else:
        con.insert(_index(con, key, for_insert=True), value)


def _remove(con: Any, key: str) -> Any:
    if isinstance(con, dict):
        if key not in con:
            raise JsonPatchError(f"unable to remove nonexistent key: {key}")
        return con.pop(key)
    return con.pop(_index(con, key, for_insert=False))


def _same(a: Any, b: Any) -> bool:
    """JSON equality that tells true from 1 (Python's == does not)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def _locate(doc: Any, op: dict[str, Any], field: str) -> tuple[Any, str]:
    path = str(op.get(field) or "")
    found = _find(doc, path)
    if found is None:
        raise JsonPatchError(f"{op.get('op')} operation does not apply: doc is missing path: {path}")
    return found


def as_go_json(value: Any) -> Any:
    """`value` after a round trip through Go's JSON into interface{}: every number becomes a
    float64, so integers beyond 2**53 lose their low digits (kustomize re-reads a patched
    resource that way)."""
    if isinstance(value, dict):
        return {k: as_go_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_go_json(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**53:
        rounded = float(value)
        return int(Decimal(repr(rounded))) if abs(rounded) < 1e21 else rounded
    return value


def apply_ops(doc: dict[str, Any], ops: list[dict[str, Any]], budget: list[int] | None = None) -> Any:
    """A patched copy of `doc` as kustomize re-reads it; JsonPatchError when an operation
    does not apply. `budget` ([what copies may still duplicate]) is shared by the
    applications of one patch; a fresh MAX_COPIED when not given."""
    doc = copy.deepcopy(doc)
    budget = budget if budget is not None else [MAX_COPIED]
    for op in ops:
        kind = op.get("op")
        path = str(op.get("path") or "")
        try:
            if kind == "add":
                con, key = _locate(doc, op, "path")
                _add(con, key, copy.deepcopy(op.get("value")))
            elif kind == "remove":
                con, key = _locate(doc, op, "path")
                _remove(con, key)
            elif kind == "replace":
                con, key = _locate(doc, op, "path")
                if isinstance(con, list):
                    con[_index(con, key, for_insert=False)] = copy.deepcopy(op.get("value"))
                else:
                    con[key] = copy.deepcopy(op.get("value"))
            elif kind == "move":
                con, key = _locate(doc, op, "from")
                value = _remove(con, key)
                con, key = _locate(doc, op, "path")
                _add(con, key, value)
            elif kind == "copy":
                con, key = _locate(doc, op, "from")
                budget[0] -= bounded_size(_get(con, key), budget[0])
                if budget[0] < 0:
                    raise JsonPatchError(f"copy operations duplicate more than {MAX_COPIED} characters and elements "
                                         "(a document copied into itself?)")
                value = copy.deepcopy(_get(con, key))
                con, key = _locate(doc, op, "path")
                _add(con, key, value)
            elif kind == "test":
                con, key = _locate(doc, op, "path")
                if not _same(_get(con, key), op.get("value")):
                    raise JsonPatchError(f"testing value {path} failed")
            else:
                raise JsonPatchError(f"unexpected kind: {kind}")
        except JsonPatchError as exc:
            if exc.message.startswith(str(kind)) or exc.message.startswith("testing"):
                raise
            raise JsonPatchError(f"{kind} operation does not apply: doc is missing key: {path}: {exc.message}") from None
    return as_go_json(doc)
