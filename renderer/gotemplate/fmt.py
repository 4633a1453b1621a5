"""Go's fmt and strconv formatting: Sprintf verbs, float formatting, quoting."""
from __future__ import annotations

import math
import unicodedata
from decimal import Decimal
from typing import Any

from renderer.gotemplate.values import MISSING, sort_key


def go_format_float(f: float, fmt: str = "g", prec: int = -1) -> str:
    """strconv.FormatFloat(f, fmt, prec, 64) for fmt in 'e', 'f', 'g' (prec -1 = shortest)."""
    if math.isnan(f):
        return "NaN"
    if math.isinf(f):
        return "+Inf" if f > 0 else "-Inf"
    neg = "-" if math.copysign(1, f) < 0 else ""
    if fmt == "f":
        if prec < 0:
            return plain_float(f)
        return f"{f:.{prec}f}"
    if fmt == "e":
        if prec < 0:
            digits, exp = shortest(f)
            mant = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
            return neg + mant + exp_str(exp)
        m, _, e = f"{f:.{prec}e}".partition("e")
        return m + exp_str(int(e))
    if prec < 0:
        digits, exp = shortest(f)
        if exp < -4 or exp >= 6 and exp >= 6:
            if exp < -4 or exp >= 6:
                mant = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
                return neg + mant + exp_str(exp)
        return plain_float(f)
    if prec == 0:
        prec = 1
    digits_s = f"{abs(f):.{prec - 1}e}"
    m, _, e = digits_s.partition("e")
    exp = int(e)
    if exp < -4 or exp >= prec:
        m = m.rstrip("0").rstrip(".") if "." in m else m
        return neg + m + exp_str(exp)
    out = f"{abs(f):.{max(prec - 1 - exp, 0)}f}"
    if "." in out:
        out = out.rstrip("0").rstrip(".")
    return neg + out


def shortest(f: float) -> tuple[str, int]:
    """Shortest round-trip decimal digits of |f| and the decimal exponent of the first."""
    if f == 0:
        return "0", 0
    d = Decimal(repr(abs(f)))
    sign, digits, exponent = d.as_tuple()
    ds = "".join(map(str, digits)).lstrip("0") or "0"
    # value = int(digits) * 10**exponent; exponent of first digit:
    exp = len("".join(map(str, digits)).lstrip("0")) - 1 + int(exponent)
    ds = ds.rstrip("0") or "0"
    return ds, exp


def exp_str(exp: int) -> str:
    return ("e+" if exp >= 0 else "e-") + f"{abs(exp):02d}"


def go_quote(s: str) -> str:
    """strconv.Quote."""
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch in "\a\b\f\n\r\t\v":
            out.append({"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}[ch])
        elif o < 0x20 or o == 0x7F:
            out.append(f"\\x{o:02x}")
        elif o < 0x80 or (ch.isprintable() and unicodedata.category(ch) not in ("Zs",) or ch == " "):
            out.append(ch)
        elif o < 0x10000:
            out.append(f"\\u{o:04x}")
        else:
            out.append(f"\\U{o:08x}")
    out.append('"')
    return "".join(out)


def plain_float(x: float) -> str:
    digits, exp = shortest(x)
    neg = "-" if math.copysign(1, x) < 0 else ""
    if digits == "0":
        return neg + "0"
    if exp < 0:
        return neg + "0." + "0" * (-exp - 1) + digits
    if exp + 1 >= len(digits):
        return neg + digits + "0" * (exp + 1 - len(digits))
    return neg + digits[: exp + 1] + "." + digits[exp + 1 :]


def go_sprint_value(v: Any) -> str:
    """fmt.Sprint of one value (%v)."""
    if v is None or v is MISSING:
        return "<nil>"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return go_format_float(v, "g", -1)
    if isinstance(v, complex):
        im = go_format_float(v.imag, "g", -1)
        return f"({go_format_float(v.real, 'g', -1)}{'' if im[0] in '+-' else '+'}{im}i)"
    if isinstance(v, str):
        return v
    if isinstance(v, dict):
        return "map[" + " ".join(f"{go_sprint_value(k)}:{go_sprint_value(v[k])}" for k in sorted(v, key=sort_key)) + "]"
    if isinstance(v, (list, tuple)):
        return "[" + " ".join(go_sprint_value(x) for x in v) + "]"
    if isinstance(v, bytes):
        return "[" + " ".join(str(b) for b in v) + "]"
    if callable(v):
        return "0x0"
    return str(v)


def go_sprint(*args: Any) -> str:
    """fmt.Sprint: spaces between operands when neither side is a string."""
    out: list[str] = []
    prev_string = True
    for i, a in enumerate(args):
        is_string = isinstance(a, str)
        if i > 0 and not is_string and not prev_string:
            out.append(" ")
        out.append(go_sprint_value(a))
        prev_string = is_string
    return "".join(out)
