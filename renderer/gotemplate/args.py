"""How function arguments are taken: Go's reflection rules for typed parameters, and Sprig's `cast` conversions for `interface{}` ones."""
from __future__ import annotations

import math
import re
from typing import Any

from renderer.gotemplate.errors import ArgError, FuncError
from renderer.gotemplate.fmt import go_sprint_value
from renderer.gotemplate.values import MISSING, go_type, truth
def arg_str(v: Any, fn: str = "") -> str:
    """A `string` parameter: Go refuses other types."""
    if isinstance(v, str):
        return v
    if v is None or v is MISSING:
        raise ArgError("invalid value; expected string")
    raise ArgError(f"wrong type for value; expected string; got {go_type(v)}")


def arg_int(v: Any) -> int:
    """An `int` parameter."""
    if isinstance(v, int) and not isinstance(v, bool):
        return v
    if v is None or v is MISSING:
        raise ArgError("invalid value; expected int")
    raise ArgError(f"wrong type for value; expected int; got {go_type(v)}")


def strval(v: Any) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    return go_sprint_value(v)


def strslice(v: Any) -> list[str]:
    if isinstance(v, (list, tuple)):
        return [strval(x) for x in v if x is not None]
    if v is None:
        return []
    return [strval(v)]


def to_int64(v: Any) -> int:
    """cast.ToInt64 (errors give 0)."""
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        if math.isnan(v) or math.isinf(v):
            return 0
        return int(v)
    if isinstance(v, str):
        t = v.strip()
        if re.fullmatch(r"[+-]?\d+\.0*", t):
            t = t.split(".")[0]
        try:
            return int(t, 0)
        except ValueError:
            try:
                return int(t)
            except ValueError:
                return 0
    return 0


def to_float64(v: Any) -> float:
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, str):
        try:
            return float(v.strip())
        except ValueError:
            return 0.0
    return 0.0


def empty(v: Any) -> bool:
    return not truth(v)


def need_map(v: Any) -> dict[str, Any]:
    if isinstance(v, dict):
        return v
    raise ArgError(f"wrong type for value; expected map[string]interface {{}}; got {go_type(v)}")


def need_list(v: Any, fn: str) -> list[Any]:
    if isinstance(v, (list, tuple)):
        return list(v)
    if v is None:
        return []
    raise FuncError(f"Cannot find {fn} on type {go_type(v)}")


def deep_copy(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: deep_copy(x) for k, x in v.items()}
    if isinstance(v, list):
        return [deep_copy(x) for x in v]
    return v
