"""A Go `text/template` interpreter with the Sprig functions Argo CD's ApplicationSet
controller exposes (all of Sprig's text functions except `env`, `expandenv` and
`getHostByName`, plus Argo CD's `normalize`, `slugify`, `toYaml`, `fromYaml`,
`fromYamlArray`).

Values are the plain Python values of parsed YAML/JSON: dict, list, str, int, float,
bool, None. Go's printing, truth, comparison and `fmt` rules are followed; functions that
would read the clock, randomness or the environment raise instead (sluice is offline and
deterministic).

    render("{{ .name | upper }}", {"name": "x"}) == "X"
    Template(text, options=["missingkey=error"]).execute(data)

Errors are `TemplateError`s whose text follows Go's (`template: NAME:LINE:COL: ...`);
LINE is 1-based and COL is the 0-based byte offset in the line, as Go reports them.
"""
from __future__ import annotations

import base64
import hashlib
import json
import math
import re
import unicodedata
import urllib.parse
import zlib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable

__all__ = ["Template", "TemplateError", "render", "FUNCS", "go_sprint", "go_sprintf"]


class TemplateError(Exception):
    """A parse or execution error, worded as Go's text/template words it."""

    def __init__(self, message: str, *, line: int | None = None, col: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.col = col


class _FuncError(Exception):
    """Raised by a template function: reported as `error calling NAME: MSG`."""


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


_MISSING = object()  # a map key that is not there (Go's invalid reflect.Value)

# --------------------------------------------------------------------------------------
# Lexer
# --------------------------------------------------------------------------------------

_SPACE = " \t\r\n"


@dataclass(slots=True)
class _Tok:
    kind: str  # text, ident, field, var, dot, string, number, char, bool, nil, lparen,
    # rparen, pipe, declare, assign, comma, keyword, eoa (end of action)
    val: Any
    pos: int
    src: str = ""


_KEYWORDS = {"if", "else", "end", "range", "with", "define", "template", "block", "break", "continue"}

_NUM_RE = re.compile(
    r"[+-]?(?:0[xX][0-9a-fA-F_]+(?:\.[0-9a-fA-F_]*)?(?:[pP][+-]?\d+)?|0[bB][01_]+|0[oO][0-7_]+|"
    r"(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d+)?)i?"
)
_IDENT_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_FIELD_RE = re.compile(r"\.[A-Za-z_][A-Za-z0-9_]*")
_VAR_RE = re.compile(r"\$[A-Za-z0-9_]*")


class _Lexer:
    def __init__(self, text: str, name: str) -> None:
        self.text = text
        self.name = name
        self.toks: list[_Tok] = []

    def error(self, pos: int, msg: str) -> TemplateError:
        line, col = _line_col(self.text, pos)
        return TemplateError(f"template: {self.name}:{line}:{col}: {msg}", line=line, col=col)

    def run(self) -> list[_Tok]:
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
                    self.toks.append(_Tok("text", chunk, i))
                break
            k = j + 2
            if text.startswith("-", k) and k + 1 < n and text[k + 1] in _SPACE:
                chunk = chunk.rstrip(_SPACE)
                k += 2
            if chunk:
                self.toks.append(_Tok("text", chunk, i))
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
            i, trim_next = self.action(k, j)
        return self.toks

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
                    self.toks.append(_Tok("eoa", None, k))
                    return k + 3, True
                i = k
                continue
            if text.startswith("}}", i):
                if depth:
                    raise self.error(i, "unclosed left paren")
                self.toks.append(_Tok("eoa", None, i))
                return i + 2, False
            if c == "\n":
                raise self.error(i, "unclosed action")
            if c == "(":
                depth += 1
                self.toks.append(_Tok("lparen", c, i))
                i += 1
            elif c == ")":
                depth -= 1
                if depth < 0:
                    raise self.error(i, "unexpected right paren")
                self.toks.append(_Tok("rparen", c, i))
                i += 1
            elif c == "|":
                self.toks.append(_Tok("pipe", c, i))
                i += 1
            elif c == ",":
                self.toks.append(_Tok("comma", c, i))
                i += 1
            elif text.startswith(":=", i):
                self.toks.append(_Tok("declare", ":=", i))
                i += 2
            elif c == "=":
                self.toks.append(_Tok("assign", "=", i))
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
                self.toks.append(_Tok("string", _unquote(raw, lambda m: self.error(i, m)), i, raw))
                i = j + 1
            elif c == "`":
                j = text.find("`", i + 1)
                if j < 0:
                    raise self.error(i, "unterminated raw quoted string")
                self.toks.append(_Tok("string", text[i + 1 : j], i, text[i : j + 1]))
                i = j + 1
            elif c == "'":
                j = i + 1
                while j < n and text[j] != "'":
                    j += 2 if text[j] == "\\" else 1
                if j >= n:
                    raise self.error(i, "unterminated character constant")
                raw = text[i : j + 1]
                s = _unquote('"' + raw[1:-1].replace('"', '\\"') + '"', lambda m: self.error(i, m))
                if len(s) != 1:
                    raise self.error(i, f"malformed character constant: {raw}")
                self.toks.append(_Tok("number", ord(s), i, raw))
                i = j + 1
            elif c == "$":
                m = _VAR_RE.match(text, i)
                assert m
                self.toks.append(_Tok("var", m.group(), i, m.group()))
                i = m.end()
            elif c == "." and not (i + 1 < n and text[i + 1].isdigit()):
                m = _FIELD_RE.match(text, i)
                if m:
                    self.toks.append(_Tok("field", m.group()[1:], i, m.group()))
                    i = m.end()
                else:
                    self.toks.append(_Tok("dot", ".", i, "."))
                    i += 1
            elif c.isdigit() or c in "+-." :
                m = _NUM_RE.match(text, i)
                if not m or not m.group():
                    raise self.error(i, f"unexpected {c!r} in command")
                raw = m.group()
                end = m.end()
                if end < n and (text[end].isalnum() or text[end] == "_"):
                    raise self.error(i, f"bad number syntax: {text[i:end + 1]!r}")
                self.toks.append(_Tok("number", _parse_number(raw, lambda msg: self.error(i, msg)), i, raw))
                i = end
            elif c.isalpha() or c == "_":
                m = _IDENT_RE.match(text, i)
                assert m
                word = m.group()
                if word in _KEYWORDS:
                    self.toks.append(_Tok("keyword", word, i, word))
                elif word in ("true", "false"):
                    self.toks.append(_Tok("bool", word == "true", i, word))
                elif word == "nil":
                    self.toks.append(_Tok("nil", None, i, word))
                else:
                    self.toks.append(_Tok("ident", word, i, word))
                i = m.end()
                # a field chain right after an identifier/paren: .a.b
            else:
                raise self.error(i, f"unrecognized character in action: U+{ord(c):04X} {c!r}")


def _line_col(text: str, pos: int) -> tuple[int, int]:
    before = text[:pos]
    line = before.count("\n") + 1
    nl = before.rfind("\n")
    col = len(before[nl + 1 :].encode("utf-8"))
    return line, col


_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\", '"': '"', "'": "'"}


def _unquote(raw: str, err: Callable[[str], TemplateError]) -> str:
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


def _parse_number(raw: str, err: Callable[[str], TemplateError]) -> int | float:
    t = raw.replace("_", "")
    if t.endswith("i"):
        raise err(f"complex numbers are not supported: {raw}")
    try:
        body = t.lstrip("+-")
        neg = t.startswith("-")
        low = body.lower()
        if low.startswith("0x"):
            if "." in low or "p" in low:
                v: int | float = float.fromhex(body)
            else:
                v = int(body, 16)
        elif low.startswith("0b"):
            v = int(body, 2)
        elif low.startswith("0o"):
            v = int(body, 8)
        elif "." in body or "e" in low:
            v = float(body)
        elif len(body) > 1 and body.startswith("0"):
            v = int(body, 8)
        else:
            v = int(body)
    except ValueError:
        raise err(f"bad number syntax: {raw!r}") from None
    return -v if neg else v


# --------------------------------------------------------------------------------------
# Parse tree
# --------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Node:
    pos: int


@dataclass(slots=True)
class _Text(_Node):
    text: str


@dataclass(slots=True)
class _Operand(_Node):
    kind: str  # field, var, dot, literal, nil, ident, pipe
    val: Any  # field: names tuple; var: (name, fields); literal: value; ident: name; pipe: _Pipe
    fields: tuple[str, ...] = ()  # fields after a var, paren, or ident? (only var/paren)
    src: str = ""


@dataclass(slots=True)
class _Command(_Node):
    args: list[_Operand]
    src: str = ""


@dataclass(slots=True)
class _Pipe(_Node):
    decl: list[str]
    is_assign: bool
    cmds: list[_Command]
    src: str = ""


@dataclass(slots=True)
class _Action(_Node):
    pipe: _Pipe


@dataclass(slots=True)
class _Branch(_Node):
    kind: str  # if, with, range
    pipe: _Pipe
    body: list[_Node]
    else_body: list[_Node] | None


@dataclass(slots=True)
class _TemplateCall(_Node):
    name: str
    pipe: _Pipe | None


@dataclass(slots=True)
class _Loop(_Node):
    kind: str  # break, continue


class _Parser:
    def __init__(self, text: str, name: str, toks: list[_Tok], templates: dict[str, list[_Node]]) -> None:
        self.text = text
        self.name = name
        self.toks = toks
        self.i = 0
        self.templates = templates
        self.range_depth = 0

    def error(self, pos: int, msg: str) -> TemplateError:
        line, col = _line_col(self.text, pos)
        return TemplateError(f"template: {self.name}:{line}:{col}: {msg}", line=line, col=col)

    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def peek_kind(self) -> str | None:
        t = self.peek()
        return t.kind if t is not None else None

    def next(self) -> _Tok:
        t = self.toks[self.i]
        self.i += 1
        return t

    def parse(self) -> list[_Node]:
        body, end = self.list_until(())
        if end is not None:
            raise self.error(end[1].pos, f"unexpected {{{{{end[0]}}}}}")
        return body

    def list_until(self, stops: tuple[str, ...]) -> tuple[list[_Node], tuple[str, _Tok] | None]:
        """Nodes up to an `{{end}}`/`{{else}}` (returned, consumed up to the keyword)."""
        nodes: list[_Node] = []
        while self.i < len(self.toks):
            t = self.next()
            if t.kind == "text":
                nodes.append(_Text(t.pos, t.val))
                continue
            # an action starts: t is its first token
            self.i -= 1
            first = t
            if first.kind == "eoa":
                raise self.error(first.pos, "missing value for command")
            if first.kind == "keyword":
                kw = first.val
                if kw in ("end", "else"):
                    if kw not in stops:
                        raise self.error(first.pos, f"unexpected {{{{{kw}}}}}")
                    self.next()
                    return nodes, (kw, first)
                self.next()
                nodes.append(self.keyword(kw, first))
                continue
            pipe = self.pipeline("command", first.pos)
            nodes.append(_Action(first.pos, pipe))
        if stops:
            raise self.error(len(self.text), "unexpected EOF")
        return nodes, None

    def expect_eoa(self, context: str) -> None:
        t = self.peek()
        if t is None or t.kind != "eoa":
            pos = t.pos if t else len(self.text)
            raise self.error(pos, f"unexpected {_describe(t)} in {context}")
        self.next()

    def keyword(self, kw: str, tok: _Tok) -> _Node:
        if kw in ("if", "with", "range"):
            return self.branch(kw, tok)
        if kw in ("break", "continue"):
            if self.range_depth == 0:
                raise self.error(tok.pos, f"{{{{{kw}}}}} outside {{{{range}}}}")
            self.expect_eoa(kw)
            return _Loop(tok.pos, kw)
        if kw in ("template", "block"):
            nt = self.peek()
            if nt is None or nt.kind != "string":
                raise self.error(nt.pos if nt else tok.pos, f"unexpected {_describe(nt)} in {kw} clause")
            self.next()
            name = nt.val
            pipe = None
            following = self.peek()
            if following is not None and following.kind != "eoa":
                pipe = self.pipeline(f"{kw} clause", following.pos)
            else:
                self.expect_eoa(f"{kw} clause")
            if kw == "block":
                saved = self.range_depth
                self.range_depth = 0
                body, end = self.list_until(("end",))
                self.range_depth = saved
                assert end is not None
                if end[0] != "end":
                    raise self.error(end[1].pos, "unexpected {{else}}")
                self.expect_eoa("end")
                self.templates[name] = body
            return _TemplateCall(tok.pos, name, pipe)
        if kw == "define":
            nt = self.peek()
            if nt is None or nt.kind != "string":
                raise self.error(nt.pos if nt else tok.pos, f"unexpected {_describe(nt)} in define clause")
            self.next()
            self.expect_eoa("define clause")
            saved = self.range_depth
            self.range_depth = 0
            body, end = self.list_until(("end",))
            self.range_depth = saved
            assert end is not None
            self.expect_eoa("end")
            self.templates[nt.val] = body
            return _Text(tok.pos, "")
        raise self.error(tok.pos, f"unexpected {kw}")

    def branch(self, kw: str, tok: _Tok) -> _Node:
        pipe = self.pipeline(kw, tok.pos, allow_decl=True, allow_range_pair=(kw == "range"))
        if kw == "range":
            self.range_depth += 1
        body, end = self.list_until(("end", "else"))
        if kw == "range":
            self.range_depth -= 1
        assert end is not None
        else_body = None
        if end[0] == "else":
            nt = self.peek()
            if nt is not None and nt.kind == "keyword" and nt.val in ("if", "with") and kw in ("if", "with") and nt.val == kw:
                # {{else if ...}} / {{else with ...}}: a nested branch that shares our {{end}}
                self.next()
                else_body = [self.branch(nt.val, nt)]
                return _Branch(tok.pos, kw, pipe, body, else_body)
            self.expect_eoa("else")
            else_body, end2 = self.list_until(("end",))
            assert end2 is not None
        self.expect_eoa("end")
        return _Branch(tok.pos, kw, pipe, body, else_body)

    def pipeline(self, context: str, pos: int, *, allow_decl: bool = True, allow_range_pair: bool = False) -> _Pipe:
        decl: list[str] = []
        is_assign = False
        start = self.i
        t = self.peek()
        if t is not None and t.kind == "var":
            # look ahead for a declaration
            j = self.i + 1
            names = [t.val]
            if j < len(self.toks) and self.toks[j].kind == "comma" and allow_range_pair:
                if j + 1 < len(self.toks) and self.toks[j + 1].kind == "var":
                    names.append(self.toks[j + 1].val)
                    j += 2
            if j < len(self.toks) and self.toks[j].kind in ("declare", "assign"):
                is_assign = self.toks[j].kind == "assign"
                decl = names
                self.i = j + 1
            elif len(names) == 2:
                raise self.error(self.toks[j].pos if j < len(self.toks) else pos, "missing := in range")
        cmds: list[_Command] = []
        while True:
            t = self.peek()
            if t is None:
                raise self.error(len(self.text), "unclosed action")
            if t.kind == "eoa":
                self.next()
                break
            if t.kind == "rparen":
                raise self.error(t.pos, "unexpected right paren")
            cmd = self.command()
            cmds.append(cmd)
            t = self.peek()
            if t is not None and t.kind == "pipe":
                self.next()
                nt = self.peek()
                if nt is None or nt.kind in ("eoa", "pipe", "rparen"):
                    raise self.error(t.pos, "missing command")
        if not cmds:
            raise self.error(pos, f"missing value for {context}")
        for c in cmds[1:]:
            first = c.args[0]
            if first.kind in ("literal", "nil") or (first.kind == "dot"):
                raise self.error(first.pos, f"non executable command in pipeline stage {cmds.index(c) + 1}")
        return _Pipe(pos, decl, is_assign, cmds, self._src(start))

    def _src(self, start: int) -> str:
        toks = self.toks[start : self.i]
        if not toks:
            return ""
        a = toks[0].pos
        b = toks[-1].pos
        return self.text[a:b].strip()

    def subpipe(self, pos: int) -> _Pipe:
        start = self.i
        cmds: list[_Command] = []
        while True:
            t = self.peek()
            if t is None or t.kind == "eoa":
                raise self.error(pos, "unclosed left paren")
            if t.kind == "rparen":
                self.next()
                break
            cmds.append(self.command(in_paren=True))
            t = self.peek()
            if t is not None and t.kind == "pipe":
                self.next()
        if not cmds:
            raise self.error(pos, "missing value for parenthesized pipeline")
        return _Pipe(pos, [], False, cmds, self._src(start))

    def command(self, in_paren: bool = False) -> _Command:
        args: list[_Operand] = []
        start = self.i
        while True:
            t = self.peek()
            if t is None:
                raise self.error(len(self.text), "unclosed action")
            if t.kind in ("eoa", "pipe") or (t.kind == "rparen"):
                break
            if t.kind in ("declare", "assign", "comma", "keyword"):
                raise self.error(t.pos, f"unexpected {_describe(t)} in operand")
            args.append(self.operand())
        if not args:
            t = self.peek()
            raise self.error(t.pos if t else len(self.text), "empty command")
        toks = self.toks[start : self.i]
        src = self.text[toks[0].pos : (toks[-1].pos + len(toks[-1].src or "x"))]
        return _Command(args[0].pos, args, src)

    def operand(self) -> _Operand:
        t = self.next()
        if t.kind == "field":
            names = [t.val]
            while self.peek_kind() == "field" and self._adjacent():
                names.append(self.next().val)
            return _Operand(t.pos, "field", tuple(names), src="." + ".".join(names))
        if t.kind == "var":
            names = []
            while self.peek_kind() == "field" and self._adjacent():
                names.append(self.next().val)
            return _Operand(t.pos, "var", t.val, tuple(names), src=t.val + "".join("." + n for n in names))
        if t.kind == "dot":
            return _Operand(t.pos, "dot", None, src=".")
        if t.kind in ("string", "number", "bool"):
            return _Operand(t.pos, "literal", t.val, src=t.src or str(t.val))
        if t.kind == "nil":
            return _Operand(t.pos, "nil", None, src="nil")
        if t.kind == "ident":
            if t.val not in FUNCS:
                raise self.error(t.pos, f'function "{t.val}" not defined')
            return _Operand(t.pos, "ident", t.val, src=t.val)
        if t.kind == "lparen":
            pipe = self.subpipe(t.pos)
            names = []
            while self.peek_kind() == "field" and self._adjacent():
                names.append(self.next().val)
            return _Operand(t.pos, "pipe", pipe, tuple(names), src=f"({pipe.src})" + "".join("." + n for n in names))
        raise self.error(t.pos, f"unexpected {_describe(t)} in operand")

    def _adjacent(self) -> bool:
        prev = self.toks[self.i - 1]
        cur = self.toks[self.i]
        end = prev.pos + len(prev.src or "") if prev.kind != "rparen" else prev.pos + 1
        return cur.pos == end


def _describe(t: _Tok | None) -> str:
    if t is None:
        return "EOF"
    if t.kind == "eoa":
        return '"}}"'
    if t.src:
        return f"<{t.src}>"
    return f'"{t.val}"'


# --------------------------------------------------------------------------------------
# Execution
# --------------------------------------------------------------------------------------


class Template:
    """A parsed template. `options`: Go's `missingkey=default|invalid|zero|error`."""

    def __init__(self, text: str, *, name: str = "", options: list[str] | tuple[str, ...] = (), funcs: dict[str, Callable[..., Any]] | None = None) -> None:
        self.name = name
        self.text = text
        self.missingkey = "default"
        for opt in options:
            key, _, value = opt.partition("=")
            if key != "missingkey" or value not in ("default", "invalid", "zero", "error"):
                raise TemplateError(f"unrecognized option: {opt}")
            self.missingkey = value
        self.funcs = FUNCS if funcs is None else {**FUNCS, **funcs}
        self.templates: dict[str, list[_Node]] = {}
        toks = _Lexer(text, name).run()
        self.root = _Parser(text, name, toks, self.templates).parse()

    def execute(self, data: Any) -> str:
        out: list[str] = []
        st = _State(self, out, [("$", data)])
        try:
            st.walk(data, self.root)
        except RecursionError:
            raise TemplateError(f"template: {self.name}: exceeded maximum template depth") from None
        return "".join(out)


def render(text: str, data: Any, *, options: list[str] | tuple[str, ...] = (), name: str = "") -> str:
    """Parse and execute `text` against `data` in one step."""
    return Template(text, name=name, options=options).execute(data)


@dataclass
class _State:
    tmpl: Template
    out: list[str]
    vars: list[tuple[str, Any]] = field(default_factory=list)
    depth: int = 0
    node_pos: int = 0
    node_src: str = ""

    def error(self, msg: str) -> TemplateError:
        line, col = _line_col(self.tmpl.text, self.node_pos)
        name = self.tmpl.name
        return TemplateError(f'template: {name}:{line}:{col}: executing "{name}" at <{self.node_src}>: {msg}', line=line, col=col)

    def at(self, node: Any, src: str | None = None) -> None:
        self.node_pos = node.pos
        self.node_src = src if src is not None else getattr(node, "src", "")

    def walk(self, dot: Any, nodes: list[_Node]) -> None:
        for node in nodes:
            if isinstance(node, _Text):
                self.out.append(node.text)
            elif isinstance(node, _Action):
                # variables declared in an action live until the end of the enclosing block
                value = self.pipe(dot, node.pipe)
                if not node.pipe.decl:
                    self.out.append(self.printable(value, node.pipe))
            elif isinstance(node, _Branch):
                self.branch(dot, node)
            elif isinstance(node, _TemplateCall):
                self.call_template(dot, node)
            elif isinstance(node, _Loop):
                raise _Break() if node.kind == "break" else _Continue()

    def scoped_walk(self, dot: Any, nodes: list[_Node]) -> None:
        mark = len(self.vars)
        try:
            self.walk(dot, nodes)
        finally:
            del self.vars[mark:]

    def printable(self, value: Any, pipe: _Pipe) -> str:
        if value is _MISSING or value is None:
            return "<no value>"
        return go_sprint_value(value)

    def branch(self, dot: Any, node: _Branch) -> None:
        mark = len(self.vars)
        try:
            if node.kind == "range":
                self.range(dot, node)
                return
            value = self.pipe(dot, node.pipe)
            if _truth(value):
                self.walk(value if node.kind == "with" else dot, node.body)
            elif node.else_body is not None:
                self.walk(dot, node.else_body)
        finally:
            del self.vars[mark:]

    def range(self, dot: Any, node: _Branch) -> None:
        pipe = node.pipe
        decl = pipe.decl
        inner = _Pipe(pipe.pos, [], False, pipe.cmds, pipe.src)
        value = self.pipe(dot, inner)
        if value is _MISSING or value is None:
            items: list[tuple[Any, Any]] = []
        elif isinstance(value, dict):
            items = [(k, value[k]) for k in sorted(value, key=_sort_key)]
        elif isinstance(value, (list, tuple)):
            items = list(enumerate(value))
        elif isinstance(value, int) and not isinstance(value, bool):
            items = [(i, i) for i in range(value)]
        else:
            self.at(pipe)
            raise self.error(f"range can't iterate over {go_sprint_value(value)}")
        if not items:
            if node.else_body is not None:
                self.scoped_walk(dot, node.else_body)
            return
        mark = len(self.vars)
        for k, v in items:
            del self.vars[mark:]
            if len(decl) == 1:
                self.vars.append((decl[0], v))
            elif len(decl) == 2:
                self.vars.append((decl[0], k))
                self.vars.append((decl[1], v))
            try:
                self.scoped_walk(v, node.body)
            except _Break:
                break
            except _Continue:
                continue
        del self.vars[mark:]

    def call_template(self, dot: Any, node: _TemplateCall) -> None:
        body = self.tmpl.templates.get(node.name)
        if body is None:
            self.at(node, f"template {node.name!r}")
            raise self.error(f'template: no template "{node.name}" associated with template "{self.tmpl.name}"')
        value = _MISSING if node.pipe is None else self.pipe(dot, node.pipe)
        if self.depth > 1000:
            raise self.error("exceeded maximum template depth (100000)")
        sub = _State(self.tmpl, self.out, [("$", value)], self.depth + 1)
        sub.walk(value, body)

    def pipe(self, dot: Any, pipe: _Pipe) -> Any:
        value: Any = _MISSING
        first = True
        for cmd in pipe.cmds:
            value = self.command(dot, cmd, None if first else (value,))
            first = False
        if pipe.decl:
            if pipe.is_assign:
                for idx in range(len(self.vars) - 1, -1, -1):
                    if self.vars[idx][0] == pipe.decl[0]:
                        self.vars[idx] = (pipe.decl[0], value)
                        break
                else:
                    self.at(pipe)
                    raise self.error(f"undefined variable: {pipe.decl[0]}")
            else:
                for name in pipe.decl:
                    self.vars.append((name, value))
        return value

    def var(self, name: str) -> Any:
        for idx in range(len(self.vars) - 1, -1, -1):
            if self.vars[idx][0] == name:
                return self.vars[idx][1]
        raise self.error(f"undefined variable: {name}")

    def command(self, dot: Any, cmd: _Command, final: tuple[Any] | None) -> Any:
        first = cmd.args[0]
        self.at(first)
        if first.kind == "ident":
            return self.call_func(dot, first, cmd.args[1:], final)
        if len(cmd.args) > 1 or final is not None:
            if first.kind in ("field", "var", "pipe") and (first.kind == "field" or first.fields):
                raise self.error(f"{first.src} has arguments but cannot be invoked as function" if first.kind == "field" else f"can't give argument to non-function {first.src}")
            raise self.error(f"can't give argument to non-function {first.src}")
        return self.operand(dot, first)

    def operand(self, dot: Any, op: _Operand) -> Any:
        self.at(op)
        if op.kind == "literal":
            return op.val
        if op.kind == "nil":
            raise self.error("nil is not a command")
        if op.kind == "dot":
            return dot
        if op.kind == "field":
            return self.fields(dot, op.val, op)
        if op.kind == "var":
            value = self.var(op.val)
            return self.fields(value, op.fields, op) if op.fields else value
        if op.kind == "pipe":
            value = self.pipe(dot, op.val)
            return self.fields(value, op.fields, op) if op.fields else value
        if op.kind == "ident":
            return self.call_func(dot, op, [], None)
        raise self.error(f"can't handle {op.src}")

    def fields(self, value: Any, names: tuple[str, ...], op: _Operand) -> Any:
        self.at(op)
        for name in names:
            if value is _MISSING:
                # Go: an invalid receiver yields the zero value (or, with missingkey=error, fails)
                if self.tmpl.missingkey == "error":
                    raise self.error(f'nil data; no entry for key "{name}"')
                continue
            if isinstance(value, dict):
                if name in value:
                    value = value[name]
                else:
                    if self.tmpl.missingkey == "error":
                        raise self.error(f'map has no entry for key "{name}"')
                    value = None if self.tmpl.missingkey == "zero" else _MISSING
            elif value is None:
                raise self.error(f"nil pointer evaluating interface {{}}.{name}")
            else:
                raise self.error(f"can't evaluate field {name} in type {_go_type(value)}")
        return value

    def call_func(self, dot: Any, op: _Operand, args: list[_Operand], final: tuple[Any] | None) -> Any:
        name = op.val
        fn = self.tmpl.funcs[name]
        if name in ("and", "or"):
            values_src = list(args)
            if not values_src and final is None:
                raise self.error(f"wrong number of args for {name}: want at least 1 got 0")
            result: Any = None
            for a in values_src:
                result = self.operand(dot, a)
                if _truth(result) == (name == "or"):
                    return result
            if final is not None:
                result = final[0]
            return result
        values = [self.operand(dot, a) for a in args]
        if final is not None:
            values.append(final[0])
        self.at(op, op.src)
        if name == "call":
            if not values or not callable(values[0]):
                raise self.error("error calling call: non-function of type " + (_go_type(values[0]) if values else "<nil>"))
        try:
            return fn(*[None if v is _MISSING else v for v in values])
        except _FuncError as e:
            raise self.error(f"error calling {name}: {e}") from None
        except _ArgError as e:
            raise self.error(str(e)) from None
        except TemplateError:
            raise
        except TypeError as e:
            raise self.error(f"wrong number of args for {name}: {e}") from None
        except (ValueError, KeyError, IndexError, ZeroDivisionError, OverflowError, AttributeError) as e:
            raise self.error(f"error calling {name}: {e}") from None


class _ArgError(Exception):
    """A value of the wrong type passed to a typed function parameter (Go's reflection)."""


# --------------------------------------------------------------------------------------
# Go value semantics: truth, types, printing
# --------------------------------------------------------------------------------------


def _truth(v: Any) -> bool:
    if v is None or v is _MISSING:
        return False
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)):
        return v != 0
    if isinstance(v, (str, list, tuple, dict, bytes)):
        return len(v) > 0
    return True


def _go_type(v: Any) -> str:
    if v is None or v is _MISSING:
        return "<nil>"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float64"
    if isinstance(v, str):
        return "string"
    if isinstance(v, dict):
        return "map[string]interface {}"
    if isinstance(v, (list, tuple)):
        return "[]string" if v and all(isinstance(x, str) for x in v) and isinstance(v, tuple) else "[]interface {}"
    if isinstance(v, bytes):
        return "[]uint8"
    return type(v).__name__


def _sort_key(k: Any) -> Any:
    return (0, k) if isinstance(k, (int, float)) and not isinstance(k, bool) else (1, str(k))


def go_format_float(f: float, fmt: str = "g", prec: int = -1) -> str:
    """strconv.FormatFloat(f, fmt, prec, 64) for fmt in 'e', 'f', 'g' (prec -1 = shortest)."""
    if math.isnan(f):
        return "NaN"
    if math.isinf(f):
        return "+Inf" if f > 0 else "-Inf"
    neg = "-" if math.copysign(1, f) < 0 else ""
    if fmt == "f":
        if prec < 0:
            return _plain_float(f)
        return f"{f:.{prec}f}"
    if fmt == "e":
        if prec < 0:
            digits, exp = _shortest(f)
            mant = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
            return neg + mant + _exp_str(exp)
        m, _, e = f"{f:.{prec}e}".partition("e")
        return m + _exp_str(int(e))
    if prec < 0:
        digits, exp = _shortest(f)
        if exp < -4 or exp >= 6 and exp >= 6:
            if exp < -4 or exp >= 6:
                mant = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
                return neg + mant + _exp_str(exp)
        return _plain_float(f)
    if prec == 0:
        prec = 1
    digits_s = f"{abs(f):.{prec - 1}e}"
    m, _, e = digits_s.partition("e")
    exp = int(e)
    if exp < -4 or exp >= prec:
        m = m.rstrip("0").rstrip(".") if "." in m else m
        return neg + m + _exp_str(exp)
    out = f"{abs(f):.{max(prec - 1 - exp, 0)}f}"
    if "." in out:
        out = out.rstrip("0").rstrip(".")
    return neg + out


def _shortest(f: float) -> tuple[str, int]:
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


def _exp_str(exp: int) -> str:
    return ("e+" if exp >= 0 else "e-") + f"{abs(exp):02d}"


def go_sprint_value(v: Any) -> str:
    """fmt.Sprint of one value (%v)."""
    if v is None or v is _MISSING:
        return "<nil>"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return go_format_float(v, "g", -1)
    if isinstance(v, str):
        return v
    if isinstance(v, dict):
        return "map[" + " ".join(f"{go_sprint_value(k)}:{go_sprint_value(v[k])}" for k in sorted(v, key=_sort_key)) + "]"
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
        out.append(_fmt_one(verb, flags, width, prec, arg))
    if ai < len(args):
        extra = ", ".join(f"{_go_type(a)}={go_sprint_value(a)}" if a is not None else "<nil>" for a in args[ai:])
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
    return f"%!{verb}({_go_type(arg)}={go_sprint_value(arg)})"


def _fmt_one(verb: str, flags: str, width: int | None, prec: int | None, arg: Any) -> str:
    if verb == "T":
        return _pad(_go_type(arg) if arg is not None else "<nil>", flags, width)
    if verb == "v":
        if isinstance(arg, float):
            return _fmt_one("g", flags, width, prec, arg)
        if isinstance(arg, int) and not isinstance(arg, bool):
            return _fmt_one("d", flags, width, prec, arg)
        if isinstance(arg, str):
            return _fmt_one("s", flags, width, prec, arg)
        if "+" in flags and isinstance(arg, dict):
            pass
        return _pad(go_sprint_value(arg), flags, width)
    if isinstance(arg, (list, tuple)) and verb in "sdqxXvfg" and not isinstance(arg, str):
        return _pad("[" + " ".join(_fmt_one(verb, flags.replace("-", ""), None, prec, x) for x in arg) + "]", flags, width)
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
            return _pad("map[" + " ".join(f"{_fmt_one(verb, '', None, None, k)}:{_fmt_one(verb, '', None, prec, arg[k])}" for k in sorted(arg, key=_sort_key)) + "]", flags, width)
        return _bad_verb(verb, arg)
    return _pad(go_sprint_value(arg), flags, width)


# --------------------------------------------------------------------------------------
# Builtins
# --------------------------------------------------------------------------------------


def _basic_kind(v: Any) -> str:
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float"
    if isinstance(v, str):
        return "string"
    if v is None or v is _MISSING:
        return "nil"
    return "other"


def _eq(a: Any, *bs: Any) -> bool:
    if not bs:
        raise _ArgError("error calling eq: missing argument for comparison")
    ka = _basic_kind(a)
    for b in bs:
        kb = _basic_kind(b)
        if ka == "other" or kb == "other":
            if ka == "nil" or kb == "nil":
                if a is b or (a in (None, _MISSING) and b in (None, _MISSING)):
                    return True
                continue
            raise _ArgError("error calling eq: non-comparable type " + _go_type(a if ka == "other" else b))
        if ka == "nil" or kb == "nil":
            if ka == kb:
                return True
            continue
        if ka != kb:
            raise _ArgError("error calling eq: incompatible types for comparison")
        if a == b:
            return True
    return False


def _ne(a: Any, b: Any) -> bool:
    try:
        return not _eq(a, b)
    except _ArgError as e:
        raise _ArgError(str(e).replace("calling eq", "calling ne")) from None


def _cmp(name: str) -> Callable[[Any, Any], bool]:
    def cmp(a: Any, b: Any) -> bool:
        ka, kb = _basic_kind(a), _basic_kind(b)
        if ka in ("bool", "nil", "other") or kb in ("bool", "nil", "other"):
            raise _ArgError(f"error calling {name}: invalid type for comparison")
        if ka != kb:
            raise _ArgError(f"error calling {name}: incompatible types for comparison")
        return {"lt": a < b, "le": a <= b, "gt": a > b, "ge": a >= b}[name]

    return cmp


def _len(v: Any) -> int:
    if isinstance(v, str):
        return len(v.encode("utf-8"))
    if isinstance(v, (list, tuple, dict, bytes)):
        return len(v)
    raise _FuncError(f"len of type {_go_type(v)}" if v is not None else "len of nil pointer")


def _index(item: Any, *indexes: Any) -> Any:
    if item is None or item is _MISSING:
        raise _FuncError("index of untyped nil")
    for ix in indexes:
        if isinstance(item, dict):
            if not isinstance(ix, str):
                raise _FuncError(f"value has type {_go_type(ix)}; should be string")
            item = item.get(ix)
        elif isinstance(item, (list, tuple, str)):
            if isinstance(ix, bool) or not isinstance(ix, int):
                raise _FuncError(f"cannot index slice/array with type {_go_type(ix)}")
            if ix < 0 or ix >= len(item):
                raise _FuncError(f"index out of range: {ix}")
            item = item[ix] if not isinstance(item, str) else item.encode("utf-8")[ix]
        elif item is None:
            raise _FuncError("index of untyped nil")
        else:
            raise _FuncError(f"can't index item of type {_go_type(item)}")
    return item


def _slice(item: Any, *idx: Any) -> Any:
    if not isinstance(item, (list, tuple, str)):
        raise _FuncError(f"can't slice item of type {_go_type(item)}")
    if len(idx) > 3 or (len(idx) == 3 and isinstance(item, str)):
        raise _FuncError("too many slice indexes")
    n = len(item)
    ix = [int(i) for i in idx]
    start = ix[0] if ix else 0
    end = ix[1] if len(ix) > 1 else n
    if start < 0 or end < start or end > n:
        raise _FuncError(f"index out of range: {end if end > n else start}")
    return item[start:end]


def _js(*args: Any) -> str:
    s = _eval_args(args)
    out = []
    for ch in s:
        if ch == "\\":
            out.append("\\\\")
        elif ch == "'":
            out.append("\\'")
        elif ch == '"':
            out.append("\\u0022")
        elif ch == "<":
            out.append("\\u003C")
        elif ch == ">":
            out.append("\\u003E")
        elif ch == "&":
            out.append("\\u0026")
        elif ch == "=":
            out.append("\\u003D")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return "".join(out)


def _eval_args(args: tuple[Any, ...]) -> str:
    if len(args) == 1 and isinstance(args[0], str):
        return args[0]
    return go_sprint(*args)


def _html_escape(*args: Any) -> str:
    s = _eval_args(args)
    return s.replace("&", "&amp;").replace("'", "&#39;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;").replace("\0", "\ufffd")


def _urlquery(*args: Any) -> str:
    return urllib.parse.quote_plus(_eval_args(args), safe="")


def _call(fn: Any, *args: Any) -> Any:
    return fn(*args)


# --------------------------------------------------------------------------------------
# Sprig
# --------------------------------------------------------------------------------------


def _s(v: Any, fn: str = "") -> str:
    """A `string` parameter: Go refuses other types."""
    if isinstance(v, str):
        return v
    if v is None or v is _MISSING:
        raise _ArgError("invalid value; expected string")
    raise _ArgError(f"wrong type for value; expected string; got {_go_type(v)}")


def _i(v: Any) -> int:
    """An `int` parameter."""
    if isinstance(v, int) and not isinstance(v, bool):
        return v
    if v is None or v is _MISSING:
        raise _ArgError("invalid value; expected int")
    raise _ArgError(f"wrong type for value; expected int; got {_go_type(v)}")


def strval(v: Any) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    return go_sprint_value(v)


def _strslice(v: Any) -> list[str]:
    if isinstance(v, (list, tuple)):
        return [strval(x) for x in v if x is not None]
    if v is None:
        return []
    return [strval(v)]


def _to_int64(v: Any) -> int:
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


def _to_float64(v: Any) -> float:
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


def _empty(v: Any) -> bool:
    return not _truth(v)


def _default(d: Any, *given: Any) -> Any:
    if not given or _empty(given[0]):
        return d
    return given[0]


def _coalesce(*vs: Any) -> Any:
    for v in vs:
        if not _empty(v):
            return v
    return None


def _ternary(vt: Any, vf: Any, cond: Any) -> Any:
    if not isinstance(cond, bool):
        raise _ArgError(f"wrong type for value; expected bool; got {_go_type(cond)}")
    return vt if cond else vf


def _dict(*kv: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for i in range(0, len(kv), 2):
        k = strval(kv[i])
        out[k] = kv[i + 1] if i + 1 < len(kv) else ""
    return out


def _need_map(v: Any) -> dict[str, Any]:
    if isinstance(v, dict):
        return v
    raise _ArgError(f"wrong type for value; expected map[string]interface {{}}; got {_go_type(v)}")


def _need_list(v: Any, fn: str) -> list[Any]:
    if isinstance(v, (list, tuple)):
        return list(v)
    if v is None:
        return []
    raise _FuncError(f"Cannot find {fn} on type {_go_type(v)}")


def _deep_merge(dst: dict[str, Any], src: dict[str, Any], overwrite: bool) -> None:
    for k, v in src.items():
        if k in dst and isinstance(dst[k], dict) and isinstance(v, dict):
            _deep_merge(dst[k], v, overwrite)
        elif k not in dst or (overwrite and not _empty(v)) or (not overwrite and _empty(dst[k]) and not isinstance(dst[k], dict)):
            dst[k] = _copy(v)


def _copy(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _copy(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_copy(x) for x in v]
    return v


def _merge(dst: Any, *srcs: Any) -> dict[str, Any]:
    d = _need_map(dst)
    for s in srcs:
        _deep_merge(d, _need_map(s), False)
    return d


def _merge_overwrite(dst: Any, *srcs: Any) -> dict[str, Any]:
    d = _need_map(dst)
    for s in srcs:
        _deep_merge(d, _need_map(s), True)
    return d


def _dig(*args: Any) -> Any:
    if len(args) < 3:
        raise _FuncError("dig needs at least three arguments")
    keys, default, m = args[:-2], args[-2], args[-1]
    cur: Any = _need_map(m)
    for k in keys:
        if not isinstance(cur, dict) or _s(k) not in cur:
            return default
        cur = cur[k]
    return cur


def _uniq(lst: Any) -> list[Any]:
    out: list[Any] = []
    for x in _need_list(lst, "uniq"):
        if x not in out:
            out.append(x)
    return out


def _without(lst: Any, *omit: Any) -> list[Any]:
    return [x for x in _need_list(lst, "without") if x not in omit]


def _has(needle: Any, haystack: Any) -> bool:
    if haystack is None:
        return False
    return needle in _need_list(haystack, "has")


def _round(a: Any, p: Any, r_opt: Any = 0.5) -> float:
    val = _to_float64(a)
    places = _to_int64(p)
    round_on = _to_float64(r_opt)
    pow_ = 10.0 ** places
    digit = pow_ * val
    frac = math.modf(digit)[0]
    rounder = math.ceil(digit) if frac >= round_on else math.floor(digit)
    return rounder / pow_


def _re(regex: str) -> re.Pattern[str]:
    try:
        return re.compile(_s(regex))
    except re.error as e:
        raise _FuncError(f"error parsing regexp: {e}") from None


def _go_repl(repl: str) -> Callable[[re.Match[str]], str]:
    def expand(m: re.Match[str]) -> str:
        out: list[str] = []
        i = 0
        while i < len(repl):
            c = repl[i]
            if c != "$":
                out.append(c)
                i += 1
                continue
            if repl.startswith("$$", i):
                out.append("$")
                i += 2
                continue
            mm = re.match(r"\$\{([A-Za-z0-9_]+)\}|\$([A-Za-z0-9_]+)", repl[i:])
            if not mm:
                out.append("$")
                i += 1
                continue
            name = mm.group(1) or mm.group(2)
            i += mm.end()
            try:
                g = m.group(int(name)) if name.isdigit() else m.group(name)
            except (IndexError, re.error):
                g = ""
            out.append(g or "")
        return "".join(out)

    return expand



def _split_n(regex: str, s: str, n: int) -> list[str]:
    r = _re(regex)
    s = _s(s)
    n = _i(n)
    if n == 0:
        return []
    if regex and len(s) == 0:
        return [""]
    parts = r.split(s) if r.groups == 0 else re.compile(r.pattern.replace("(", "(?:")).split(s)
    if n > 0 and len(parts) > n:
        # rejoin the tail
        idx = [m for m in r.finditer(s)]
        cut = idx[n - 2].end() if n >= 2 else 0
        parts = parts[: n - 1] + [s[cut:]]
    return parts


def _title(s: str) -> str:
    out: list[str] = []
    prev = " "
    for ch in _s(s):
        if _title_sep(prev):
            out.append(ch.title() if len(ch.title()) == 1 else ch.upper())
        else:
            out.append(ch)
        prev = ch
    return "".join(out)


def _title_sep(ch: str) -> bool:
    if ch.isascii():
        return not (ch.isalnum() or ch == "_")
    if ch.isalpha() or ch.isdigit():
        return False
    return ch.isspace()


def _wrap(width: Any, s: Any) -> str:
    width = _i(width)
    text = _s(s)
    if width < 1:
        width = 1
    lines = []
    for line in text.split("\n"):
        lines.append(_wrap_line(line, width))
    return "\n".join(lines)


def _wrap_line(s: str, width: int) -> str:
    out: list[str] = []
    cur = ""
    for word in s.split(" "):
        if not cur:
            cur = word
        elif len(cur) + 1 + len(word) <= width:
            cur += " " + word
        else:
            out.append(cur)
            cur = word
    out.append(cur)
    return "\n".join(out)


def _words(s: str) -> list[str]:
    """Split an identifier into words (xstrings-like)."""
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", s)
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1 \2", s)
    return [w for w in re.split(r"[^A-Za-z0-9]+", s) if w]


def _snakecase(s: Any) -> str:
    return "_".join(w.lower() for w in _words(_s(s)))


def _kebabcase(s: Any) -> str:
    return "-".join(w.lower() for w in _words(_s(s)))


def _camelcase(s: Any) -> str:
    """xstrings.ToCamelCase: `_`/`-`/space separated words joined, each capitalised."""
    text = _s(s)
    parts = re.split(r"[_\-\s]+", text)
    return "".join(p[:1].upper() + p[1:] for p in parts if p)


def _initials(s: Any) -> str:
    return "".join(w[0] for w in _s(s).split() if w)


def _abbrev(width: Any, s: Any) -> str:
    w = _i(width)
    text = _s(s)
    if w < 4 or len(text) <= w:
        return text
    return text[: w - 3] + "..."


def _trunc(c: Any, s: Any) -> str:
    n = _i(c)
    text = _s(s)
    if n < 0 and len(text) + n > 0:
        return text[len(text) + n :]
    if n >= 0 and len(text) > n:
        return text[:n]
    return text


def _substr(start: Any, end: Any, s: Any) -> str:
    a, b, text = _i(start), _i(end), _s(s)
    if a < 0:
        return text[:b]
    if b < 0 or b > len(text):
        return text[a:]
    return text[a:b]


def _go_json(v: Any, indent: str | None = None, escape_html: bool = True) -> str:
    def enc(x: Any, level: int) -> str:
        if x is None or x is _MISSING:
            return "null"
        if isinstance(x, bool):
            return "true" if x else "false"
        if isinstance(x, int):
            return str(x)
        if isinstance(x, float):
            if math.isnan(x) or math.isinf(x):
                raise _FuncError(f"json: unsupported value: {go_format_float(x)}")
            a = abs(x)
            if a != 0 and (a < 1e-6 or a >= 1e21):
                return re.sub(r"e([+-])0(\d)$", r"e\1\2", go_format_float(x, "e", -1))
            return _plain_float(x)
        if isinstance(x, str):
            s = json.dumps(x, ensure_ascii=False)
            if escape_html:
                s = s.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            return s.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
        if isinstance(x, dict):
            if not x:
                return "{}"
            keys = sorted(x, key=str)
            if indent is None:
                return "{" + ",".join(enc(str(k), 0) + ":" + enc(x[k], 0) for k in keys) + "}"
            pad = indent * (level + 1)
            return "{\n" + ",\n".join(pad + enc(str(k), 0) + ": " + enc(x[k], level + 1) for k in keys) + "\n" + indent * level + "}"
        if isinstance(x, (list, tuple)):
            if not x:
                return "[]"
            if indent is None:
                return "[" + ",".join(enc(e, 0) for e in x) + "]"
            pad = indent * (level + 1)
            return "[\n" + ",\n".join(pad + enc(e, level + 1) for e in x) + "\n" + indent * level + "]"
        raise _FuncError(f"json: unsupported type: {_go_type(x)}")

    return enc(v, 0)


def _plain_float(x: float) -> str:
    digits, exp = _shortest(x)
    neg = "-" if math.copysign(1, x) < 0 else ""
    if digits == "0":
        return neg + "0"
    if exp < 0:
        return neg + "0." + "0" * (-exp - 1) + digits
    if exp + 1 >= len(digits):
        return neg + digits + "0" * (exp + 1 - len(digits))
    return neg + digits[: exp + 1] + "." + digits[exp + 1 :]


def _from_json(s: Any) -> Any:
    try:
        return _floats(json.loads(_s(s)))
    except json.JSONDecodeError:
        return {}


def _must_from_json(s: Any) -> Any:
    try:
        return _floats(json.loads(_s(s)))
    except json.JSONDecodeError as e:
        raise _FuncError(str(e)) from None


def _floats(v: Any) -> Any:
    """JSON numbers decode to float64 in Go."""
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return float(v)
    if isinstance(v, dict):
        return {k: _floats(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_floats(x) for x in v]
    return v


def _to_yaml(v: Any) -> str:
    from renderer.core.yaml import dump_document

    def norm(x: Any) -> Any:
        if x is _MISSING:
            return None
        if isinstance(x, float) and x.is_integer() and abs(x) < 1e21:
            return int(x)
        if isinstance(x, dict):
            return {str(k): norm(e) for k, e in x.items()}
        if isinstance(x, (list, tuple)):
            return [norm(e) for e in x]
        return x

    if v is None or v is _MISSING:
        return "null"
    return dump_document(norm(v)).removesuffix("\n")


def _from_yaml(s: Any) -> Any:
    from renderer.core.errors import SluiceError
    from renderer.core.yaml import load_documents

    try:
        docs = load_documents(_s(s), "<fromYaml>", dialect="config")
    except SluiceError as e:
        raise _FuncError(e.message) from None
    doc = docs[0] if docs else {}
    if not isinstance(doc, dict):
        raise _FuncError(f"error unmarshaling JSON: json: cannot unmarshal {_go_type(doc)} into Go value of type map[string]interface {{}}")
    return _floats(doc)


def _from_yaml_array(s: Any) -> Any:
    from renderer.core.errors import SluiceError
    from renderer.core.yaml import load_documents

    try:
        docs = load_documents(_s(s), "<fromYamlArray>", dialect="config")
    except SluiceError as e:
        raise _FuncError(e.message) from None
    doc = docs[0] if docs else []
    if not isinstance(doc, list):
        raise _FuncError("error unmarshaling JSON: json: cannot unmarshal object into Go value of type []interface {}")
    return _floats(doc)


def sanitize_name(name: str) -> str:
    """Argo CD's `normalize`: lowercase, [^-a-z0-9.] → '-', at most 253 bytes, trim '-' and '.'."""
    name = _s(name).lower()
    name = re.sub(r"[^-a-z0-9.]", "-", name)
    name = name[:253]
    return name.strip("-.")


def slugify(*args: Any) -> str:
    """Argo CD's `slugify [maxSize=50] [smartTruncate=true] name` (gosimple/slug on normalize)."""
    max_size, smart, name = 50, True, ""
    for idx, a in enumerate(args):
        if idx == len(args) - 1:
            name = _s(a)
        elif idx == 0:
            max_size = _i(a)
        elif idx == 1:
            if not isinstance(a, bool):
                raise _ArgError(f"wrong type for value; expected bool; got {_go_type(a)}")
            smart = a
    text = sanitize_name(name)
    # gosimple/slug.Make: transliterate, lowercase, non [a-z0-9-_] runs become '-', trim '-' and '_'
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-z0-9\-_]+", "-", text.lower())
    text = re.sub(r"-+", "-", text).strip("-_")
    if max_size > 0 and len(text) > max_size:
        if smart:
            cut = text[: max_size + 1]
            last = cut.rfind("-")
            text = text[:last] if last > 0 else text[:max_size]
        else:
            text = text[:max_size]
        text = text.strip("-_")
    return text


_SEMVER_RE = re.compile(
    r"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z\-.]+))?(?:\+([0-9A-Za-z\-.]+))?$"
)


@dataclass(frozen=True)
class _Semver:
    major: int
    minor: int
    patch: int
    pre: str
    meta: str
    original: str

    def as_dict(self) -> dict[str, Any]:
        return {"Major": self.major, "Minor": self.minor, "Patch": self.patch, "Prerelease": self.pre, "Metadata": self.meta, "Original": self.original}


def _parse_semver(v: str) -> _Semver:
    m = _SEMVER_RE.match(v.strip())
    if not m:
        raise _FuncError("Invalid Semantic Version")
    return _Semver(int(m.group(1)), int(m.group(2) or 0), int(m.group(3) or 0), m.group(4) or "", m.group(5) or "", v)


def _pre_key(pre: str) -> tuple[Any, ...]:
    if not pre:
        return (1,)
    parts = []
    for p in pre.split("."):
        parts.append((0, int(p), "") if p.isdigit() else (1, 0, p))
    return (0, tuple(parts))


def _sv_key(v: _Semver) -> tuple[Any, ...]:
    return (v.major, v.minor, v.patch, _pre_key(v.pre))


def _semver(v: Any) -> dict[str, Any]:
    return _parse_semver(_s(v)).as_dict()


def _semver_compare(constraint: Any, version: Any) -> bool:
    c = _s(constraint)
    try:
        v = _parse_semver(_s(version))
    except _FuncError:
        raise _FuncError("Invalid Semantic Version") from None
    for alt in c.split("||"):
        terms = [t for t in re.split(r"\s*,\s*|\s+(?=[<>=!~^\d])", alt.strip()) if t]
        if not terms:
            continue
        if all(_semver_term(t, v) for t in terms):
            return True
    return False


def _semver_term(term: str, v: _Semver) -> bool:
    m = re.match(r"^\s*(=|!=|>=|<=|>|<|~>|~|\^)?\s*v?([0-9xX*]+(?:\.[0-9xX*]+)?(?:\.[0-9xX*]+)?(?:-[0-9A-Za-z\-.]+)?(?:\+[0-9A-Za-z\-.]+)?)\s*$", term)
    if not m:
        raise _FuncError(f"improper constraint: {term}")
    op = m.group(1) or "="
    raw = m.group(2)
    core, _, pre = raw.partition("-")
    pre = pre.split("+")[0]
    parts = core.split("+")[0].split(".")
    wild = [p in ("x", "X", "*") for p in parts]
    nums = [0 if w else int(p) for p, w in zip(parts, wild)]
    given = len(parts)
    while len(nums) < 3:
        nums.append(0)
        wild.append(True)
    if v.pre and not pre:
        return False  # prereleases only match constraints that name one
    cv = _Semver(nums[0], nums[1], nums[2], pre, "", raw)
    key = _sv_key(v)
    ck = _sv_key(cv)

    def upper(level: int) -> tuple[Any, ...]:
        b = list(nums)
        b[level] += 1
        for i in range(level + 1, 3):
            b[i] = 0
        return (b[0], b[1], b[2], (0, ((0, 0, ""),)))  # exclusive upper, below any prerelease

    first_wild = next((i for i, w in enumerate(wild) if w), None)
    if op == "=":
        if first_wild is not None:
            if first_wild == 0:
                return True
            return ck <= key < upper(first_wild - 1)
        return key == ck
    if op == "!=":
        if first_wild is not None:
            return not (first_wild == 0 or ck <= key < upper(first_wild - 1))
        return key != ck
    if op == ">":
        if first_wild is not None and first_wild > 0:
            return key >= upper(first_wild - 1)
        return key > ck
    if op == ">=":
        return key >= ck
    if op == "<":
        return key < ck
    if op == "<=":
        if first_wild is not None and first_wild > 0:
            return key < upper(first_wild - 1)
        return key <= ck
    if op in ("~", "~>"):
        level = 1 if given >= 2 else 0
        return ck <= key < upper(level)
    if op == "^":
        if nums[0] > 0 or given == 1:
            level = 0
        elif nums[1] > 0 or given == 2:
            level = 1
        else:
            level = 2 if not wild[2] else 1
        return ck <= key < upper(level)
    return False


def _nondeterministic(name: str) -> Callable[..., Any]:
    def fn(*_args: Any) -> Any:
        raise _FuncError(f"{name} is not available offline: sluice renders deterministically (no clock, randomness or network)")

    return fn


def _seq(*args: Any) -> str:
    ns = [_i(a) for a in args]
    if len(ns) == 1:
        start, step, end = 1, 1, ns[0]
    elif len(ns) == 2:
        start, end = ns
        step = 1 if end >= start else -1
    elif len(ns) == 3:
        start, step, end = ns
    else:
        return ""
    out = []
    if step == 0:
        return ""
    i = start
    while (step > 0 and i <= end) or (step < 0 and i >= end):
        out.append(str(i))
        i += step
    return " ".join(out)


def _until_step(start: Any, stop: Any, step: Any) -> list[int]:
    a, b, s = _i(start), _i(stop), _i(step)
    if s == 0 or (s > 0 and a >= b) or (s < 0 and a <= b):
        return []
    return list(range(a, b, s))


def _kind_of(v: Any) -> str:
    if v is None or v is _MISSING:
        return "invalid"
    return {"bool": "bool", "int": "int", "float64": "float64", "string": "string"}.get(_go_type(v), "map" if isinstance(v, dict) else "slice")


def _regex_find_all(regex: Any, s: Any, n: Any) -> list[str]:
    r, text, k = _re(regex), _s(s), _i(n)
    found = [m.group(0) for m in r.finditer(text)]
    return found if k < 0 else found[:k]


def _regex_find(regex: Any, s: Any) -> str:
    m = _re(regex).search(_s(s))
    return m.group(0) if m else ""


def _regex_replace_all(regex: Any, s: Any, repl: Any) -> str:
    return _re(regex).sub(_go_repl(_s(repl)), _s(s))


def _regex_replace_all_literal(regex: Any, s: Any, repl: Any) -> str:
    r = _s(repl)
    return _re(regex).sub(lambda _m: r, _s(s))


def _regex_match(regex: Any, s: Any) -> bool:
    try:
        return _re(regex).search(_s(s)) is not None
    except _FuncError:
        return False


def _must_regex_match(regex: Any, s: Any) -> bool:
    return _re(regex).search(_s(s)) is not None


def _b64dec(s: Any) -> str:
    try:
        return base64.b64decode(_s(s), validate=True).decode("utf-8", "replace")
    except (ValueError, base64.binascii.Error) as e:  # type: ignore[attr-defined]
        return str(e)


def _b32dec(s: Any) -> str:
    try:
        return base64.b32decode(_s(s)).decode("utf-8", "replace")
    except (ValueError, base64.binascii.Error) as e:  # type: ignore[attr-defined]
        return str(e)


def _set(d: Any, k: Any, v: Any) -> dict[str, Any]:
    m = _need_map(d)
    m[_s(k)] = v
    return m


def _unset(d: Any, k: Any) -> dict[str, Any]:
    m = _need_map(d)
    m.pop(_s(k), None)
    return m


def _get(d: Any, k: Any) -> Any:
    m = _need_map(d)
    return m.get(_s(k), "")


def _pluck(name: Any, *dicts: Any) -> list[Any]:
    key = _s(name)
    return [d[key] for d in dicts if isinstance(d, dict) and key in d]


def _pick(d: Any, *keys: Any) -> dict[str, Any]:
    m = _need_map(d)
    return {k: m[k] for k in keys if k in m}


def _omit(d: Any, *keys: Any) -> dict[str, Any]:
    m = _need_map(d)
    return {k: v for k, v in m.items() if k not in keys}


def _max(a: Any, *rest: Any) -> int:
    return max([_to_int64(a)] + [_to_int64(x) for x in rest])


def _min(a: Any, *rest: Any) -> int:
    return min([_to_int64(a)] + [_to_int64(x) for x in rest])


def _div(a: Any, b: Any) -> int:
    x, y = _to_int64(a), _to_int64(b)
    if y == 0:
        raise _FuncError("runtime error: integer divide by zero")
    q = abs(x) // abs(y)
    return q if (x >= 0) == (y >= 0) else -q


def _mod(a: Any, b: Any) -> int:
    x, y = _to_int64(a), _to_int64(b)
    if y == 0:
        raise _FuncError("runtime error: integer divide by zero")
    return x - _div(x, y) * y


def _split(sep: Any, s: Any) -> dict[str, str]:
    parts = _s(s).split(_s(sep)) if _s(sep) else list(_s(s))
    return {f"_{i}": p for i, p in enumerate(parts)}


def _splitn(sep: Any, n: Any, s: Any) -> dict[str, str]:
    k = _i(n)
    text, sp = _s(s), _s(sep)
    parts = text.split(sp, k - 1) if k > 0 else ([] if k == 0 else text.split(sp))
    return {f"_{i}": p for i, p in enumerate(parts)}


def _split_list(sep: Any, s: Any) -> list[str]:
    text, sp = _s(s), _s(sep)
    return text.split(sp) if sp else list(text)


def _trim_all(cut: Any, s: Any) -> str:
    return _s(s).strip(_s(cut))


def _to_decimal(v: Any) -> int:
    try:
        return int(strval(v), 8)
    except ValueError:
        return 0


def _atoi(v: Any) -> int:
    try:
        return int(_s(v))
    except ValueError:
        return 0


def _to_int(v: Any) -> int:
    return _to_int64(v)


def _append(lst: Any, v: Any) -> list[Any]:
    return _need_list(lst, "append") + [v]


def _prepend(lst: Any, v: Any) -> list[Any]:
    return [v] + _need_list(lst, "prepend")


def _concat(*lists: Any) -> list[Any]:
    out: list[Any] = []
    for lst in lists:
        out.extend(_need_list(lst, "concat"))
    return out


def _first(v: Any) -> Any:
    lst = _need_list(v, "first")
    return lst[0] if lst else None


def _last(v: Any) -> Any:
    lst = _need_list(v, "last")
    return lst[-1] if lst else None


def _sort_alpha(v: Any) -> list[str]:
    return sorted(_strslice(v))


def _keys(*dicts: Any) -> list[str]:
    out: list[str] = []
    for d in dicts:
        out.extend(_need_map(d).keys())
    return sorted(out)


def _values(d: Any) -> list[Any]:
    m = _need_map(d)
    return [m[k] for k in sorted(m)]


def _path_base(p: Any) -> str:
    s = _s(p)
    if s == "":
        return "."
    s = s.rstrip("/")
    if s == "":
        return "/"
    return s.rsplit("/", 1)[-1]


def _path_clean(p: Any) -> str:
    import posixpath

    s = _s(p)
    if s == "":
        return "."
    out = posixpath.normpath(s)
    return "/" + out.lstrip("/") if out.startswith("//") else out


def _path_dir(p: Any) -> str:
    s = _s(p)
    i = s.rfind("/")
    return _path_clean(s[: i + 1])


def _path_ext(p: Any) -> str:
    s = _s(p)
    for i in range(len(s) - 1, -1, -1):
        if s[i] == "/":
            break
        if s[i] == ".":
            return s[i:]
    return ""


def _quote(*args: Any) -> str:
    return " ".join(go_quote(strval(a)) for a in args if a is not None)


def _squote(*args: Any) -> str:
    return " ".join("'" + strval(a) + "'" for a in args if a is not None)


def _cat(*args: Any) -> str:
    return " ".join(strval(a) for a in args if a is not None)


def _indent(n: Any, s: Any) -> str:
    pad = " " * _i(n)
    return pad + _s(s).replace("\n", "\n" + pad)


def _deep_equal(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def _fail(msg: Any) -> Any:
    raise _FuncError(_s(msg))


def _required(msg: Any, v: Any) -> Any:
    if v is None or v is _MISSING or v == "":
        raise _FuncError(_s(msg))
    return v


def _tuple(*args: Any) -> list[Any]:
    return list(args)


def _all(*args: Any) -> bool:
    return all(_truth(a) for a in args)


def _any(*args: Any) -> bool:
    return any(_truth(a) for a in args)


def _compact(v: Any) -> list[Any]:
    return [x for x in _need_list(v, "compact") if not _empty(x)]


def _reverse(v: Any) -> list[Any]:
    return list(reversed(_need_list(v, "reverse")))


def _rest(v: Any) -> list[Any]:
    lst = _need_list(v, "rest")
    return lst[1:] if lst else None  # type: ignore[return-value]


def _initial(v: Any) -> list[Any]:
    lst = _need_list(v, "initial")
    return lst[:-1] if lst else None  # type: ignore[return-value]


def _float_op(op: Callable[[float, float], float]) -> Callable[..., float]:
    def fn(a: Any, *rest: Any) -> float:
        acc = _to_float64(a)
        for r in rest:
            acc = op(acc, _to_float64(r))
        return acc

    return fn


def _int_sum(*args: Any) -> int:
    return sum(_to_int64(a) for a in args)


def _int_mul(a: Any, *rest: Any) -> int:
    acc = _to_int64(a)
    for r in rest:
        acc *= _to_int64(r)
    return acc


FUNCS: dict[str, Callable[..., Any]] = {
    # text/template builtins
    "and": lambda *a: a[-1],
    "or": lambda *a: a[-1],
    "not": lambda a: not _truth(a),
    "len": _len,
    "index": _index,
    "slice": _slice,
    "print": lambda *a: go_sprint(*a),
    "printf": lambda f, *a: go_sprintf(_s(f), *a),
    "println": lambda *a: " ".join(go_sprint_value(x) for x in a) + "\n",
    "eq": _eq,
    "ne": _ne,
    "lt": _cmp("lt"),
    "le": _cmp("le"),
    "gt": _cmp("gt"),
    "ge": _cmp("ge"),
    "html": _html_escape,
    "js": _js,
    "urlquery": _urlquery,
    "call": _call,
    # Sprig: strings
    "upper": lambda s: _s(s).upper(),
    "lower": lambda s: _s(s).lower(),
    "title": _title,
    "untitle": lambda s: " ".join(w[:1].lower() + w[1:] for w in _s(s).split(" ")),
    "trim": lambda s: _s(s).strip(" \t\n\r\v\f\u0085\u00a0"),
    "trimAll": _trim_all,
    "trimall": _trim_all,
    "trimPrefix": lambda p, s: _s(s).removeprefix(_s(p)),
    "trimSuffix": lambda p, s: _s(s).removesuffix(_s(p)),
    "replace": lambda old, new, s: _s(s).replace(_s(old), _s(new)),
    "contains": lambda sub, s: _s(sub) in _s(s),
    "hasPrefix": lambda p, s: _s(s).startswith(_s(p)),
    "hasSuffix": lambda p, s: _s(s).endswith(_s(p)),
    "quote": _quote,
    "squote": _squote,
    "cat": _cat,
    "indent": _indent,
    "nindent": lambda n, s: "\n" + _indent(n, s),
    "trunc": _trunc,
    "abbrev": _abbrev,
    "abbrevboth": lambda left, right, s: _abbrev(right, _s(s)[_i(left) :]) if _i(left) > 0 else _abbrev(right, s),
    "repeat": lambda n, s: _s(s) * max(_i(n), 0),
    "substr": _substr,
    "nospace": lambda s: "".join(ch for ch in _s(s) if not ch.isspace()),
    "initials": _initials,
    "wrap": _wrap,
    "wrapWith": lambda n, sep, s: _wrap(n, s).replace("\n", _s(sep)),
    "plural": lambda one, many, n: _s(one) if _to_int64(n) == 1 else _s(many),
    "snakecase": _snakecase,
    "kebabcase": _kebabcase,
    "camelcase": _camelcase,
    "swapcase": lambda s: _s(s).swapcase(),
    "shuffle": _nondeterministic("shuffle"),
    "splitList": _split_list,
    "split": _split,
    "splitn": _splitn,
    "join": lambda sep, v: _s(sep).join(_strslice(v)),
    "sortAlpha": _sort_alpha,
    "toString": strval,
    "toStrings": _strslice,
    "toDecimal": _to_decimal,
    "regexMatch": _regex_match,
    "mustRegexMatch": _must_regex_match,
    "regexFind": _regex_find,
    "mustRegexFind": _regex_find,
    "regexFindAll": _regex_find_all,
    "mustRegexFindAll": _regex_find_all,
    "regexReplaceAll": _regex_replace_all,
    "mustRegexReplaceAll": _regex_replace_all,
    "regexReplaceAllLiteral": _regex_replace_all_literal,
    "mustRegexReplaceAllLiteral": _regex_replace_all_literal,
    "regexSplit": _split_n,
    "mustRegexSplit": _split_n,
    "regexQuoteMeta": lambda s: re.sub(r"([\\.+*?()|\[\]{}^$])", r"\\\1", _s(s)),
    # conversions
    "atoi": _atoi,
    "int": _to_int,
    "int64": _to_int,
    "float64": _to_float64,
    "toJson": lambda v: _go_json(v),
    "mustToJson": lambda v: _go_json(v),
    "toPrettyJson": lambda v: _go_json(v, "  "),
    "mustToPrettyJson": lambda v: _go_json(v, "  "),
    "toRawJson": lambda v: _go_json(v, None, escape_html=False),
    "mustToRawJson": lambda v: _go_json(v, None, escape_html=False),
    "fromJson": _from_json,
    "mustFromJson": _must_from_json,
    "toYaml": _to_yaml,
    "fromYaml": _from_yaml,
    "fromYamlArray": _from_yaml_array,
    # defaults and flow
    "default": _default,
    "empty": _empty,
    "coalesce": _coalesce,
    "all": _all,
    "any": _any,
    "ternary": _ternary,
    "fail": _fail,
    "required": _required,
    "deepEqual": _deep_equal,
    "kindOf": _kind_of,
    "kindIs": lambda k, v: _s(k) == _kind_of(v),
    "typeOf": lambda v: _go_type(v),
    "typeIs": lambda t, v: _s(t) == _go_type(v),
    "typeIsLike": lambda t, v: _s(t) in (_go_type(v), "*" + _go_type(v)),
    # lists
    "list": _tuple,
    "tuple": _tuple,
    "first": _first,
    "mustFirst": _first,
    "last": _last,
    "mustLast": _last,
    "rest": _rest,
    "mustRest": _rest,
    "initial": _initial,
    "mustInitial": _initial,
    "uniq": _uniq,
    "mustUniq": _uniq,
    "without": _without,
    "mustWithout": _without,
    "has": _has,
    "mustHas": _has,
    "compact": _compact,
    "mustCompact": _compact,
    "append": _append,
    "push": _append,
    "mustAppend": _append,
    "mustPush": _append,
    "prepend": _prepend,
    "mustPrepend": _prepend,
    "concat": _concat,
    "reverse": _reverse,
    "mustReverse": _reverse,
    "slice_": _slice,
    "seq": _seq,
    "until": lambda n: _until_step(0, n, 1 if _i(n) >= 0 else -1),
    "untilStep": _until_step,
    # dicts
    "dict": _dict,
    "get": _get,
    "set": _set,
    "unset": _unset,
    "hasKey": lambda d, k: _s(k) in _need_map(d),
    "keys": _keys,
    "values": _values,
    "pluck": _pluck,
    "pick": _pick,
    "omit": _omit,
    "merge": _merge,
    "mustMerge": _merge,
    "mergeOverwrite": _merge_overwrite,
    "mustMergeOverwrite": _merge_overwrite,
    "dig": _dig,
    "deepCopy": _copy,
    "mustDeepCopy": _copy,
    # math
    "add": _int_sum,
    "add1": lambda a: _to_int64(a) + 1,
    "sub": lambda a, b: _to_int64(a) - _to_int64(b),
    "mul": _int_mul,
    "div": _div,
    "mod": _mod,
    "max": _max,
    "min": _min,
    "biggest": _max,
    "addf": _float_op(lambda a, b: a + b),
    "add1f": lambda a: _to_float64(a) + 1,
    "subf": _float_op(lambda a, b: a - b),
    "mulf": _float_op(lambda a, b: a * b),
    "divf": _float_op(lambda a, b: a / b if b else (math.inf if a > 0 else -math.inf if a < 0 else math.nan)),
    "maxf": lambda a, *r: max([_to_float64(a)] + [_to_float64(x) for x in r]),
    "minf": lambda a, *r: min([_to_float64(a)] + [_to_float64(x) for x in r]),
    "round": _round,
    "ceil": lambda a: float(math.ceil(_to_float64(a))),
    "floor": lambda a: float(math.floor(_to_float64(a))),
    # encodings and hashes
    "b64enc": lambda s: base64.b64encode(_s(s).encode()).decode(),
    "b64dec": _b64dec,
    "b32enc": lambda s: base64.b32encode(_s(s).encode()).decode(),
    "b32dec": _b32dec,
    "sha256sum": lambda s: hashlib.sha256(_s(s).encode()).hexdigest(),
    "sha1sum": lambda s: hashlib.sha1(_s(s).encode()).hexdigest(),
    "sha512sum": lambda s: hashlib.sha512(_s(s).encode()).hexdigest(),
    "adler32sum": lambda s: str(zlib.adler32(_s(s).encode())),
    # paths
    "base": _path_base,
    "dir": _path_dir,
    "clean": _path_clean,
    "ext": _path_ext,
    "isAbs": lambda p: _s(p).startswith("/"),
    "osBase": _path_base,
    "osDir": _path_dir,
    "osClean": _path_clean,
    "osExt": _path_ext,
    "osIsAbs": lambda p: _s(p).startswith("/"),
    # semver
    "semver": _semver,
    "semverCompare": _semver_compare,
    # Argo CD's own
    "normalize": sanitize_name,
    "slugify": slugify,
    # not deterministic: refused
    **{
        name: _nondeterministic(name)
        for name in (
            "now", "date", "dateInZone", "date_in_zone", "dateModify", "date_modify", "mustDateModify",
            "ago", "duration", "durationRound", "htmlDate", "htmlDateInZone", "toDate", "mustToDate",
            "unixEpoch", "randAlphaNum", "randAlpha", "randAscii", "randNumeric", "randBytes", "randInt",
            "uuidv4", "genPrivateKey", "derivePassword", "buildCustomCert", "genCA", "genCAWithKey",
            "genSelfSignedCert", "genSelfSignedCertWithKey", "genSignedCert", "genSignedCertWithKey",
            "encryptAES", "decryptAES", "getHostByName", "env", "expandenv", "bcrypt", "htpasswd",
        )
    },
}
del FUNCS["slice_"]
for _name in ("env", "expandenv", "getHostByName"):
    del FUNCS[_name]
