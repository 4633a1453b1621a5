"""Go's fmt and strconv formatting: Sprintf verbs, float formatting, quoting."""
from __future__ import annotations

import math
import re
import unicodedata
from decimal import Decimal
from typing import Any

from renderer.gotemplate.values import MISSING, go_type, sort_key
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


_VERB_RE = re.compile(r"%([-+# 0]*)(\d+|\*)?(?:\.(\d+|\*)?)?([a-zA-Z%])")


def go_sprintf(fmt: str, *args: Any) -> str:
    """fmt.Sprintf for the verbs templates use: b c d e E f F g G o O q s t T v x X U %."""
    out: list[str] = []
    ai = 0
    i = 0
    while i < len(fmt):
        j = fmt.find("%", i)
        if j < 0:
            out.append(fmt[i:])
            break
        out.append(fmt[i:j])
        m = _VERB_RE.match(fmt, j)
        if not m:
            out.append("%!(NOVERB)")
            break
        flags, width_s, prec_s, verb = m.groups()
        has_prec = "." in m.group(0)[: m.group(0).rfind(verb)] if prec_s is None else True
        i = m.end()
        if verb == "%":
            out.append("%")
            continue
        width = None
        if width_s == "*":
            width = args[ai] if ai < len(args) and isinstance(args[ai], int) else None
            ai += 1
        elif width_s:
            width = int(width_s)
        prec = None
        if prec_s == "*":
            prec = args[ai] if ai < len(args) and isinstance(args[ai], int) else None
            ai += 1
        elif prec_s:
            prec = int(prec_s)
        elif has_prec:
            prec = 0
        if ai >= len(args):
            out.append(f"%!{verb}(MISSING)")
            continue
        arg = args[ai]
        ai += 1
        out.append(fmt_one(verb, flags, width, prec, arg))
    if ai < len(args):
        extra = ", ".join(f"{go_type(a)}={go_sprint_value(a)}" if a is not None else "<nil>" for a in args[ai:])
        out.append(f"%!(EXTRA {extra})")
    return "".join(out)


def _pad(s: str, flags: str, width: int | None, numeric: bool = False) -> str:
    if width is None or len(s) >= width:
        return s
    if "-" in flags:
        return s + " " * (width - len(s))
    if "0" in flags and numeric:
        sign = s[0] if s and s[0] in "+- " else ""
        body = s[len(sign):]
        return sign + "0" * (width - len(s)) + body
    return " " * (width - len(s)) + s


def _bad_verb(verb: str, arg: Any) -> str:
    if arg is None:
        return f"%!{verb}(<nil>)"
    return f"%!{verb}({go_type(arg)}={go_sprint_value(arg)})"


def fmt_one(verb: str, flags: str, width: int | None, prec: int | None, arg: Any) -> str:
    if verb == "T":
        return _pad(go_type(arg) if arg is not None else "<nil>", flags, width)
    if verb == "v":
        if isinstance(arg, float):
            return fmt_one("g", flags, width, prec, arg)
        if isinstance(arg, int) and not isinstance(arg, bool):
            return fmt_one("d", flags, width, prec, arg)
        if isinstance(arg, str):
            return fmt_one("s", flags, width, prec, arg)
        if "+" in flags and isinstance(arg, dict):
            pass
        return _pad(go_sprint_value(arg), flags, width)
    if isinstance(arg, (list, tuple)) and verb in "sdqxXvfg" and not isinstance(arg, str):
        return _pad("[" + " ".join(fmt_one(verb, flags.replace("-", ""), None, prec, x) for x in arg) + "]", flags, width)
    if isinstance(arg, bool):
        if verb == "t":
            return _pad("true" if arg else "false", flags, width)
        return _bad_verb(verb, arg)
    if isinstance(arg, int):
        if verb in "dboOxXcqU":
            neg = arg < 0
            a = abs(arg)
            if verb == "d":
                body = str(a)
            elif verb == "b":
                body = format(a, "b")
            elif verb == "o":
                body = ("0" if "#" in flags else "") + format(a, "o")
            elif verb == "O":
                body = "0o" + format(a, "o")
            elif verb == "x":
                body = ("0x" if "#" in flags else "") + format(a, "x")
            elif verb == "X":
                body = ("0X" if "#" in flags else "") + format(a, "X")
            elif verb == "c":
                return _pad(chr(arg), flags, width)
            elif verb == "q":
                return _pad("'" + go_quote(chr(arg))[1:-1].replace("\\\"", '"') + "'", flags, width)
            else:
                return _pad(f"U+{arg:04X}", flags, width)
            if prec is not None and len(body) < prec:
                body = "0" * (prec - len(body)) + body
            sign = "-" if neg else ("+" if "+" in flags else (" " if " " in flags else ""))
            return _pad(sign + body, flags, width, numeric=prec is None)
        if verb in "eEfFgG":
            return _bad_verb(verb, arg)
        return _bad_verb(verb, arg)
    if isinstance(arg, float):
        if verb in "eEfFgGxX":
            if verb in "fF":
                body = go_format_float(abs(arg), "f", 6 if prec is None else prec)
            elif verb in "eE":
                body = go_format_float(abs(arg), "e", 6 if prec is None else prec)
            elif verb in "gG":
                body = go_format_float(abs(arg), "g", -1 if prec is None else prec)
            else:
                body = float.hex(abs(arg))
            if verb in "EGX":
                body = body.upper()
            neg = math.copysign(1, arg) < 0 and not math.isnan(arg)
            sign = "-" if neg else ("+" if "+" in flags else (" " if " " in flags else ""))
            return _pad(sign + body, flags, width, numeric=not math.isinf(arg))
        return _bad_verb(verb, arg)
    if isinstance(arg, str):
        if verb == "s":
            s = arg if prec is None else arg[:prec]
            return _pad(s, flags, width)
        if verb == "q":
            s = arg if prec is None else arg[:prec]
            if "#" in flags and "`" not in s and all(c.isprintable() or c == "\t" for c in s):
                return _pad("`" + s + "`", flags, width)
            return _pad(go_quote(s), flags, width)
        if verb in "xX":
            data = arg.encode("utf-8")
            if prec is not None:
                data = data[:prec]
            sep = " " if " " in flags else ""
            body = sep.join(format(b, "02x") for b in data)
            if "#" in flags:
                body = sep.join("0x" + format(b, "02x") for b in data) if sep else "0x" + body
            return _pad(body.upper() if verb == "X" else body, flags, width)
        return _bad_verb(verb, arg)
    if arg is None:
        if verb in "sdqxXfegt":
            return f"%!{verb}(<nil>)"
        return _pad("<nil>", flags, width)
    if isinstance(arg, dict):
        if verb in "sdqxX":
            return _pad("map[" + " ".join(f"{fmt_one(verb, '', None, None, k)}:{fmt_one(verb, '', None, prec, arg[k])}" for k in sorted(arg, key=sort_key)) + "]", flags, width)
        return _bad_verb(verb, arg)
    return _pad(go_sprint_value(arg), flags, width)



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
