"""Keep the values of Secrets out of what sluice prints.

Why: `sluice diff` output and error messages end up in pull-request comments and CI logs,
which far more people read than may read a Secret. A printed Secret keeps its shape
(which keys exist, in `data` or `stringData`) and loses its values: each becomes
`<redacted>`, or `<redacted: old value>`/`<redacted: new value>` where it differs between
the two sides of a diff, so a reader still sees that it changed. No hash is printed: a
hash of a short password is as good as the password. Secrets inside a `List` are
treated the same way. `data` and `stringData` are compared by the bytes they decode to,
so moving a key from one to the other with the same value is not a value change.
"""
from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any, Iterable, Iterator

from .errors import SluiceError

__all__ = ["REDACTED", "SecretKeys", "redact_pair", "scrub", "scrub_error", "secret_values", "secrets_in"]

REDACTED = "<redacted>"
OLD_VALUE = "<redacted: old value>"
NEW_VALUE = "<redacted: new value>"
FIELDS = ("data", "stringData")
# kubectl apply keeps the whole object, values included, in this annotation
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
_MIN_SCRUB = 3  # shorter values would blank out ordinary words of a message


def is_secret(body: Any) -> bool:
    return isinstance(body, dict) and body.get("kind") == "Secret"


def _list_items(body: Any) -> list[Any] | None:
    if isinstance(body, dict) and str(body.get("kind") or "").endswith("List"):
        items = body.get("items")
        if isinstance(items, list):
            return items
    return None


def secrets_in(body: Any) -> Iterator[dict[str, Any]]:
    """The Secrets a document holds: itself, or the items of a List (nested Lists too)."""
    if is_secret(body):
        yield body
        return
    for item in _list_items(body) or ():
        yield from secrets_in(item)


def _label(body: dict[str, Any]) -> str:
    meta = body.get("metadata")
    meta = meta if isinstance(meta, dict) else {}
    ns, name = meta.get("namespace"), meta.get("name")
    return f"Secret {ns + '/' if isinstance(ns, str) and ns else ''}{name or '(no name)'}"


def _as_bytes(value: Any, *, encoded: bool) -> bytes:
    if isinstance(value, str):
        if encoded:
            try:
                return base64.b64decode(value, validate=True)
            except (binascii.Error, ValueError):
                pass
        return value.encode("utf-8", "surrogatepass")
    return json.dumps(value, sort_keys=True, default=str).encode()


def effective_values(body: dict[str, Any]) -> dict[str, bytes]:
    """Key -> bytes the API server would store (`stringData` wins over `data`)."""
    out: dict[str, bytes] = {}
    for field in FIELDS:
        section = body.get(field)
        if isinstance(section, dict):
            for key, value in section.items():
                out[str(key)] = _as_bytes(value, encoded=field == "data")
    return out


@dataclass(frozen=True, slots=True)
class SecretKeys:
    """Which keys of a Secret were added, removed or changed (names only)."""

    secret: str  # "Secret ns/name"
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"secret": self.secret, "added": list(self.added), "removed": list(self.removed), "changed": list(self.changed)}

    def describe(self) -> str:
        parts = [f"{what}: {', '.join(keys)}" for what, keys in
                 (("added", self.added), ("removed", self.removed), ("changed", self.changed)) if keys]
        return f"{self.secret} keys " + ("; ".join(parts) if parts else "unchanged (values redacted)")


def _placeholder(value: Any, other: Any, has_other: bool, old_side: bool) -> str:
    if has_other and other != value:
        return OLD_VALUE if old_side else NEW_VALUE
    return REDACTED


def _redact_secret(body: dict[str, Any] | None, other: dict[str, Any] | None, old_side: bool) -> dict[str, Any] | None:
    if body is None:
        return None
    out = dict(body)
    for field in FIELDS:
        if field not in body:
            continue
        section, theirs = body[field], (other or {}).get(field)
        if isinstance(section, dict):
            theirs = theirs if isinstance(theirs, dict) else {}
            out[field] = {k: _placeholder(v, theirs.get(k), k in theirs, old_side) for k, v in section.items()}
        elif section is not None:
            out[field] = _placeholder(section, theirs, other is not None and field in other, old_side)
    meta = body.get("metadata")
    annotations = meta.get("annotations") if isinstance(meta, dict) else None
    if isinstance(meta, dict) and isinstance(annotations, dict) and LAST_APPLIED in annotations:
        other_meta = (other or {}).get("metadata")
        other_ann = other_meta.get("annotations") if isinstance(other_meta, dict) else None
        other_ann = other_ann if isinstance(other_ann, dict) else {}
        value = _placeholder(annotations[LAST_APPLIED], other_ann.get(LAST_APPLIED), LAST_APPLIED in other_ann, old_side)
        out["metadata"] = {**meta, "annotations": {**annotations, LAST_APPLIED: value}}
    return out


def _secret_keys(old: dict[str, Any] | None, new: dict[str, Any] | None) -> SecretKeys:
    before = effective_values(old) if old is not None else {}
    after = effective_values(new) if new is not None else {}
    return SecretKeys(
        secret=_label(new if new is not None else old),  # type: ignore[arg-type]
        added=tuple(sorted(set(after) - set(before))),
        removed=tuple(sorted(set(before) - set(after))),
        changed=tuple(sorted(k for k in set(before) & set(after) if before[k] != after[k])),
    )


def _item_key(item: Any) -> tuple[str, str, str]:
    if not isinstance(item, dict):
        return ("", "", repr(item))
    meta = item.get("metadata")
    meta = meta if isinstance(meta, dict) else {}
    return (str(item.get("kind") or ""), str(meta.get("namespace") or ""), str(meta.get("name") or ""))


def redact_pair(old: Any, new: Any) -> tuple[Any, Any, tuple[SecretKeys, ...]]:
    """Both sides of a change with Secret values replaced by placeholders, and what
    changed in each Secret's keys. Either side may be None (added or removed)."""
    if is_secret(old) or is_secret(new):
        o = old if is_secret(old) else None
        n = new if is_secret(new) else None
        return _redact_secret(o, n, True), _redact_secret(n, o, False), (_secret_keys(o, n),)
    old_items, new_items = _list_items(old), _list_items(new)
    if old_items is None and new_items is None:
        return old, new, ()
    old_by = {_item_key(i): i for i in reversed(old_items or [])}  # the first of duplicates wins
    new_by = {_item_key(i): i for i in reversed(new_items or [])}
    keys: list[SecretKeys] = []
    red_old = [redact_pair(i, new_by.get(_item_key(i)))[0] for i in old_items or []]
    red_new = []
    for item in new_items or []:
        _o, n, k = redact_pair(old_by.get(_item_key(item)), item)
        red_new.append(n)
        keys.extend(k)
    keys.extend(k for i in old_items or [] if _item_key(i) not in new_by for k in redact_pair(i, None)[2])
    out_old = {**old, "items": red_old} if old_items is not None else old
    out_new = {**new, "items": red_new} if new_items is not None else new
    return out_old, out_new, tuple(k for k in keys if k.added or k.removed or k.changed or old is None or new is None)


def secret_values(bodies: Iterable[Any]) -> set[str]:
    """Every value (and its base64 and decoded forms) of the Secrets among `bodies`."""
    values: set[str] = set()
    for body in bodies:
        for secret in secrets_in(body):
            for field in FIELDS:
                section = secret.get(field)
                for value in (section.values() if isinstance(section, dict) else [section]):
                    if not isinstance(value, str):
                        continue
                    values.add(value)
                    if field == "data":
                        decoded = _as_bytes(value, encoded=True)
                        values.add(decoded.decode("utf-8", "replace"))
                    else:
                        values.add(base64.b64encode(value.encode("utf-8", "surrogatepass")).decode())
    return {v for v in values if len(v) >= _MIN_SCRUB}


def scrub(text: str, values: Iterable[str]) -> str:
    """`text` with every occurrence of any of `values` (and its repr form) replaced by <redacted>."""
    for value in sorted(set(values), key=len, reverse=True):
        for form in (value, repr(value)[1:-1]):
            if form and form in text:
                text = text.replace(form, REDACTED)
    return text


def scrub_error(exc: SluiceError, bodies: Iterable[Any]) -> SluiceError:
    """`exc`, or a copy of it whose message no longer quotes a value of the Secrets among `bodies`."""
    message = scrub(exc.message, secret_values(bodies))
    if message == exc.message:
        return exc
    try:
        return type(exc)(message, file=exc.file, line=exc.line)
    except TypeError:  # a subclass with another constructor
        return SluiceError(message, file=exc.file, line=exc.line)
