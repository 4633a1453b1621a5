"""fmt.Sprintf as Go's fmt package does it: directive parsing (flags, `*` widths, `[n]`
argument indexes), per-type verbs, padding, and the `%!` error forms (`%!d(string=x)`,
`%!d(MISSING)`, `%!(EXTRA ...)`, `%!(BADINDEX)`, `%!(NOVERB)`)."""
from __future__ import annotations

import math
import struct
import unicodedata
from dataclasses import dataclass
from typing import Any

from renderer.gotemplate.fmt import go_format_float, go_quote
from renderer.gotemplate.values import MISSING, GoObject, IntList, StrList, StrMap, go_type, sort_key

_TOO_LARGE = 1_000_000


@dataclass
class Flags:
    plus: bool = False
    minus: bool = False
    sharp: bool = False
    space: bool = False
    zero: bool = False
    wid: int | None = None
    prec: int | None = None
    plus_v: bool = False
    sharp_v: bool = False


def is_print(ch: str) -> bool:
    """strconv.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space."""
    return ch == " " or unicodedata.category(ch)[0] in "LMNPS"


def _quote_rune_body(ch: str, ascii_only: bool, quote: str) -> str:
    if ch == quote or ch == "\\":
        return "\\" + ch
    if (ch.isascii() or not ascii_only) and is_print(ch):
        return ch
    special = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}
    if ch in special:
        return special[ch]
    r = ord(ch)
    if r < 0x20 or r == 0x7F:
        return f"\\x{r:02x}"
    if r < 0x10000:
        return f"\\u{r:04x}"
    return f"\\U{r:08x}"


def quote(s: str, ascii_only: bool = False) -> str:
    """strconv.Quote, or QuoteToASCII."""
    if not ascii_only:
        return go_quote(s)
    return '"' + "".join(_quote_rune_body(c, True, '"') for c in s) + '"'


def quote_rune(r: int, ascii_only: bool = False) -> str:
    ch = chr(r) if 0 <= r <= 0x10FFFF and not 0xD800 <= r <= 0xDFFF else "\ufffd"
    return "'" + _quote_rune_body(ch, ascii_only, "'") + "'"


def can_backquote(s: str) -> bool:
    return all(c == "\t" or (c not in "`\ufeff" and c >= " " and c != "\x7f") for c in s)


class Printer:
    """One Sprintf call: the output buffer and the flags of the directive in hand."""

    def __init__(self) -> None:
        self.out: list[str] = []
        self.f = Flags()

    # ---- padding -------------------------------------------------------------------
    def padding(self, n: int) -> str:
        return ("0" if self.f.zero else " ") * n if n > 0 else ""

    def pad(self, s: str) -> str:
        f = self.f
        if f.wid is None or f.wid <= len(s):
            return s
        if f.minus:
            return s + " " * (f.wid - len(s))
        return self.padding(f.wid - len(s)) + s

    def pad_no_zero(self, s: str) -> str:
        zero = self.f.zero
        self.f.zero = False
        try:
            return self.pad(s)
        finally:
            self.f.zero = zero

    # ---- values --------------------------------------------------------------------
    def bad_verb(self, verb: str, arg: Any) -> str:
        if arg is None or arg is MISSING:
            return f"%!{verb}(<nil>)"
        return f"%!{verb}({go_type(arg)}={self.arg(arg, 'v', 0)})"

    def arg(self, arg: Any, verb: str, depth: int) -> str:
        if arg is None or arg is MISSING:
            if depth > 0:
                return "interface {}(nil)" if self.f.sharp_v else "<nil>"  # Go writes it unpadded
            return self.pad("<nil>") if verb in "Tv" else self.bad_verb(verb, arg)
        if verb == "T":
            return self.pad(go_type(arg))
        if isinstance(arg, GoObject) and arg.has_method("String") and verb in "vsxXq" and not self.f.sharp_v:
            return self.string(str(arg), verb)  # a fmt.Stringer
        if isinstance(arg, bool):
            return self.pad("true" if arg else "false") if verb in "tv" else self.bad_verb(verb, arg)
        if isinstance(arg, int):
            return self.integer(arg, verb)
        if isinstance(arg, float):
            return self.float(arg, verb)
        if isinstance(arg, str):
            return self.string(arg, verb)
        if isinstance(arg, dict):
            return self.mapping(arg, verb, depth)
        if isinstance(arg, (list, tuple)):
            return self.sequence(arg, verb, depth)
        from renderer.gotemplate.fmt import go_sprint_value

        return self.pad(go_sprint_value(arg)) if verb == "v" else self.bad_verb(verb, arg)

    def sequence(self, items: Any, verb: str, depth: int) -> str:
        if self.f.sharp_v:
            return go_type(items) + "{" + ", ".join(self.arg(x, verb, depth + 1) for x in items) + "}"
        return "[" + " ".join(self.arg(x, verb, depth + 1) for x in items) + "]"

    def mapping(self, m: dict[Any, Any], verb: str, depth: int) -> str:
        keys = sorted(m, key=sort_key)
        if self.f.sharp_v:
            body = ", ".join(f"{self.arg(k, verb, depth + 1)}:{self.arg(m[k], verb, depth + 1)}" for k in keys)
            return go_type(m) + "{" + body + "}"
        return "map[" + " ".join(f"{self.arg(k, verb, depth + 1)}:{self.arg(m[k], verb, depth + 1)}" for k in keys) + "]"

    def integer(self, n: int, verb: str) -> str:
        f = self.f
        if verb == "v":
            verb = "d"
        if verb == "c":
            return self.pad(chr(n) if 0 <= n <= 0x10FFFF and not 0xD800 <= n <= 0xDFFF else "\ufffd")
        if verb == "q":
            ch = chr(n) if 0 <= n <= 0x10FFFF and not 0xD800 <= n <= 0xDFFF else "\ufffd"
            if f.sharp and is_print(ch):
                return self.pad("'" + ch + "'")
            return self.pad(quote_rune(n, f.plus))
        if verb == "U":
            body = f"{n & (2**64 - 1) if n < 0 else n:X}"
            if f.prec is not None and len(body) < f.prec:
                body = "0" * (f.prec - len(body)) + body
            body = "U+" + body.rjust(4, "0")
            if f.sharp and 0 <= n <= 0x10FFFF and not 0xD800 <= n <= 0xDFFF and is_print(chr(n)):
                body += " '" + chr(n) + "'"
            return self.pad_no_zero(body)
        bases = {"d": 10, "b": 2, "o": 8, "O": 8, "x": 16, "X": 16}
        if verb not in bases:
            return self.bad_verb(verb, n)
        base = bases[verb]
        neg = n < 0
        u = -n if neg else n
        prec = 0
        if f.prec is not None:
            prec = f.prec
            if prec == 0 and u == 0:
                return self.pad_no_zero("")
        elif f.zero and not f.minus and f.wid is not None:
            prec = f.wid - (1 if neg or f.plus or f.space else 0)
        digits = {10: "{:d}", 2: "{:b}", 8: "{:o}", 16: "{:x}"}[base].format(u)
        if verb == "X":
            digits = digits.upper()
        if len(digits) < prec:
            digits = "0" * (prec - len(digits)) + digits
        if f.sharp:
            if base == 2:
                digits = "0b" + digits
            elif base == 8 and not digits.startswith("0"):
                digits = "0" + digits
            elif base == 16:
                digits = ("0X" if verb == "X" else "0x") + digits
        if verb == "O":
            digits = "0o" + digits
        sign = "-" if neg else "+" if f.plus else " " if f.space else ""
        return self.pad_no_zero(sign + digits)

    def float(self, x: float, verb: str) -> str:
        f = self.f
        if verb == "v":
            verb = "g"
        if verb in "bgGxX":
            prec = -1 if f.prec is None else f.prec
        elif verb in "feEF":
            prec = 6 if f.prec is None else f.prec
        else:
            return self.bad_verb(verb, x)
        num = _format_float(x, verb, prec)
        if num[0] not in "+-":
            num = "+" + num
        if f.space and num[0] == "+" and not f.plus:
            num = " " + num[1:]
        if num[1] in "IN":
            if num[1] == "N" and not f.space and not f.plus:
                num = num[1:]
            return self.pad_no_zero(num)
        if f.sharp and verb != "b":
            num = _sharp_float(num, verb, prec)
        if f.plus or num[0] != "+":
            if f.zero and not f.minus and f.wid is not None and f.wid > len(num):
                return num[0] + self.padding(f.wid - len(num)) + num[1:]
            return self.pad(num)
        return self.pad(num[1:])

    def string(self, s: str, verb: str) -> str:
        f = self.f
        if verb == "v" and f.sharp_v:
            verb = "q"
        if verb in "sv":
            return self.pad(s if f.prec is None else s[: f.prec])
        if verb == "q":
            s = s if f.prec is None else s[: f.prec]
            if f.sharp and can_backquote(s):
                return self.pad("`" + s + "`")
            return self.pad(quote(s, f.plus))
        if verb in "xX":
            return self.hex_bytes(s.encode("utf-8"), verb)
        return self.bad_verb(verb, s)

    def hex_bytes(self, data: bytes, verb: str) -> str:
        f = self.f
        if f.prec is not None:
            data = data[: f.prec]
        if not data:
            return self.padding(f.wid) if f.wid is not None else ""
        prefix = "0X" if verb == "X" else "0x"
        parts = [format(b, "02X" if verb == "X" else "02x") for b in data]
        if f.space:
            body = " ".join((prefix if f.sharp else "") + p for p in parts)
        else:
            body = (prefix if f.sharp else "") + "".join(parts)
        if f.wid is not None and f.wid > len(body):
            return body + self.padding(f.wid - len(body)) if f.minus else self.padding(f.wid - len(body)) + body
        return body


def _format_float(x: float, verb: str, prec: int) -> str:
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "+Inf" if x > 0 else "-Inf"
    if verb in "xX":
        s = _hex_float(x, prec)
        return s.upper() if verb == "X" else s
    if verb == "b":  # strconv's 'b': the IEEE fraction (with its hidden bit) and exponent
        bits = struct.unpack(">Q", struct.pack(">d", x))[0]
        mant, exp = bits & ((1 << 52) - 1), (bits >> 52) & 0x7FF
        if exp == 0:
            exp = 1  # subnormal
        else:
            mant |= 1 << 52
        return ("-" if bits >> 63 else "") + f"{mant}p{exp - 1075:+d}"
    body = go_format_float(x, verb.lower() if verb in "FG" or verb in "E" else verb, prec)
    if verb in "EG":
        body = body.upper()
    return body


def _hex_float(x: float, prec: int) -> str:
    """strconv's 'x' format: 0x1.8p+01; prec counts hex digits after the point."""
    sign = "-" if math.copysign(1, x) < 0 else ""
    if x == 0:
        mant, exp = 0, 0
    else:
        m, e = math.frexp(abs(x))  # m in [0.5, 1)
        mant, exp = int(m * 2**53), e - 1  # 53-bit mantissa with the leading 1 at bit 52
    frac = mant & ((1 << 52) - 1)
    lead = mant >> 52
    digits = f"{frac:013x}"
    if prec < 0:
        digits = digits.rstrip("0")
    elif prec < 13:
        # round half to even on the dropped bits
        shift = (13 - prec) * 4
        full = (lead << 52) | frac
        q, r = divmod(full, 1 << shift)
        half = 1 << (shift - 1)
        if r > half or (r == half and q & 1):
            q += 1
        full = q << shift
        if full >> 53:
            full >>= 1
            exp += 1
        lead, frac = full >> 52, full & ((1 << 52) - 1)
        digits = f"{frac:013x}"[:prec]
    else:
        digits = digits + "0" * (prec - 13)
    body = f"0x{lead}" + ("." + digits if digits else "")
    return f"{sign}{body}p{'+' if exp >= 0 else '-'}{abs(exp):02d}"


def _sharp_float(num: str, verb: str, prec: int) -> str:
    """The `#` flag: always a decimal point; %g keeps its trailing zeros."""
    digits = (6 if prec == -1 else prec) if verb in "vgGx" else 0  # not X: as Go
    tail = ""
    has_point = False
    seen_nonzero = False
    body = num
    for i in range(1, len(num)):
        c = num[i]
        if c == ".":
            has_point = True
        elif c in "pP" or (c in "eE" and verb not in "xX"):
            tail, body = num[i:], num[:i]
            break
        else:
            if c != "0":
                seen_nonzero = True
            if seen_nonzero:
                digits -= 1
    if not has_point:
        if len(body) == 2 and body[1] == "0":
            digits -= 1
        body += "."
    if digits > 0:
        body += "0" * digits
    return body + tail


def _parse_num(s: str, i: int, end: int) -> tuple[int | None, int]:
    num, isnum = 0, False
    while i < end and "0" <= s[i] <= "9":
        if num > _TOO_LARGE or num < -_TOO_LARGE:
            return None, end
        num = num * 10 + int(s[i])
        isnum = True
        i += 1
    return (num if isnum else None), i


def _int_from_arg(args: tuple[Any, ...], n: int) -> tuple[int | None, int]:
    if n >= len(args):
        return None, n
    v = args[n]
    ok = isinstance(v, int) and not isinstance(v, bool) and -_TOO_LARGE <= v <= _TOO_LARGE
    return (v if ok else None), n + 1


def sprintf(fmt: str, *args: Any) -> str:
    """fmt.Sprintf."""
    p = Printer()
    out = p.out
    arg_num = 0
    reordered = False
    i, end = 0, len(fmt)

    def arg_number(i: int) -> tuple[int, int, bool, bool]:
        """Go's argNumber: (argNum, i, found, good)."""
        nonlocal reordered
        if i >= end or fmt[i] != "[":
            return arg_num, i, False, True
        reordered = True
        close = fmt.find("]", i + 1)
        if end - i < 3 or close < 0:
            return arg_num, i + 1, False, False
        index, newi = _parse_num(fmt, i + 1, close)
        if index is None or newi != close:
            return arg_num, close + 1, False, False
        index -= 1
        if 0 <= index < len(args):
            return index, close + 1, True, True
        return arg_num, close + 1, True, False

    while i < end:
        j = fmt.find("%", i)
        if j < 0:
            out.append(fmt[i:])
            break
        out.append(fmt[i:j])
        i = j + 1
        p.f = f = Flags()
        good = True
        while i < end and fmt[i] in "#0+- ":
            c = fmt[i]
            if c == "#":
                f.sharp = True
            elif c == "0":
                f.zero = not f.minus
            elif c == "+":
                f.plus = True
            elif c == "-":
                f.minus, f.zero = True, False
            else:
                f.space = True
            i += 1
        arg_num, i, after_index, ok = arg_number(i)
        good = good and ok
        if i < end and fmt[i] == "*":
            i += 1
            f.wid, arg_num = _int_from_arg(args, arg_num)
            if f.wid is None:
                out.append("%!(BADWIDTH)")
            elif f.wid < 0:
                f.wid, f.minus, f.zero = -f.wid, True, False
            after_index = False
        else:
            f.wid, i = _parse_num(fmt, i, end)
            if after_index and f.wid is not None:
                good = False
        if i + 1 < end and fmt[i] == ".":
            i += 1
            if after_index:
                good = False
            arg_num, i, after_index, ok = arg_number(i)
            good = good and ok
            if i < end and fmt[i] == "*":
                i += 1
                f.prec, arg_num = _int_from_arg(args, arg_num)
                if f.prec is not None and f.prec < 0:
                    f.prec = None
                if f.prec is None:
                    out.append("%!(BADPREC)")
                after_index = False
            else:
                f.prec, i = _parse_num(fmt, i, end)
                if f.prec is None:
                    f.prec = 0
        if not after_index:
            arg_num, i, after_index, ok = arg_number(i)
            good = good and ok
        if i >= end:
            out.append("%!(NOVERB)")
            break
        verb = fmt[i]
        i += 1
        if verb == "%":
            out.append("%")
        elif not good:
            out.append(f"%!{verb}(BADINDEX)")
        elif arg_num >= len(args):
            out.append(f"%!{verb}(MISSING)")
        else:
            if verb == "v":
                f.sharp_v, f.sharp = f.sharp, False
                f.plus_v, f.plus = f.plus, False
            out.append(p.arg(args[arg_num], verb, 0))
            arg_num += 1
    if not reordered and arg_num < len(args):
        p.f = Flags()
        extra = []
        for a in args[arg_num:]:
            extra.append("<nil>" if a is None or a is MISSING else f"{go_type(a)}={p.arg(a, 'v', 0)}")
        out.append("%!(EXTRA " + ", ".join(extra) + ")")
    return "".join(out)


__all__ = ["sprintf", "quote", "quote_rune", "is_print", "StrList", "IntList", "StrMap"]
