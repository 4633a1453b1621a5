"""go-yaml's scalar rules and go-yaml v2's emitter, as `kubectl kustomize` prints resources.

Private to `renderer.core.yaml`. Kustomize prints each resource by marshalling it to JSON and
handing the JSON to sigs.k8s.io/yaml's JSONToYAML, which is go-yaml v2 `Unmarshal` into
`interface{}` followed by v2 `Marshal`. So printing a plain Python value means:

1. the JSON stage: numbers as Go's encoding/json writes them, then re-read by v2's resolver
   (a float 1.0 comes back as the int 1; 1e21 stays a float); NaN and infinities fail;
   characters the v2 reader refuses (DEL, C1 controls, U+FFFE/U+FFFF) fail;
2. the v2 encoder: map keys in v2's "natural" order, a string plain unless v2 would read the
   plain form back as something else (then double-quoted), a literal block when it has a
   newline;
3. the libyaml emitter as go-yaml v2 ports it: scalar analysis may downgrade plain to
   single-quoted and single-quoted or literal to double-quoted; long scalars fold at a space
   once past column 80; keys longer than 128 bytes or multi-line use the `? ` form.

The Go number/time parsing helpers at the top are shared with the loader (go-yaml v3's
resolver uses the same strconv calls).
"""
from __future__ import annotations

import math
import re
import sys
from functools import cmp_to_key
from typing import Any, Iterable

from renderer.core.errors import RenderError

# --------------------------------------------------------------------------------------
# Go strconv, as go-yaml's resolvers call it
# --------------------------------------------------------------------------------------

INT64_MIN = -(1 << 63)
INT64_MAX = (1 << 63) - 1
UINT64_MAX = (1 << 64) - 1

NOT_A_NUMBER: Any = object()
"""Sentinel: the text does not resolve to an int or a float."""

# strconv.ParseInt(s, 0, 64) syntax: sign, then 0x/0o/0b prefix, a leading-0 octal, or decimal.
_GO_INT0 = re.compile(r"([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)")
_GO_INT_BASE = {2: re.compile(r"[+-]?[01]+"), 8: re.compile(r"[+-]?[0-7]+")}
# go-yaml's yamlStyleFloat (Go's `$` is end of text: use fullmatch).
_YAML_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
# what strconv.ParseFloat accepts of a text starting with '.'
_GO_DOT_FLOAT = re.compile(r"\.[0-9]+([eE][-+]?[0-9]+)?")


def _go_int0(s: str, signed: bool) -> int | None:
    """strconv.ParseInt(s, 0, 64) (signed) or ParseUint(s, 0, 64): the value or None."""
    m = _GO_INT0.fullmatch(s)
    if m is None:
        return None
    sign, body = m.group(1), m.group(2)
    if len(body) > 20 and body[0] != "0":
        return None  # past uint64 (20 digits); also keeps int() clear of Python's digit limit
    if len(body) > 1 and body[0] == "0":
        v = int(body, 0) if body[1] in "xXoObB" else int(body[1:], 8)
    else:
        v = int(body)
    if signed:
        if sign == "-":
            v = -v
        return v if INT64_MIN <= v <= INT64_MAX else None
    if sign:  # ParseUint takes no sign at all
        return None
    return v if v <= UINT64_MAX else None


def _go_int_base(s: str, base: int, signed: bool) -> int | None:
    """strconv.ParseInt/ParseUint(s, base, 64) for base 2 or 8 (a sign is allowed)."""
    if _GO_INT_BASE[base].fullmatch(s) is None:
        return None
    v = int(s, base)
    if signed:
        return v if INT64_MIN <= v <= INT64_MAX else None
    if s[0] in "+-":
        return None
    return v if v <= UINT64_MAX else None


def _go_float(s: str) -> float | None:
    """strconv.ParseFloat of an already-validated decimal text; None on a range error."""
    f = float(s)
    return None if math.isinf(f) else f  # underflow gives 0 without error, as in Go


def resolve_number(s: str, v3: bool) -> Any:
    """The int/float go-yaml resolves a plain scalar starting with a digit or sign to.

    Returns an int (int64 or uint64 range), a float, or NOT_A_NUMBER. `v3` adds the
    `0o` branch only go-yaml v3 has. Underscores are dropped first, as go-yaml does.
    """
    plain = s.replace("_", "") if "_" in s else s
    v = _go_int0(plain, True)
    if v is not None:
        return v
    v = _go_int0(plain, False)
    if v is not None:
        return v
    if _YAML_FLOAT.fullmatch(plain) is not None:
        f = _go_float(plain)
        if f is not None:
            return f
    for prefix, base, only_v3 in (("0b", 2, False), ("0o", 8, True)):
        if only_v3 and not v3:
            continue
        if plain.startswith(prefix):
            v = _go_int_base(plain[2:], base, True)
            if v is None:
                v = _go_int_base(plain[2:], base, False)
            if v is not None:
                return v
        elif plain.startswith("-" + prefix):
            v = _go_int_base("-" + plain[3:], base, True)
            if v is not None:
                return v
    return NOT_A_NUMBER


def resolve_dot_float(s: str) -> float | None:
    """strconv.ParseFloat of a plain scalar starting with '.' (not one of the .inf/.nan words)."""
    if _GO_DOT_FLOAT.fullmatch(s) is None:
        return None
    return _go_float(s)


# --------------------------------------------------------------------------------------
# Go time.Parse with go-yaml's four timestamp layouts, and RFC 3339 output
# --------------------------------------------------------------------------------------

_TIMESTAMP = re.compile(
    r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})"
    r"(?:([Tt ])([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})(?:[.,]([0-9]+))?(Z|[+-][0-9]{2}:[0-9]{2})?)?"
)
_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def parse_timestamp(s: str) -> tuple[int, int, int, int, int, int, int, int] | None:
    """go-yaml's parseTimestamp: (Y, M, D, h, m, s, nanos, offset minutes) or None.

    The layouts are "2006-1-2T15:4:5.999999999Z07:00" (also with "t"), "2006-1-2
    15:4:5.999999999" (no zone) and "2006-1-2"; Go accepts ',' as the fraction separator,
    keeps at most 9 fraction digits (truncating), and range-checks every field.
    """
    if len(s) < 8 or s[4] != "-" or not s[:4].isdigit():
        return None
    m = _TIMESTAMP.fullmatch(s)
    if m is None:
        return None
    year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
    sep, zone = m.group(4), m.group(9)
    if sep is None:
        hour = minute = sec = nanos = offset = 0
    else:
        if (sep == " ") == (zone is not None):  # T/t need a zone, the space form has none
            return None
        hour, minute, sec = int(m.group(5)), int(m.group(6)), int(m.group(7))
        frac = m.group(8)
        nanos = int(frac[:9].ljust(9, "0")) if frac else 0
        offset = 0
        if zone and zone != "Z":
            zh, zm = int(zone[1:3]), int(zone[4:6])
            if zh > 24 or zm > 60:
                return None
            offset = zh * 60 + zm
            if zone[0] == "-":
                offset = -offset
        if hour > 23 or minute > 59 or sec > 59:
            return None
    if not 1 <= month <= 12:
        return None
    days = _DAYS[month - 1]
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        days = 29
    if not 1 <= day <= days:
        return None
    return year, month, day, hour, minute, sec, nanos, offset


def format_rfc3339nano(ts: tuple[int, int, int, int, int, int, int, int]) -> str:
    """What Go's time.Time MarshalJSON writes (RFC 3339, fraction without trailing zeros).

    Raises ValueError where Go's MarshalJSON fails (a zone offset of 24 hours or more).
    """
    year, month, day, hour, minute, sec, nanos, offset = ts
    out = f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{sec:02d}"
    if nanos:
        out += "." + f"{nanos:09d}".rstrip("0")
    if offset == 0:
        return out + "Z"
    zh, zm = divmod(abs(offset), 60)
    if zh > 23:
        raise ValueError("Time.MarshalJSON: timezone hour outside of range [0,23]")
    return out + ("-" if offset < 0 else "+") + f"{zh:02d}:{zm:02d}"


# --------------------------------------------------------------------------------------
# go-yaml v2's resolver: does a plain string read back as a string?
# --------------------------------------------------------------------------------------

_HINT = {c: "D" for c in "0123456789"}
_HINT.update({"+": "S", "-": "S", ".": "."})
_HINT.update({c: "M" for c in "yYnNtTfFoO~"})

_V2_WORDS = frozenset(
    "y Y yes Yes YES true True TRUE on On ON n N no No NO false False FALSE off Off OFF"
    " ~ null Null NULL .nan .NaN .NAN .inf .Inf .INF +.inf +.Inf +.INF -.inf -.Inf -.INF".split()
)
_BASE60 = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?")


def v2_plain_is_string(s: str) -> bool:
    """True when go-yaml v2 reads `s` written plain back as the same string.

    That is v2's `resolve("", s)` giving !!str and `isBase60Float(s)` false: the encoder
    double-quotes every other string (yes/no/on/off, numbers, dates, "1:20", "").
    """
    if not s:
        return False
    hint = _HINT.get(s[0])
    if hint is None:
        return True
    if s in _V2_WORDS:
        return False
    if hint == "M":
        return True
    if hint == ".":
        return resolve_dot_float(s) is None
    if parse_timestamp(s) is not None:
        return False
    if resolve_number(s, False) is not NOT_A_NUMBER:
        return False
    return not (":" in s and _BASE60.fullmatch(s) is not None)


# --------------------------------------------------------------------------------------
# The JSON stage: numbers
# --------------------------------------------------------------------------------------


def _shortest_digits(f: float) -> tuple[str, int]:
    """Shortest round-trip decimal digits of abs(f) and Go's decimal point position.

    The value is 0.DIGITS x 10**dp, as strconv's decimal type has it.
    """
    r = repr(abs(f))
    mant, _, exp = r.partition("e")
    ip, _, fp = mant.partition(".")
    if fp == "0":
        fp = ""
    digits = ip + fp
    dp = len(ip) + (int(exp) if exp else 0)
    stripped = digits.lstrip("0")
    dp -= len(digits) - len(stripped)
    digits = stripped.rstrip("0")
    return digits, dp


def format_go_g(neg: bool, digits: str, dp: int) -> str:
    """strconv.FormatFloat(f, 'g', -1, ...) from f's shortest digits (value 0.DIGITS x 10**dp).

    Shortest %g uses the exponent form when the exponent is below -4 or at least 6
    (precision 6 decides), with at least two exponent digits: 1e-05, 1.5e+06, 1e+21.
    """
    sign = "-" if neg else ""
    exp = dp - 1
    if exp < -4 or exp >= 6:
        mant = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{mant}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    if dp <= 0:
        return f"{sign}0.{'0' * -dp}{digits}"
    if dp >= len(digits):
        return sign + digits + "0" * (dp - len(digits))
    return f"{sign}{digits[:dp]}.{digits[dp:]}"


def format_float(f: float) -> str:
    """How a float in a resource prints after JSON and go-yaml v2.

    encoding/json writes integral values below 1e21 without a fraction; v2 reads those back
    as ints when they fit int64/uint64. Everything else stays a float and prints with Go's
    %g (shortest digits, exponent form below 1e-4 and from 1e6 on): 1.5, 1e-06, 1e+21,
    1.234567895e+08.
    """
    if f != f or f in (math.inf, -math.inf):
        raise RenderError(f"json: unsupported value: {_go_special(f)} (kubectl cannot print it either)")
    if f == 0:
        return "0"
    digits, dp = _shortest_digits(f)
    if 1e-6 <= abs(f) < 1e21 and dp >= len(digits):  # JSON wrote an integer literal
        v = int(digits + "0" * (dp - len(digits)))
        if f < 0:
            v = -v
        if INT64_MIN <= v <= UINT64_MAX:
            return str(v)
    return format_go_g(f < 0, digits, dp)


def _go_special(f: float) -> str:
    return "NaN" if f != f else ("+Inf" if f > 0 else "-Inf")


def format_int(i: int) -> str:
    """An int prints as itself while it fits int64/uint64 (as v3 decodes and v2 re-reads)."""
    if INT64_MIN <= i <= UINT64_MAX:
        return str(i)
    return format_float(float(i))


# --------------------------------------------------------------------------------------
# Scalar analysis and style selection (libyaml's yaml_emitter_analyze_scalar, block context)
# --------------------------------------------------------------------------------------

PLAIN, SINGLE, DOUBLE, LITERAL = 0, 1, 2, 3

_BREAKS = "\r\n\x85\u2028\u2029"
# Characters go-yaml v2's reader refuses in its (JSON) input: kubectl fails on them.
_REFUSED = re.compile("[\x7f-\x84\x86-\x9f\ufffe\uffff\ud800-\udfff]")
# Strings that are certainly plain-safe for the emitter and start with a letter, '/' or '_'
# (so the v2 resolver can only make a non-string of one of the _V2_WORDS).
_FAST_PLAIN_CHARS = re.compile(r"[A-Za-z_/][A-Za-z0-9_./=@+: -]*")


class _FastPlain:
    """`[A-Za-z_/](?:[A-Za-z0-9_./=@+-]|:(?=[^ ])| (?=[^ #]))*` as a flat character class
    plus substring tests: the lookahead alternation made Python's engine keep a
    backtracking frame per character (120 bytes each: 2.4 GB for a 20 MB scalar)."""

    @staticmethod
    def fullmatch(s: str) -> bool | None:
        if _FAST_PLAIN_CHARS.fullmatch(s) is None or s.endswith((":", " ")):
            return None
        return None if (": " in s or "  " in s or " #" in s) else True


_FAST_PLAIN = _FastPlain()
# No double-quoted escape needed: printable, not a break, not '"' or '\\', not U+FEFF.
_DQ_SAFE = re.compile("[\x20\x21\x23-\x5b\x5d-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]*")
_DQ_ESCAPES = {
    0x00: "0", 0x07: "a", 0x08: "b", 0x09: "t", 0x0A: "n", 0x0B: "v", 0x0C: "f", 0x0D: "r",
    0x1B: "e", 0x22: '"', 0x5C: "\\", 0x85: "N", 0xA0: "_", 0x2028: "L", 0x2029: "P",
}
_INDICATORS_FIRST = frozenset("#,[]{}&*!|>'\"%@`")


def _printable(cp: int) -> bool:
    """libyaml's is_printable on a code point (tab, CR, C1, non-BMP and U+FEFF are not)."""
    return (
        cp == 0x0A
        or 0x20 <= cp <= 0x7E
        or 0xA0 <= cp <= 0xD7FF
        or (0xE000 <= cp <= 0xFFFD and cp != 0xFEFF)
    )


def _analyze(s: str) -> tuple[bool, bool, bool, bool]:
    """(multiline, block_plain_allowed, single_quoted_allowed, block_allowed) of a scalar."""
    n = len(s)
    if n == 0:
        return False, True, True, False
    block_indicators = n >= 3 and (s.startswith("---") or s.startswith("..."))
    leading_space = leading_break = trailing_space = trailing_break = False
    break_space = space_break = special = line_breaks = False
    preceded_by_ws = True
    previous_space = previous_break = False
    for i, c in enumerate(s):
        followed_by_ws = i + 1 >= n or s[i + 1] in " \t"
        if i == 0:
            if c in _INDICATORS_FIRST:
                block_indicators = True
            elif c in "?:-":
                if followed_by_ws:
                    block_indicators = True
        elif c == ":":
            if followed_by_ws:
                block_indicators = True
        elif c == "#":
            if preceded_by_ws:
                block_indicators = True
        if not _printable(ord(c)):
            special = True
        if c == " ":
            if i == 0:
                leading_space = True
            if i == n - 1:
                trailing_space = True
            if previous_break:
                break_space = True
            previous_space, previous_break = True, False
        elif c in _BREAKS:
            line_breaks = True
            if i == 0:
                leading_break = True
            if i == n - 1:
                trailing_break = True
            if previous_space:
                space_break = True
            previous_space, previous_break = False, True
        else:
            previous_space = previous_break = False
        preceded_by_ws = c in " \t\r\n\x85\u2028\u2029\x00"
    block_plain = single = block = True
    if leading_space or leading_break or trailing_space or trailing_break:
        block_plain = False
    if trailing_space:
        block = False
    if break_space:
        block_plain = single = False
    if space_break or special:
        block_plain = single = block = False
    if line_breaks or block_indicators:
        block_plain = False
    return line_breaks, block_plain, single, block


_STYLE_CACHE: dict[str, int] = {}


def _string_style(s: str) -> int:
    """The style go-yaml v2 ends up with for a string value in block context (not a key)."""
    style = _STYLE_CACHE.get(s)
    if style is not None:
        return style
    if _REFUSED.search(s) is not None:
        raise RenderError(
            f"cannot print the string {s[:60]!r}: control characters are not allowed"
            " (kubectl fails on it the same way)"
        )
    _multiline, block_plain, single_ok, block_ok = _analyze(s)
    if "\n" in s:
        style = LITERAL if block_ok else DOUBLE
    elif v2_plain_is_string(s):
        style = PLAIN if block_plain else (SINGLE if single_ok else DOUBLE)
    else:
        style = DOUBLE
    if len(_STYLE_CACHE) > 200_000:
        _STYLE_CACHE.clear()
    _STYLE_CACHE[s] = style
    return style


# --------------------------------------------------------------------------------------
# Writing scalars (yaml_emitter_write_*_scalar, best_width 80)
# --------------------------------------------------------------------------------------

_BEST_WIDTH = 80


def _write_plain(s: str, col: int, ci: int, allow_breaks: bool) -> str:
    """A plain scalar starting at column `col`; folds at a single space past column 80."""
    if not allow_breaks or col + len(s) <= _BEST_WIDTH + 1 or " " not in s:
        return s
    parts: list[str] = []
    start, c0 = 0, col
    i = s.find(" ")
    while i != -1:
        if c0 + (i - start) > _BEST_WIDTH and s[i - 1] != " " and s[i + 1] != " ":
            parts.append(s[start:i])
            parts.append("\n" + " " * ci)
            start, c0 = i + 1, ci
        i = s.find(" ", i + 1)
    parts.append(s[start:])
    return "".join(parts)


def _write_single(s: str, col: int, ci: int, allow_breaks: bool) -> str:
    """A single-quoted scalar; quotes doubled; folds like plain but never at the ends."""
    if not any(c in _BREAKS for c in s):
        body = s.replace("'", "''")
        if not allow_breaks or col + len(body) + 2 <= _BEST_WIDTH + 1 or " " not in s:
            return "'" + body + "'"
    out = ["'"]
    column = col + 1
    spaces = breaks = False
    n = len(s)
    for i, ch in enumerate(s):
        if ch == " ":
            if allow_breaks and not spaces and column > _BEST_WIDTH and 0 < i < n - 1 and s[i + 1] != " ":
                out.append("\n" + " " * ci)
                column = ci
            else:
                out.append(" ")
                column += 1
            spaces = True
        elif ch in _BREAKS:
            if not breaks and ch == "\n":
                out.append("\n")
            out.append(ch)
            column = 0
            breaks = True
        else:
            if breaks:
                out.append(" " * ci)
                column = ci
            if ch == "'":
                out.append("'")
                column += 1
            out.append(ch)
            column += 1
            spaces = breaks = False
    out.append("'")
    return "".join(out)


def _dq_escape(cp: int) -> str:
    esc = _DQ_ESCAPES.get(cp)
    if esc is not None:
        return "\\" + esc
    if cp <= 0xFF:
        return f"\\x{cp:02X}"
    if cp <= 0xFFFF:
        return f"\\u{cp:04X}"
    return f"\\U{cp:08X}"


def _write_double(s: str, col: int, ci: int, allow_breaks: bool) -> str:
    """A double-quoted scalar with libyaml's escapes; folds at spaces past column 80.

    Faithful to one libyaml quirk: when the string starts with U+FEFF every character is
    escaped (is_bom looks at the start of the value, not at the current character).
    """
    n = len(s)
    bom = s.startswith("\ufeff")
    if not bom and _DQ_SAFE.fullmatch(s) is not None:
        if not allow_breaks or col + n + 2 <= _BEST_WIDTH + 1 or " " not in s:
            return '"' + s + '"'
    out = ['"']
    column = col + 1
    spaces = False
    for i, ch in enumerate(s):
        cp = ord(ch)
        if bom or not _printable(cp) or ch in _BREAKS or ch == '"' or ch == "\\":
            esc = _dq_escape(cp)
            out.append(esc)
            column += len(esc)
            spaces = False
        elif ch == " ":
            if allow_breaks and not spaces and column > _BEST_WIDTH and 0 < i < n - 1:
                out.append("\n" + " " * ci)
                column = ci
                if s[i + 1] == " ":
                    out.append("\\")
                    column += 1
            else:
                out.append(" ")
                column += 1
            spaces = True
        else:
            out.append(ch)
            column += 1
            spaces = False
    out.append('"')
    return "".join(out)


def _write_literal(s: str, ci: int) -> str:
    """A literal block: `|` with indentation and chomping hints, lines indented to `ci`."""
    head = "|"
    if s[0] == " " or s[0] in _BREAKS:
        head += "2"  # libyaml writes best_indent, whatever the real indentation is
    last = s[-1]
    if last not in _BREAKS:
        head += "-"
    elif len(s) == 1 or s[-2] in _BREAKS:
        head += "+"
    pad = " " * ci
    if "\u2028" not in s and "\u2029" not in s:
        body = "\n".join(pad + line if line else "" for line in s.split("\n"))
        return head + "\n" + body
    out = [head, "\n"]
    breaks = True
    for ch in s:
        if ch in _BREAKS:
            out.append(ch)
            breaks = True
        else:
            if breaks:
                out.append(pad)
            out.append(ch)
            breaks = False
    return "".join(out)


def fold_nel(s: str) -> str:
    """What a string becomes through the JSON stage when it holds U+0085 (NEL).

    Go's JSON encoder leaves NEL raw and v2's scanner reads a raw NEL inside a double-quoted
    scalar as a line break: spaces before it vanish, spaces after it are skipped, and one
    break folds into a space (n consecutive breaks into n-1 newlines).
    """
    out: list[str] = []
    i, n = 0, len(s)
    while i < n:
        j = i
        while j < n and s[j] != " " and s[j] != "\x85":
            j += 1
        out.append(s[i:j])
        if j >= n:
            break
        spaces, breaks = 0, 0
        while j < n and (s[j] == " " or s[j] == "\x85"):
            if s[j] == "\x85":
                breaks += 1
            elif not breaks:
                spaces += 1
            j += 1
        if breaks == 0:
            out.append(" " * spaces)
        elif breaks == 1:
            out.append(" ")
        else:
            out.append("\n" * (breaks - 1))
        i = j
    return "".join(out)


def _write_str(s: str, col: int, ci: int) -> str:
    """A string value (not a key) starting at column `col`, continuation indent `ci`."""
    if _FAST_PLAIN.fullmatch(s) is not None and s not in _V2_WORDS:
        if col + len(s) <= _BEST_WIDTH + 1:
            return s
        return _write_plain(s, col, ci, True)
    if "\x85" in s:
        s = fold_nel(s)
    style = _string_style(s)
    if style == PLAIN:
        return _write_plain(s, col, ci, True)
    if style == SINGLE:
        return _write_single(s, col, ci, True)
    if style == DOUBLE:
        return _write_double(s, col, ci, True)
    return _write_literal(s, ci)


def _write_scalar(v: Any, col: int, ci: int) -> str:
    """Any non-collection value as the text that follows its indicator and one space."""
    t = type(v)
    if t is str:
        return _write_str(v, col, ci)
    if v is None:
        return "null"
    if t is bool:
        return "true" if v else "false"
    if t is int:
        return format_int(v)
    if t is float:
        return format_float(v)
    if isinstance(v, str):
        return _write_str(str(v), col, ci)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return format_int(int(v))
    if isinstance(v, float):
        return format_float(float(v))
    raise TypeError(f"cannot print a value of type {t.__name__}: {v!r}")


_KEY_CACHE: dict[str, str | None] = {}


def _simple_key(k: str) -> str | None:
    """A key as a simple `key:`, or None when it needs the `? key` form.

    libyaml allows a simple key up to 128 bytes (UTF-8) and on one line; a simple key never
    folds.
    """
    r = _KEY_CACHE.get(k, "")
    if r != "":
        return r
    key = k
    if "\x85" in k:
        k = fold_nel(k)
    if _FAST_PLAIN.fullmatch(k) is not None and k not in _V2_WORDS and len(k) <= 128:
        r = k
    elif any(c in _BREAKS for c in k) or len(k.encode("utf-8", "surrogatepass")) > 128:
        r = None
    else:
        style = _string_style(k)
        if style == PLAIN:
            r = k
        elif style == SINGLE:
            r = _write_single(k, 0, 0, False)
        else:
            r = _write_double(k, 0, 0, False)
    if len(_KEY_CACHE) > 100_000:
        _KEY_CACHE.clear()
    _KEY_CACHE[key] = r
    return r


# --------------------------------------------------------------------------------------
# Key order (go-yaml v2's keyList.Less on string keys)
# --------------------------------------------------------------------------------------

# Digit-free ASCII keys compare as v2 does once letters sort after every other character.
_LETTERS_LAST = str.maketrans(
    {c: chr(ord(c) + 0x80) for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"}
)
_DIGIT = re.compile(r"[0-9]")
_SORT_KEY_CACHE: dict[str, str | None] = {}


def _wrap64(v: int) -> int:
    v &= UINT64_MAX
    return v - (1 << 64) if v > INT64_MAX else v


def go_key_less(a: str, b: str) -> bool:
    """go-yaml v2 keyList.Less for two strings: natural order, non-letters before letters.

    At the first differing rune: two letters compare by code point; a letter sorts after a
    non-letter; otherwise the digit runs from there compare as numbers (an int64 that wraps,
    as in Go), then by run length, then by code point. A prefix sorts first.
    """
    la, lb = len(a), len(b)
    for i in range(min(la, lb)):
        ca, cb = a[i], b[i]
        if ca == cb:
            continue
        al, bl = ca.isalpha(), cb.isalpha()
        if al and bl:
            return ca < cb
        if al or bl:
            return bl
        an = bn = 0
        if ca == "0" or cb == "0":
            j = i - 1
            while j >= 0 and a[j].isdecimal():
                if a[j] != "0":
                    an = bn = 1
                    break
                j -= 1
        ai = i
        while ai < la and a[ai].isdecimal():
            an = _wrap64(an * 10 + ord(a[ai]) - 48)
            ai += 1
        bi = i
        while bi < lb and b[bi].isdecimal():
            bn = _wrap64(bn * 10 + ord(b[bi]) - 48)
            bi += 1
        if an != bn:
            return an < bn
        if ai != bi:
            return ai < bi
        return ca < cb
    return la < lb


def _go_key_cmp(a: str, b: str) -> int:
    if go_key_less(a, b):
        return -1
    if go_key_less(b, a):
        return 1
    return 0


_GO_KEY = cmp_to_key(_go_key_cmp)


def sorted_keys(d: dict[str, Any]) -> list[str]:
    """The keys of `d` in the order go-yaml v2 writes them."""
    keys = list(d)
    if len(keys) < 2:
        return keys
    fast: list[str] = []
    cache = _SORT_KEY_CACHE
    for k in keys:
        sk = cache.get(k, "")
        if sk == "":
            if type(k) is not str:
                raise TypeError(f"mapping keys must be strings to print, got {k!r}")
            sk = k.translate(_LETTERS_LAST) if k.isascii() and _DIGIT.search(k) is None else None
            if len(cache) > 100_000:
                cache.clear()
            cache[k] = sk
        if sk is None:
            # pre-sorted so that even a cyclic key set (v2's Less is not transitive, e.g.
            # a1b < a9 < a10b < a1b) prints in one order whatever the dict's order
            return sorted(sorted(keys), key=_GO_KEY)
        fast.append(sk)
    order = sorted(range(len(keys)), key=fast.__getitem__)
    return [keys[i] for i in order]


# --------------------------------------------------------------------------------------
# Block structure
# --------------------------------------------------------------------------------------


# A literal block ending in a line break leaves the emitter at column 0: no newline added.
# (U+2028/U+2029 are written raw there and count as line breaks.)
_LINE_ENDS = ("\n", "\u2028", "\u2029")


def _emit_value(v: Any, ind: int, head: str, out: list[str], after_simple_key: bool) -> None:
    """The value after `head` ("key:", "?"-form ":", or "-"), its collection at indent `ind`."""
    if type(v) is dict or isinstance(v, dict):
        if not v:
            out.append(head + " {}\n")
        elif after_simple_key:
            out.append(head + "\n")
            _emit_map(v, ind + 2, " " * (ind + 2), out)
        else:
            _emit_map(v, ind + 2, head + " ", out)
        return
    if type(v) is list or isinstance(v, (list, tuple)):
        if not v:
            out.append(head + " []\n")
        elif after_simple_key:
            # a sequence under a simple key is not indented ("indentless")
            out.append(head + "\n")
            _emit_seq(v, ind, " " * ind, out)
        else:
            _emit_seq(v, ind + 2, head + " ", out)
        return
    text = _write_scalar(v, len(head) + 1, ind + 2)
    out.append(head + " " + text if text[-1:] in _LINE_ENDS else head + " " + text + "\n")


def _emit_map(d: dict[str, Any], ind: int, first_prefix: str, out: list[str]) -> None:
    """A non-empty block mapping with keys at column `ind`; the first line starts with
    `first_prefix` (e.g. "- " of an enclosing sequence item)."""
    pad = " " * ind
    prefix = first_prefix
    for k in sorted_keys(d):
        v = d[k]
        kt = _simple_key(k)
        if kt is not None:
            _emit_value(v, ind, prefix + kt + ":", out, True)
        else:
            head = prefix + "?"
            text = _write_str_key_complex(k, len(head) + 1, ind + 2)
            out.append(head + " " + text if text[-1:] in _LINE_ENDS else head + " " + text + "\n")
            _emit_value(v, ind, pad + ":", out, False)
        prefix = pad


def _write_str_key_complex(k: str, col: int, ci: int) -> str:
    """A key in the `? ` form: written like a value (it may fold or be a literal block)."""
    return _write_str(k, col, ci)


def _emit_seq(items: list[Any] | tuple[Any, ...], ind: int, first_prefix: str, out: list[str]) -> None:
    """A non-empty block sequence with its dashes at column `ind`."""
    pad = " " * ind
    prefix = first_prefix
    for item in items:
        _emit_value(item, ind, prefix + "-", out, False)
        prefix = pad


def dump_document(obj: Any) -> str:
    """One document as go-yaml v2 marshals it after the JSON round trip (ends with "\\n")."""
    try:
        return _dump(obj)
    except RecursionError:  # a value built deeper than the loader allows: give it room
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(limit, 50_000))
        try:
            return _dump(obj)
        finally:
            sys.setrecursionlimit(limit)


def _dump(obj: Any) -> str:
    out: list[str] = []
    if isinstance(obj, dict):
        if not obj:
            return "{}\n"
        _emit_map(obj, 0, "", out)
    elif isinstance(obj, (list, tuple)):
        if not obj:
            return "[]\n"
        _emit_seq(obj, 0, "", out)
    else:
        text = _write_scalar(obj, 0, 2)
        return text if text[-1:] in _LINE_ENDS else text + "\n"
    return "".join(out)


def dump_documents(objs: Iterable[Any]) -> str:
    """Documents joined as kustomize joins them: "---\\n" between, none before the first."""
    return "---\n".join(dump_document(o) for o in objs)
