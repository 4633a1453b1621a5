"""The lexer: template text to tokens (Go's lex.go), with `{{- -}}` trimming and comments."""
from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from typing import Any, Callable

from renderer.gotemplate.errors import TemplateError
from renderer.gotemplate.printf import quote as go_quote
from renderer.gotemplate.values import FloatConst
_SPACE = " \t\r\n"


@dataclass(slots=True)
class Tok:
    kind: str  # text, ident, field, var, dot, string, number, char, bool, nil, lparen,
    # rparen, pipe, declare, assign, comma, keyword, eoa (end of action)
    val: Any
    pos: int
    src: str = ""


KEYWORDS = {"if", "else", "end", "range", "with", "define", "template", "block", "break", "continue"}

_TERMINATORS = " \t\r\n.,|:()"  # where a word may end (Go: space, punctuation, "}}")


class Lexer:
    def __init__(self, text: str, name: str) -> None:
        self.text = text
        self.name = name
        self.toks: list[Tok] = []

    def error(self, pos: int, msg: str) -> LexError:
        return LexError(msg, pos)

    def run(self) -> list[Tok]:
        """The tokens, ending at the first error as an "error" token: Go's parser reads
        tokens as it goes and reports a lexical error only when it reaches it, so an
        earlier parse error (an undefined variable, say) is the one Go names."""
        self.action_start = 0
        try:
            self._run()
        except LexError as e:
            self.toks.append(Tok("error", e.msg, e.pos, "" if e.parse else str(self.action_start)))
        return self.toks

    def _run(self) -> None:
        text = self.text
        i = 0
        n = len(text)
        trim_next = False
        while i < n or i == 0:
            j = text.find("{{", i)
            chunk = text[i:] if j < 0 else text[i:j]
            if trim_next:
                chunk = chunk.lstrip(_SPACE)
                trim_next = False
            if j < 0:
                if chunk:
                    self.toks.append(Tok("text", chunk, i))
                break
            k = j + 2
            if text.startswith("-", k) and k + 1 < n and text[k + 1] in _SPACE:
                chunk = chunk.rstrip(_SPACE)
                k += 2
            if chunk:
                self.toks.append(Tok("text", chunk, i))
            if text.startswith("/*", k):
                end = text.find("*/", k + 2)
                if end < 0:
                    raise self.error(j, "unclosed comment")
                e = end + 2
                if text.startswith("}}", e):
                    i = e + 2
                elif e + 1 < n and text[e] in _SPACE and text.startswith("-}}", e + 1):
                    i = e + 4
                    trim_next = True
                else:
                    raise self.error(j, "comment ends before closing delimiter")
                continue
            self.action_start = j
            i, trim_next = self.action(k, j)

    def action(self, i: int, start: int) -> tuple[int, bool]:
        text = self.text
        n = len(text)
        depth = 0
        while True:
            if i >= n:
                raise self.error(start, "unclosed action")
            c = text[i]
            if c in _SPACE:
                # right trim marker " -}}"
                k = i
                while k < n and text[k] in _SPACE:
                    k += 1
                if text.startswith("-}}", k):
                    if depth:
                        raise self.error(k, "unclosed left paren")
                    self.toks.append(Tok("eoa", None, k))
                    return k + 3, True
                i = k
                continue
            if text.startswith("}}", i):
                if depth:
                    raise self.error(i, "unclosed left paren")
                self.toks.append(Tok("eoa", None, i))
                return i + 2, False
            if c == "\n":
                raise self.error(i, "unclosed action")
            if c == "(":
                depth += 1
                self.toks.append(Tok("lparen", c, i))
                i += 1
            elif c == ")":
                depth -= 1
                if depth < 0:
                    raise self.error(i, "unexpected right paren")
                self.toks.append(Tok("rparen", c, i))
                i += 1
            elif c == "|":
                self.toks.append(Tok("pipe", c, i))
                i += 1
            elif c == ",":
                self.toks.append(Tok("comma", c, i))
                i += 1
            elif c == ":":
                if not text.startswith(":=", i):
                    raise self.error(i, "expected :=")
                self.toks.append(Tok("declare", ":=", i))
                i += 2
            elif c == "=":
                self.toks.append(Tok("assign", "=", i))
                i += 1
            elif c == '"':
                j = i + 1
                while True:
                    if j >= n or text[j] == "\n":
                        raise self.error(i, "unterminated quoted string")
                    if text[j] == "\\":
                        j += 2
                        continue
                    if text[j] == '"':
                        break
                    j += 1
                raw = text[i : j + 1]
                try:
                    value: Any = unquote(raw, lambda m: LexError("invalid syntax", i, parse=True))
                except LexError as e:
                    value = e  # strconv.Unquote's error, reported by Go's parser
                self.toks.append(Tok("string", value, i, raw))
                i = j + 1
            elif c == "`":
                j = text.find("`", i + 1)
                if j < 0:
                    raise self.error(i, "unterminated raw quoted string")
                self.toks.append(Tok("string", text[i + 1 : j], i, text[i : j + 1]))
                i = j + 1
            elif c == "'":
                j = i + 1
                while j < n and text[j] != "'":
                    j += 2 if text[j] == "\\" else 1
                if j >= n:
                    raise self.error(i, "unterminated character constant")
                raw = text[i : j + 1]
                try:
                    s = unquote(raw, lambda m: LexError("invalid syntax", i, parse=True))
                    if not s:
                        raise LexError("invalid syntax", i, parse=True)
                    if len(s) != 1:
                        raise LexError(f"malformed character constant: {raw}", i, parse=True)
                    value = ord(s)
                except LexError as e:
                    value = e  # strconv.UnquoteChar's error, reported by Go's parser
                self.toks.append(Tok("number", value, i, raw))
                i = j + 1
            elif c == "$" or (c == "." and not (i + 1 < n and "0" <= text[i + 1] <= "9")):
                end = self.word_end(i + 1)
                word = text[i:end]
                if c == "$":
                    self.toks.append(Tok("var", word, i, word))
                elif end > i + 1:
                    self.toks.append(Tok("field", word[1:], i, word))
                else:
                    self.toks.append(Tok("dot", ".", i, "."))
                i = end
            elif c.isdigit() or c in "+-.":
                end, ok = scan_number(text, i)
                if ok and end < n and text[end] in "+-":  # a complex constant: 1+2i
                    end, ok = scan_number(text, end)
                    ok = ok and text[end - 1] == "i"
                if not ok:
                    raise self.error(i, f"bad number syntax: {go_quote(text[i:end])}")
                raw = text[i:end]
                try:
                    value: Any = parse_number(raw, lambda msg: LexError(msg, i, parse=True))
                except LexError as e:
                    value = e  # Go's parser reports it if it makes an operand of the number
                self.toks.append(Tok("number", value, i, raw))
                i = end
            elif c == "_" or _is_letter(c):
                end = self.word_end(i)
                word = text[i:end]
                if word in KEYWORDS:
                    self.toks.append(Tok("keyword", word, i, word))
                elif word in ("true", "false"):
                    self.toks.append(Tok("bool", word == "true", i, word))
                elif word == "nil":
                    self.toks.append(Tok("nil", None, i, word))
                else:
                    self.toks.append(Tok("ident", word, i, word))
                i = end
            elif c < "\x7f" and c.isprintable():
                self.toks.append(Tok("char", c, i, c))  # Go's itemChar: the parser says what is wrong
                i += 1
            else:
                raise self.error(i, f"unrecognized character in action: {go_rune_repr(c)}")

    def word_end(self, i: int) -> int:
        """The end of the alphanumeric run at `i`, which must end at a terminator (Go's rule)."""
        text = self.text
        n = len(text)
        while i < n and _is_alnum(text[i]):
            i += 1
        if i < n and text[i] not in _TERMINATORS and not text.startswith("}}", i):
            raise self.error(i, f"bad character {go_rune_repr(text[i])}")
        return i


class LexError(TemplateError):
    """A lexical error at `pos`; `parse`: one Go's parser reports (a number it cannot read)
    rather than its lexer."""

    def __init__(self, msg: str, pos: int, *, parse: bool = False) -> None:
        super().__init__(msg)
        self.msg = msg
        self.pos = pos
        self.parse = parse


def scan_number(text: str, i: int) -> tuple[int, bool]:
    """Go's lexer scanNumber: where a number starting at `i` ends, and whether it is
    well formed (it may not run into a letter or digit)."""
    n = len(text)

    def accept(chars: str) -> bool:
        nonlocal i
        if i < n and text[i] in chars:
            i += 1
            return True
        return False

    def accept_run(chars: str) -> None:
        nonlocal i
        while i < n and text[i] in chars:
            i += 1

    accept("+-")
    digits = "0123456789_"
    if accept("0"):
        if accept("xX"):
            digits = "0123456789abcdefABCDEF_"
        elif accept("oO"):
            digits = "01234567_"
        elif accept("bB"):
            digits = "01_"
    accept_run(digits)
    if accept("."):
        accept_run(digits)
    if len(digits) == 11 and accept("eE"):
        accept("+-")
        accept_run("0123456789_")
    if len(digits) == 23 and accept("pP"):
        accept("+-")
        accept_run("0123456789_")
    accept("i")
    if i < n and _is_alnum(text[i]):
        return i + 1, False
    return i, True


def _is_letter(c: str) -> bool:
    return unicodedata.category(c).startswith("L")


def _is_alnum(c: str) -> bool:
    """Go's isAlphaNumeric: '_', a Unicode letter or a decimal digit."""
    return c == "_" or unicodedata.category(c) in ("Lu", "Ll", "Lt", "Lm", "Lo", "Nd")


def go_rune_repr(c: str) -> str:
    """Go's %#U of one rune: U+0041 'A'."""
    return f"U+{ord(c):04X} '{c}'" if c.isprintable() else f"U+{ord(c):04X}"


def line_col(text: str, pos: int) -> tuple[int, int]:
    before = text[:pos]
    line = before.count("\n") + 1
    nl = before.rfind("\n")
    col = len(before[nl + 1 :].encode("utf-8"))
    return line, col


_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\", '"': '"', "'": "'"}


def unquote(raw: str, err: Callable[[str], TemplateError]) -> str:
    out: list[str] = []
    s = raw[1:-1]
    i = 0
    while i < len(s):
        c = s[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        i += 1
        if i >= len(s):
            raise err(f"invalid syntax: {raw}")
        e = s[i]
        if e in "'\"" and e != raw[0]:  # \' only in a character constant, \" only in a string
            raise err(f"invalid syntax: {raw}")
        if e in _ESCAPES:
            out.append(_ESCAPES[e])
            i += 1
        elif e in "xuU":
            size = {"x": 2, "u": 4, "U": 8}[e]
            digits = s[i + 1 : i + 1 + size]
            if len(digits) != size or not all(d in "0123456789abcdefABCDEF" for d in digits):
                raise err(f"invalid syntax: {raw}")
            out.append(chr(int(digits, 16)))
            i += 1 + size
        elif e in "01234567":
            digits = s[i : i + 3]
            out.append(chr(int(digits, 8)))
            i += 3
        else:
            raise err(f"invalid syntax: {raw}")
    return "".join(out)


def underscore_ok(s: str) -> bool:
    """strconv's underscoreOK: an underscore only between digits, or after a base prefix."""
    s = s[1:] if s[:1] in ("+", "-") else s
    saw, i, hexa = "^", 0, False
    if len(s) >= 2 and s[0] == "0" and s[1] in "bBoOxX":
        saw, i, hexa = "0", 2, s[1] in "xX"
    for c in s[i:]:
        if c.isdigit() or (hexa and c in "abcdefABCDEF"):
            saw = "0"
        elif c == "_":
            if saw != "0":
                return False
            saw = "_"
        elif saw == "_":
            return False
        else:
            saw = "!"
    return saw != "_"


def _go_float(s: str) -> float | None:
    """strconv.ParseFloat for a number of the template text (hex floats need an exponent)."""
    body = s.lstrip("+-").lower()
    try:
        if body.startswith("0x"):
            f = float.fromhex(s) if "p" in body else None
        elif body.startswith(("0b", "0o")):
            f = None
        else:
            f = float(s)
    except ValueError:
        return None
    return None if f is None or math.isinf(f) else f


def parse_number(raw: str, err: Callable[[str], TemplateError]) -> int | float | complex:
    """A number constant as Go's parse.NumberNode reads it: int64, float64 or complex128."""
    t = raw.replace("_", "")
    if t.endswith("i") and ("+" in t[1:] or "-" in t[1:]) and t[t.rfind("+" if "+" in t[1:] else "-") - 1] not in "eEpP":
        try:
            return complex(t[:-1] + "j")  # 1+2i
        except ValueError:
            raise err(f"illegal number syntax: {go_quote(raw)}") from None
    if not underscore_ok(raw.rstrip("i")):
        raise err(f"illegal number syntax: {go_quote(raw)}")
    if t.endswith("i"):
        imag = _go_float(t[:-1])
        if imag is None:
            raise err(f"illegal number syntax: {go_quote(raw)}")
        return complex(0, imag)
    try:
        body = t.lstrip("+-")
        neg = t.startswith("-")
        low = body.lower()
        if low.startswith("0x"):
            if "." in low or "p" in low:
                if "p" not in low:
                    raise ValueError("a hexadecimal float needs an exponent")
                v: int | float = FloatConst(float.fromhex(body))
            else:
                v = int(body, 16)
        elif low.startswith("0b"):
            v = int(body, 2)
        elif low.startswith("0o"):
            v = int(body, 8)
        elif "." in body or "e" in low:
            v = FloatConst(body)
        elif len(body) > 1 and body.startswith("0"):
            v = int(body, 8)
        else:
            v = int(body)
    except (ValueError, OverflowError):
        try:
            float(t)
        except ValueError:
            raise err(f"illegal number syntax: {go_quote(raw)}") from None
        if not any(c in t for c in ".eEpP"):
            raise err(f"integer overflow: {go_quote(raw)}") from None
        raise err(f"illegal number syntax: {go_quote(raw)}") from None
    if isinstance(v, float) and math.isinf(v):
        raise err(f"illegal number syntax: {go_quote(raw)}")
    if isinstance(v, int) and not -(2**63) <= (-v if neg else v) < 2**63:
        raise err(f"integer overflow: {go_quote(raw)}")
    if isinstance(v, FloatConst):
        return FloatConst(-v if neg else v)
    return -v if neg else v



