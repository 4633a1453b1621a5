"""Sprig's integer and float arithmetic: int64 that wraps, decimal float operations."""
from __future__ import annotations

import decimal
import math
from typing import Any, Callable

from renderer.gotemplate.args import to_float64, to_int64
from renderer.gotemplate.errors import FuncError
from renderer.gotemplate.fmt import go_format_float
from renderer.gotemplate.values import Int64, wrap_int64


def _round(a: Any, p: Any, r_opt: Any = 0.5) -> float:
    val = to_float64(a)
    places = to_int64(p)
    round_on = to_float64(r_opt)
    try:
        pow_ = 10.0 ** places
    except OverflowError:
        pow_ = math.inf  # Go's math.Pow overflows to +Inf
    digit = pow_ * val
    frac = math.modf(digit)[0]
    if math.isfinite(digit):
        rounder = float(math.ceil(digit) if frac >= round_on else math.floor(digit))
    else:
        rounder = digit  # Go's Ceil/Floor keep infinities and NaN
    if pow_ == 0:  # Go's float division by zero: NaN or an infinity, never a panic
        return math.nan if rounder == 0 or math.isnan(rounder) else math.copysign(math.inf, rounder)
    return rounder / pow_


def _max(a: Any, *rest: Any) -> Int64:
    return Int64(max([to_int64(a)] + [to_int64(x) for x in rest]))


def _min(a: Any, *rest: Any) -> Int64:
    return Int64(min([to_int64(a)] + [to_int64(x) for x in rest]))


def _div(a: Any, b: Any) -> Int64:
    x, y = to_int64(a), to_int64(b)
    if y == 0:
        raise FuncError("runtime error: integer divide by zero")
    q = abs(x) // abs(y)
    return wrap_int64(q if (x >= 0) == (y >= 0) else -q)


def _mod(a: Any, b: Any) -> Int64:
    x, y = to_int64(a), to_int64(b)
    if y == 0:
        raise FuncError("runtime error: integer divide by zero")
    return wrap_int64(x - _div(x, y) * y)


def _add(*args: Any) -> Int64:
    return wrap_int64(sum(to_int64(a) for a in args))


def _mul(a: Any, *rest: Any) -> Int64:
    acc = to_int64(a)
    for r in rest:
        acc = wrap_int64(acc * to_int64(r))
    return wrap_int64(acc)


# Sprig's float arithmetic goes through shopspring/decimal: exact on the shortest decimal
# form of each operand (addf 0.1 0.2 is 0.3), 16 fractional digits for a quotient.
_EXACT = decimal.Context(prec=2000, Emax=999_999, Emin=-999_999, rounding=decimal.ROUND_HALF_UP)


def _dec(v: Any) -> decimal.Decimal:
    f = to_float64(v)
    if math.isnan(f) or math.isinf(f):
        raise FuncError(f"Cannot create a Decimal from {go_format_float(f)}")
    return decimal.Decimal(repr(f))


def _decimal_op(op: str) -> Callable[..., float]:
    def fn(a: Any, *rest: Any) -> float:
        acc = _dec(a)
        for r in rest:
            d = _dec(r)
            if op == "+":
                acc = _EXACT.add(acc, d)
            elif op == "-":
                acc = _EXACT.subtract(acc, d)
            elif op == "*":
                acc = _EXACT.multiply(acc, d)
            else:
                if d == 0:
                    raise FuncError("decimal division by 0")
                acc = _EXACT.divide(acc, d).quantize(decimal.Decimal("1e-16"), context=_EXACT)
        return float(acc) + 0.0  # a decimal has no negative zero

    return fn


def _maxf(a: Any, *rest: Any) -> float:
    acc = to_float64(a)
    for r in rest:
        b = to_float64(r)
        acc = math.nan if math.isnan(acc) or math.isnan(b) else max(acc, b)
    return acc


def _minf(a: Any, *rest: Any) -> float:
    acc = to_float64(a)
    for r in rest:
        b = to_float64(r)
        acc = math.nan if math.isnan(acc) or math.isnan(b) else min(acc, b)
    return acc


FUNCS: dict[str, Callable[..., Any]] = {
    "add": _add,
    "add1": lambda a: wrap_int64(to_int64(a) + 1),
    "sub": lambda a, b: wrap_int64(to_int64(a) - to_int64(b)),
    "mul": _mul,
    "div": _div,
    "mod": _mod,
    "max": _max,
    "min": _min,
    "biggest": _max,
    "addf": lambda *a: _decimal_op("+")(0.0, *a),
    "add1f": lambda a: _decimal_op("+")(a, 1),
    "subf": _decimal_op("-"),
    "mulf": lambda *a: _decimal_op("*")(1.0, *a),
    "divf": _decimal_op("/"),
    "maxf": _maxf,
    "minf": _minf,
    "round": _round,
    "ceil": lambda a: float(math.ceil(to_float64(a))) if math.isfinite(to_float64(a)) else to_float64(a),
    "floor": lambda a: float(math.floor(to_float64(a))) if math.isfinite(to_float64(a)) else to_float64(a),
}
