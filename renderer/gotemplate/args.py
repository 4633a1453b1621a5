"""How function arguments are taken: Go's reflection rules for typed parameters, and
Sprig's `cast` conversions for `interface{}` ones."""
from __future__ import annotations

import math
import re
from typing import Any

from renderer.core.sizes import bounded_size as _bounded_size
from renderer.gotemplate.errors import ArgError, FuncError
from renderer.gotemplate.fmt import go_sprint_value
from renderer.gotemplate.values import MISSING, FloatConst, StrList, go_kind, go_type, truth


def arg_str(v: Any, fn: str = "") -> str:
    """A `string` parameter: Go refuses other types."""
    if isinstance(v, str):
        return v
    if v is None or v is MISSING:
        raise ArgError("invalid value; expected string")
    raise ArgError(f"wrong type for value; expected string; got {go_type(v)}")


def arg_int(v: Any) -> int:
    """An `int` parameter (a whole-valued float constant such as `3.0` is one too)."""
    if isinstance(v, int) and not isinstance(v, bool):
        return v
    if isinstance(v, FloatConst) and v.is_integer():
        return int(v)
    if v is None or v is MISSING:
        raise ArgError("invalid value; expected int")
    raise ArgError(f"wrong type for value; expected int; got {go_type(v)}")


def strval(v: Any) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    return go_sprint_value(v)


def strslice(v: Any) -> StrList:
    """Sprig's strslice: a list's non-nil elements as strings; nil is empty; else one."""
    if isinstance(v, (list, tuple)):
        return StrList(strval(x) for x in v if x is not None)
    if v is None or v is MISSING:
        return StrList()
    return StrList([strval(v)])


_GO_INT = re.compile(r"[+-]?(0[xX](_?[0-9a-fA-F])+|0[bB](_?[01])+|0[oO]?(_?[0-7])+|[1-9](_?[0-9])*|0)")
_GO_FLOAT = re.compile(
    r"[+-]?((\d+(_\d+)*)?\.?\d*([eE][+-]?\d+)?|0[xX][0-9a-fA-F_]*\.?[0-9a-fA-F_]*[pP][+-]?\d+|inf|infinity|nan)",
    re.IGNORECASE,
)
_INT64_MIN = -(2**63)
MAX_GENERATED = 10_000_000  # elements or bytes one function call may produce (bounded work)


def bounded_size(value: Any, cap: int = MAX_GENERATED) -> int:
    """core.sizes.bounded_size, bounded by what one function call may generate by default."""
    return _bounded_size(value, cap)


def check_generated(n: int, what: str) -> None:
    """Refuse (FuncError) a function result of more than MAX_GENERATED characters or elements."""
    if n > MAX_GENERATED:
        raise FuncError(f"{what}: {n} characters or elements is more than sluice generates ({MAX_GENERATED})")


def parse_go_int(s: str) -> int | None:
    """strconv.ParseInt(s, 0, 64): Go's literal prefixes, a leading 0 is octal; None if invalid."""
    if not _GO_INT.fullmatch(s):
        return None
    neg = s.startswith("-")
    body = s.lstrip("+-").replace("_", "").lower()
    if body.startswith(("0x", "0b", "0o")):
        n = int(body[2:], {"x": 16, "b": 2, "o": 8}[body[1]])
    elif len(body) > 1 and body.startswith("0"):
        n = int(body, 8)
    else:
        n = int(body)
    n = -n if neg else n
    return n if _INT64_MIN <= n < 2**63 else None


def parse_go_float(s: str) -> float | None:
    """strconv.ParseFloat(s, 64), or None where Go fails (no surrounding spaces)."""
    if not s or not _GO_FLOAT.fullmatch(s) or s.lstrip("+-") in ("", "."):
        return None
    try:
        if "x" in s.lower():
            sign = -1.0 if s.startswith("-") else 1.0
            return sign * float.fromhex(s.lstrip("+-").replace("_", ""))
        f = float(s.replace("_", ""))
    except (ValueError, OverflowError):
        return None
    return None if math.isinf(f) and "inf" not in s.lower() else f


def to_int64(v: Any) -> int:
    """cast.ToInt64: numbers truncate, strings parse as Go literals, anything else is 0."""
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        if math.isnan(v) or math.isinf(v) or not _INT64_MIN <= v < 2**63:
            return _INT64_MIN  # what Go's conversion gives on amd64
        return int(v)
    if isinstance(v, str):
        t = re.sub(r"^([+-]?\d+)\.0*$", r"\1", v)  # cast's trimZeroDecimal
        n = parse_go_int(t)
        return 0 if n is None else n
    return 0


def to_float64(v: Any) -> float:
    """cast.ToFloat64."""
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, str):
        f = parse_go_float(v)
        return 0.0 if f is None else f
    return 0.0


def empty(v: Any) -> bool:
    return not truth(v)


def need_map(v: Any) -> dict[str, Any]:
    """A map[string]interface{} parameter; nil (which Go's call check lets through) reads as empty."""
    if isinstance(v, dict):
        return v
    if v is None or v is MISSING:
        return {}
    raise ArgError(f"wrong type for value; expected map[string]interface {{}}; got {go_type(v)}")


NIL_DEREFERENCE = "runtime error: invalid memory address or nil pointer dereference"


def need_list(v: Any, fn: str) -> list[Any]:
    """A Sprig list parameter: any slice; nil panics in Sprig as it does here."""
    if isinstance(v, (list, tuple)):
        return list(v)
    if v is None or v is MISSING:
        raise FuncError(NIL_DEREFERENCE)
    raise FuncError(_NOT_A_LIST.get(fn, f"Cannot find {fn} on type").format(fn=fn) + f" {go_kind(v)}")


# Sprig's wording where a list function is given something else ("Cannot find X on type" otherwise)
_NOT_A_LIST = {"push": "Cannot push on type", "prepend": "Cannot prepend on type", "chunk": "Cannot chunk type",
               "compact": "Cannot compact on type"}


def deep_copy(v: Any) -> Any:
    """Sprig's deepCopy (copystructure): nil panics in reflection."""
    if v is None or v is MISSING:
        raise FuncError("reflect: call of reflect.Value.Type on zero Value")
    return copy_value(v)


def copy_value(v: Any) -> Any:
    """A deep copy of maps and lists (values are immutable)."""
    if isinstance(v, dict):
        return v.__class__((k, copy_value(x)) for k, x in v.items())  # a map[string]string stays one
    if isinstance(v, list):
        return v.__class__(copy_value(x) for x in v)  # so does a []string
    return v
