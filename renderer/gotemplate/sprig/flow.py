"""Sprig's defaults, flow control and type inspection."""
from __future__ import annotations

from typing import Any, Callable

from renderer.gotemplate.args import arg_str, empty
from renderer.gotemplate.errors import ArgError, FuncError
from renderer.gotemplate.values import MISSING, go_equal, go_kind, go_type, truth


def _kind_of(v: Any) -> str:
    """reflect.Kind's name: int64 stays int64, any map is map, any slice is slice."""
    return go_kind(v)


def _deep_equal(a: Any, b: Any) -> bool:
    return go_equal(a, b)


def _fail(msg: Any) -> Any:
    raise FuncError(arg_str(msg))


def _required(msg: Any, v: Any) -> Any:
    if v is None or v is MISSING or v == "":
        raise FuncError(arg_str(msg))
    return v


def _all(*args: Any) -> bool:
    return all(truth(a) for a in args)


def _any(*args: Any) -> bool:
    return any(truth(a) for a in args)


def default_(d: Any, *given: Any) -> Any:
    if not given or empty(given[0]):
        return d
    return given[0]


def _coalesce(*vs: Any) -> Any:
    for v in vs:
        if not empty(v):
            return v
    return None


def _ternary(vt: Any, vf: Any, cond: Any) -> Any:
    if not isinstance(cond, bool):
        raise ArgError(f"wrong type for value; expected bool; got {go_type(cond)}")
    return vt if cond else vf


FUNCS: dict[str, Callable[..., Any]] = {
    "default": default_,
    "empty": empty,
    "coalesce": _coalesce,
    "all": _all,
    "any": _any,
    "ternary": _ternary,
    "fail": _fail,
    "required": _required,
    "deepEqual": _deep_equal,
    "kindOf": _kind_of,
    "kindIs": lambda k, v: arg_str(k) == _kind_of(v),
    "typeOf": lambda v: go_type(v),
    "typeIs": lambda t, v: arg_str(t) == go_type(v),
    "typeIsLike": lambda t, v: arg_str(t) in (go_type(v), "*" + go_type(v)),
}
