"""The parser: tokens to a tree of nodes (Go's parse.go and node.go)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Collection

from renderer.gotemplate.errors import TemplateError
from renderer.gotemplate.lex import Tok, line_col


@dataclass(slots=True)
class Node:
    pos: int


@dataclass(slots=True)
class Text(Node):
    text: str


@dataclass(slots=True)
class Operand(Node):
    kind: str  # field, var, dot, literal, nil, ident, pipe
    val: Any  # field: names tuple; var: (name, fields); literal: value; ident: name; pipe: Pipe
    fields: tuple[str, ...] = ()  # fields after a var, paren, or ident? (only var/paren)
    src: str = ""


@dataclass(slots=True)
class Command(Node):
    args: list[Operand]
    src: str = ""


@dataclass(slots=True)
class Pipe(Node):
    decl: list[str]
    is_assign: bool
    cmds: list[Command]
    src: str = ""


@dataclass(slots=True)
class Action(Node):
    pipe: Pipe


@dataclass(slots=True)
class Branch(Node):
    kind: str  # if, with, range
    pipe: Pipe
    body: list[Node]
    else_body: list[Node] | None


@dataclass(slots=True)
class TemplateCall(Node):
    name: str
    pipe: Pipe | None


@dataclass(slots=True)
class Loop(Node):
    kind: str  # break, continue


class Parser:
    def __init__(self, text: str, name: str, toks: list[Tok], templates: dict[str, list[Node]], funcs: Collection[str]) -> None:
        self.funcs = funcs
        self.text = text
        self.name = name
        self.toks = toks
        self.i = 0
        self.templates = templates
        self.range_depth = 0
        self.nesting = 0  # lists being parsed inside a control structure or definition
        self.vars: list[str] = ["$"]  # variables in scope: Go rejects others at parse time

    def error(self, pos: int, msg: str) -> TemplateError:
        line, col = line_col(self.text, pos)
        return TemplateError(f"template: {self.name}:{line}:{col}: {msg}", line=line, col=col)

    def peek(self) -> Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def peek_kind(self) -> str | None:
        t = self.peek()
        return t.kind if t is not None else None

    def next(self) -> Tok:
        t = self.toks[self.i]
        self.i += 1
        return t

    def parse(self) -> list[Node]:
        body, end = self.list_until(())
        if end is not None:
            raise self.error(end[1].pos, f"unexpected {{{{{end[0]}}}}}")
        return body

    def list_until(self, stops: tuple[str, ...]) -> tuple[list[Node], tuple[str, Tok] | None]:
        """Nodes up to an `{{end}}`/`{{else}}` (returned, consumed up to the keyword)."""
        self.nesting += bool(stops)
        try:
            return self._list_until(stops)
        finally:
            self.nesting -= bool(stops)

    def _list_until(self, stops: tuple[str, ...]) -> tuple[list[Node], tuple[str, Tok] | None]:
        nodes: list[Node] = []
        while self.i < len(self.toks):
            t = self.next()
            if t.kind == "text":
                nodes.append(Text(t.pos, t.val))
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
            nodes.append(Action(first.pos, pipe))
        if stops:
            raise self.error(len(self.text), "unexpected EOF")
        return nodes, None

    def expect_eoa(self, context: str) -> None:
        t = self.peek()
        if t is None or t.kind != "eoa":
            pos = t.pos if t else len(self.text)
            raise self.error(pos, f"unexpected {describe(t)} in {context}")
        self.next()

    def keyword(self, kw: str, tok: Tok) -> Node:
        if kw in ("if", "with", "range"):
            return self.branch(kw, tok)
        if kw in ("break", "continue"):
            if self.range_depth == 0:
                raise self.error(tok.pos, f"{{{{{kw}}}}} outside {{{{range}}}}")
            self.expect_eoa(kw)
            return Loop(tok.pos, kw)
        if kw in ("template", "block"):
            nt = self.peek()
            if nt is None or nt.kind != "string":
                raise self.error(nt.pos if nt else tok.pos, f"unexpected {describe(nt)} in {kw} clause")
            self.next()
            name = nt.val
            pipe = None
            following = self.peek()
            if following is not None and following.kind != "eoa":
                pipe = self.pipeline(f"{kw} clause", following.pos)
            else:
                self.expect_eoa(f"{kw} clause")
            if kw == "block":
                body, end = self.definition_body()
                if end[0] != "end":
                    raise self.error(end[1].pos, "unexpected {{else}}")
                self.expect_eoa("end")
                self.add_template(name, body, tok.pos)
            return TemplateCall(tok.pos, name, pipe)
        if kw == "define":
            if self.nesting:
                raise self.error(tok.pos, "unexpected <define> in command")
            nt = self.peek()
            if nt is None or nt.kind != "string":
                raise self.error(nt.pos if nt else tok.pos, f"unexpected {describe(nt)} in define clause")
            self.next()
            self.expect_eoa("define clause")
            body, _ = self.definition_body()
            self.expect_eoa("end")
            self.add_template(nt.val, body, tok.pos)
            return Text(tok.pos, "")
        raise self.error(tok.pos, f"unexpected {kw}")

    def definition_body(self) -> tuple[list[Node], tuple[str, Tok]]:
        """A define or block body: its own `$` scope, outside any range."""
        saved_range, saved_vars = self.range_depth, self.vars
        self.range_depth, self.vars = 0, ["$"]
        try:
            body, end = self.list_until(("end",))
        finally:
            self.range_depth, self.vars = saved_range, saved_vars
        assert end is not None
        return body, end

    def add_template(self, name: str, body: list[Node], pos: int) -> None:
        """Go's tree set: an empty definition may be replaced, two non-empty ones clash."""
        old = self.templates.get(name)
        if old is not None and not is_empty(old) and not is_empty(body):
            raise self.error(pos, f'template: multiple definition of template "{name}"')
        if old is None or is_empty(old):
            self.templates[name] = body

    def branch(self, kw: str, tok: Tok) -> Node:
        """A control structure; variables it declares go out of scope at its end."""
        mark = len(self.vars)
        try:
            return self._branch(kw, tok)
        finally:
            del self.vars[mark:]

    def _branch(self, kw: str, tok: Tok) -> Node:
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
                return Branch(tok.pos, kw, pipe, body, else_body)
            self.expect_eoa("else")
            else_body, end2 = self.list_until(("end",))
            assert end2 is not None
        self.expect_eoa("end")
        return Branch(tok.pos, kw, pipe, body, else_body)

    def pipeline(self, context: str, pos: int, *, allow_decl: bool = True, allow_range_pair: bool = False) -> Pipe:
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
                self.vars.extend(names)
                self.i = j + 1
            elif len(names) == 2:
                raise self.error(self.toks[j].pos if j < len(self.toks) else pos, "missing := in range")
        cmds: list[Command] = []
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
                if nt is None or nt.kind in ("pipe", "rparen"):  # a trailing `|` before `}}` is fine
                    raise self.error(t.pos, "missing command")
        if not cmds:
            raise self.error(pos, f"missing value for {context}")
        for c in cmds[1:]:
            first = c.args[0]
            if first.kind in ("literal", "nil") or (first.kind == "dot"):
                raise self.error(first.pos, f"non executable command in pipeline stage {cmds.index(c) + 1}")
        return Pipe(pos, decl, is_assign, cmds, self._src(start))

    def _src(self, start: int) -> str:
        toks = self.toks[start : self.i]
        if not toks:
            return ""
        a = toks[0].pos
        b = toks[-1].pos
        return self.text[a:b].strip()

    def subpipe(self, pos: int) -> Pipe:
        start = self.i
        cmds: list[Command] = []
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
        return Pipe(pos, [], False, cmds, self._src(start))

    def command(self, in_paren: bool = False) -> Command:
        args: list[Operand] = []
        start = self.i
        while True:
            t = self.peek()
            if t is None:
                raise self.error(len(self.text), "unclosed action")
            if t.kind in ("eoa", "pipe") or (t.kind == "rparen"):
                break
            if t.kind in ("declare", "assign", "comma", "keyword"):
                raise self.error(t.pos, f"unexpected {describe(t)} in operand")
            args.append(self.operand())
        if not args:
            t = self.peek()
            raise self.error(t.pos if t else len(self.text), "empty command")
        toks = self.toks[start : self.i]
        src = self.text[toks[0].pos : (toks[-1].pos + len(toks[-1].src or "x"))]
        return Command(args[0].pos, args, src)

    def operand(self) -> Operand:
        t = self.next()
        if t.kind == "field":
            names = [t.val]
            while self.peek_kind() == "field" and self._adjacent():
                names.append(self.next().val)
            return Operand(t.pos, "field", tuple(names), src="." + ".".join(names))
        if t.kind == "var":
            if t.val not in self.vars:
                raise self.error(t.pos, f'undefined variable "{t.val}"')
            names = []
            while self.peek_kind() == "field" and self._adjacent():
                names.append(self.next().val)
            return Operand(t.pos, "var", t.val, tuple(names), src=t.val + "".join("." + n for n in names))
        if t.kind == "dot":
            return Operand(t.pos, "dot", None, src=".")
        if t.kind in ("string", "number", "bool"):
            return Operand(t.pos, "literal", t.val, src=t.src or str(t.val))
        if t.kind == "nil":
            return Operand(t.pos, "nil", None, src="nil")
        if t.kind == "ident":
            if t.val not in self.funcs:
                raise self.error(t.pos, f'function "{t.val}" not defined')
            return Operand(t.pos, "ident", t.val, src=t.val)
        if t.kind == "lparen":
            pipe = self.subpipe(t.pos)
            names = []
            while self.peek_kind() == "field" and self._adjacent():
                names.append(self.next().val)
            return Operand(t.pos, "pipe", pipe, tuple(names), src=f"({pipe.src})" + "".join("." + n for n in names))
        raise self.error(t.pos, f"unexpected {describe(t)} in operand")

    def _adjacent(self) -> bool:
        prev = self.toks[self.i - 1]
        cur = self.toks[self.i]
        end = prev.pos + len(prev.src or "") if prev.kind != "rparen" else prev.pos + 1
        return cur.pos == end


def is_empty(nodes: list[Node]) -> bool:
    """Go's IsEmptyTree: only white space text (comments leave nothing)."""
    return all(isinstance(n, Text) and not n.text.strip() for n in nodes)


def describe(t: Tok | None) -> str:
    if t is None:
        return "EOF"
    if t.kind == "eoa":
        return '"}}"'
    if t.src:
        return f"<{t.src}>"
    return f'"{t.val}"'


