"""Sprig's integer and float arithmetic."""
from __future__ import annotations

import math
from typing import Any, Callable

from renderer.gotemplate.args import to_float64, to_int64
from renderer.gotemplate.errors import FuncError
def _round(a: Any, p: Any, r_opt: Any = 0.5) -> float:
    val = to_float64(a)
    places = to_int64(p)
    round_on = to_float64(r_opt)
    pow_ = 10.0 ** places
    digit = pow_ * val
    frac = math.modf(digit)[0]
    rounder = math.ceil(digit) if frac >= round_on else math.floor(digit)
    return rounder / pow_


def _max(a: Any, *rest: Any) -> int:
    return max([to_int64(a)] + [to_int64(x) for x in rest])


def _min(a: Any, *rest: Any) -> int:
    return min([to_int64(a)] + [to_int64(x) for x in rest])


def _div(a: Any, b: Any) -> int:
    x, y = to_int64(a), to_int64(b)
    if y == 0:
        raise FuncError("runtime error: integer divide by zero")
    q = abs(x) // abs(y)
    return q if (x >= 0) == (y >= 0) else -q


def _mod(a: Any, b: Any) -> int:
    x, y = to_int64(a), to_int64(b)
    if y == 0:
        raise FuncError("runtime error: integer divide by zero")
    return x - _div(x, y) * y


def _float_op(op: Callable[[float, float], float]) -> Callable[..., float]:
    def fn(a: Any, *rest: Any) -> float:
        acc = to_float64(a)
        for r in rest:
            acc = op(acc, to_float64(r))
        return acc

    return fn


def _int_sum(*args: Any) -> int:
    return sum(to_int64(a) for a in args)


def _int_mul(a: Any, *rest: Any) -> int:
    acc = to_int64(a)
    for r in rest:
        acc *= to_int64(r)
    return acc


FUNCS: dict[str, Callable[..., Any]] = {
    "add": _int_sum,
    "add1": lambda a: to_int64(a) + 1,
    "sub": lambda a, b: to_int64(a) - to_int64(b),
    "mul": _int_mul,
    "div": _div,
    "mod": _mod,
    "max": _max,
    "min": _min,
    "biggest": _max,
    "addf": _float_op(lambda a, b: a + b),
    "add1f": lambda a: to_float64(a) + 1,
    "subf": _float_op(lambda a, b: a - b),
    "mulf": _float_op(lambda a, b: a * b),
    "divf": _float_op(lambda a, b: a / b if b else (math.inf if a > 0 else -math.inf if a < 0 else math.nan)),
    "maxf": lambda a, *r: max([to_float64(a)] + [to_float64(x) for x in r]),
    "minf": lambda a, *r: min([to_float64(a)] + [to_float64(x) for x in r]),
    "round": _round,
    "ceil": lambda a: float(math.ceil(to_float64(a))),
    "floor": lambda a: float(math.floor(to_float64(a))),
}
