"""Go's value model over plain Python values: truth, type names, printing (%v) and the
conversions Go's reflection and Sprig's `cast` apply to function arguments."""
from __future__ import annotations

from typing import Any
MISSING = object()  # a map key that is not there (Go's invalid reflect.Value)


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
    if v is None or v is MISSING:
        return "<nil>"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float64"
    if isinstance(v, str):
        return "string"
    if isinstance(v, dict):
        return "map[string]interface {}"
    if isinstance(v, (list, tuple)):
        return "[]string" if v and all(isinstance(x, str) for x in v) and isinstance(v, tuple) else "[]interface {}"
    if isinstance(v, bytes):
        return "[]uint8"
    return type(v).__name__


def sort_key(k: Any) -> Any:
    return (0, k) if isinstance(k, (int, float)) and not isinstance(k, bool) else (1, str(k))
































