"""Go's value model over plain Python values: truth, type names, printing (%v) and the
conversions Go's reflection and Sprig's `cast` apply to function arguments."""
from __future__ import annotations

from typing import Any
MISSING = object()  # a map key that is not there (Go's invalid reflect.Value)


class Int64(int):
    """A Go int64 (what Sprig's arithmetic returns): prints like int, but `typeOf` tells."""

    go_type = "int64"


class FloatConst(float):
    """A float literal of the template text: where Go wants an int, `3.0` is one."""


class StrList(list):  # type: ignore[type-arg]
    """A Go []string (splitList, keys, sortAlpha...)."""

    go_type = "[]string"


class IntList(list):  # type: ignore[type-arg]
    """A Go []int (until, untilStep)."""

    go_type = "[]int"


class ListList(list):  # type: ignore[type-arg]
    """A Go [][]interface {} (chunk)."""

    go_type = "[][]interface {}"


class StrMap(dict):  # type: ignore[type-arg]
    """A Go map[string]string (split, splitn)."""

    go_type = "map[string]string"


class Uint8(int):
    """A Go uint8, a byte (what `index` gives for a string)."""

    go_type = "uint8"


class Uint64(int):
    """A Go uint64 (semver's Major, Minor, Patch)."""

    go_type = "uint64"


class GoObject:
    """A Go value with methods a template may call (`(semver "1.2").IncMinor`).
    Subclasses list them in `methods`: name → parameter types (see signatures.py)."""

    go_type = "object"
    methods: dict[str, str] = {}

    def has_method(self, name: str) -> bool:
        return name in self.methods

    def method_signature(self, name: str) -> Any:
        from renderer.gotemplate.signatures import signature_of

        return signature_of(self.methods[name])

    def call_method(self, name: str, args: list[Any]) -> Any:
        return getattr(self, "go_" + name)(*args)


def wrap_int64(n: int) -> Int64:
    """Go's int64 arithmetic wraps around."""
    return Int64((n + 2**63) % 2**64 - 2**63)


def go_equal(a: Any, b: Any) -> bool:
    """reflect.DeepEqual: equal values of one Go type (1, 1.0 and true all differ)."""
    if a is MISSING:
        a = None
    if b is MISSING:
        b = None
    if go_type(a) != go_type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(go_equal(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(go_equal(x, y) for x, y in zip(a, b))
    return bool(a == b)


# --------------------------------------------------------------------------------------
# Go value semantics: truth, types, printing
# --------------------------------------------------------------------------------------


def truth(v: Any) -> bool:
    if v is None or v is MISSING:
        return False
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)):
        return v != 0
    if isinstance(v, (str, list, tuple, dict, bytes)):
        return len(v) > 0
    return True


def go_type(v: Any) -> str:
    """The Go type name `%T` and `typeOf` print."""
    if v is None or v is MISSING:
        return "<nil>"
    typed = getattr(type(v), "go_type", None)
    if isinstance(typed, str):
        return typed
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float64"
    if isinstance(v, complex):
        return "complex128"
    if isinstance(v, str):
        return "string"
    if isinstance(v, dict):
        return "map[string]interface {}"
    if isinstance(v, (list, tuple)):
        return "[]interface {}"
    if isinstance(v, bytes):
        return "[]uint8"
    return type(v).__name__


def go_kind(v: Any) -> str:
    """reflect.Kind's name, as Sprig's kindOf and its error messages print it."""
    if v is None or v is MISSING:
        return "invalid"
    t = go_type(v)
    if t.startswith("[]"):
        return "slice"
    if t.startswith("map["):
        return "map"
    return t


def sort_key(k: Any) -> Any:
    return (0, k) if isinstance(k, (int, float)) and not isinstance(k, bool) else (1, str(k))
































