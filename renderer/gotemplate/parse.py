"""The parser: tokens to a tree of nodes (Go's parse.go and node.go).

Control structures nest on an explicit stack of open blocks rather than on Python's stack,
so a template nested thousands of `{{if}}`s deep parses as Go parses it. Parenthesised
pipelines recurse (Go's do too) and are capped: see MAX_PAREN_DEPTH.

Every node keeps Go's position (a byte offset in the text); `node_string` gives Go's
String() of a node, which execution errors quote (`at <index .a 1>`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Collection

from renderer.gotemplate.errors import TemplateError
from renderer.gotemplate.lex import Tok, line_col
from renderer.gotemplate.printf import quote

# Go refuses parenthesised pipelines nested deeper than 10000 ("max expression depth
# exceeded"). sluice evaluates them on Python's stack, a few frames per level, so it
# refuses deeper than this, with a message saying so: far beyond any template a person writes.
MAX_PAREN_DEPTH = 100
GO_MAX_PAREN_DEPTH = 10_000
MAX_PIPELINE_CMDS = 100_000  # Go's maxPipelineCmds ("pipeline too long")


@dataclass(slots=True)
class Node:
    pos: int


@dataclass(slots=True)
class Text(Node):
    text: str


@dataclass(slots=True)
class Operand(Node):
    kind: str  # field, var, dot, literal, nil, ident, pipe, chain (a pipe or function with fields)
    val: Any  # field: names tuple; var: name; literal: value; ident: name; pipe: Pipe; chain: Pipe or ident
    fields: tuple[str, ...] = ()  # fields after a var or a parenthesised pipeline
    src: str = ""  # a literal's text as written


@dataclass(slots=True)
class Command(Node):
    args: list[Operand]


@dataclass(slots=True)
class Pipe(Node):
    decl: list[str]
    is_assign: bool
    cmds: list[Command]


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


@dataclass(slots=True)
class _Open:
    """A control structure or definition whose {{end}} is still to come."""

    kind: str  # if, with, range, define, block
    tok: Tok
    dest: list[Node]  # the list the finished node joins
    pipe: Pipe | None = None
    body: list[Node] = field(default_factory=list)
    else_body: list[Node] | None = None
    mark: int = 0  # variables in scope before the structure
    chained: bool = False  # `{{else if}}`: shares its parent's {{end}}
    name: str = ""  # define/block: the template's name
    saved: tuple[int, list[str]] = (0, [])  # define/block: the enclosing range depth and scope


class Parser:
    def __init__(self, text: str, name: str, toks: list[Tok], templates: dict[str, list[Node]], funcs: Collection[str]) -> None:
        self.funcs = funcs
        self.text = text
        self.name = name
        self.toks = toks
        self.i = 0
        self.templates = templates
        self.range_depth = 0
        self.paren_depth = 0
        self.vars: list[str] = ["$"]  # variables in scope: Go rejects others at parse time

    def error(self, pos: int, msg: str) -> TemplateError:
        """Go's parse error: `template: NAME:LINE: MSG` (the column is kept on the error)."""
        line, col = line_col(self.text, pos)
        return TemplateError(f"template: {self.name}:{line}: {msg}", line=line, col=col)

    def unexpected(self, t: Tok | None, context: str) -> TemplateError:
        """Go's unexpected(): a lexical error reached here is reported as itself."""
        if t is not None and t.kind == "error":
            msg = t.val
            if t.src:  # Go's lexer errors name the action's first line when it is an earlier one
                start_line, line = line_col(self.text, int(t.src))[0], line_col(self.text, t.pos)[0]
                if start_line != line:
                    extra = f" in action started at {self.name}:{start_line}"
                    msg += extra[len(" in action"):] if msg.endswith(" action") else extra
            return self.error(t.pos, msg)
        return self.error(t.pos if t is not None else len(self.text), f"unexpected {describe(t)} in {context}")

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
        """The whole text: a loop over tokens with the open structures on a stack."""
        root: list[Node] = []
        stack: list[_Open] = []
        cur = root
        toks = self.toks
        while self.i < len(toks):
            t = self.next()
            if t.kind == "text":
                cur.append(Text(t.pos, t.val))
                continue
            if t.kind == "eoa":
                raise self.error(t.pos, "missing value for command")
            if t.kind == "error":
                raise self.unexpected(t, "input")
            if t.kind != "keyword":
                self.i -= 1
                pipe = self.pipeline("command", t.pos)
                cur.append(Action(pipe.pos, pipe))
                continue
            kw = t.val
            if kw in ("end", "else"):
                if not stack:
                    raise self.error(t.pos, f"unexpected {{{{{kw}}}}}")
                cur = self.end_or_else(kw, t, stack)
            elif kw in ("if", "with", "range"):
                cur = self.open_branch(kw, t, cur, stack)
            elif kw in ("break", "continue"):
                nt = self.peek()
                if nt is None or nt.kind != "eoa":
                    raise self.unexpected(nt, f"{{{{{kw}}}}}")
                self.next()
                if self.range_depth == 0:
                    raise self.error(t.pos, f"{{{{{kw}}}}} outside {{{{range}}}}")
                cur.append(Loop(t.pos, kw))
            elif kw in ("template", "block"):
                cur = self.template_or_block(kw, t, cur, stack)
            elif kw == "define":
                if stack:
                    raise self.error(t.pos, "unexpected <define> in command")
                nt = self.peek()
                if nt is None or nt.kind != "string":
                    raise self.unexpected(nt, "define clause")
                self.next()
                self.expect_eoa("define clause")
                blk = _Open("define", t, cur, name=nt.val, saved=(self.range_depth, self.vars))
                self.range_depth, self.vars = 0, ["$"]
                stack.append(blk)
                cur = blk.body
            else:
                raise self.error(t.pos, f"unexpected {kw}")
        if stack:
            raise self.error(len(self.text), "unexpected EOF")
        return root

    def open_branch(self, kw: str, tok: Tok, cur: list[Node], stack: list[_Open], *, chained: bool = False) -> list[Node]:
        mark = len(self.vars)
        pipe = self.pipeline(kw, tok.pos, allow_range_pair=(kw == "range"))
        if kw == "range":
            self.range_depth += 1
        blk = _Open(kw, tok, cur, pipe, mark=mark, chained=chained)
        stack.append(blk)
        return blk.body

    def template_or_block(self, kw: str, tok: Tok, cur: list[Node], stack: list[_Open]) -> list[Node]:
        context = f"{kw} clause"
        nt = self.peek()
        if nt is None or nt.kind != "string":
            raise self.unexpected(nt, context)
        self.next()
        name = nt.val
        pipe = None
        following = self.peek()
        if kw == "block" or (following is not None and following.kind != "eoa"):
            pipe = self.pipeline(context, following.pos if following else nt.pos)
        else:
            self.expect_eoa(context)
        cur.append(TemplateCall(nt.pos, name, pipe))
        if kw != "block":
            return cur
        blk = _Open("block", tok, cur, name=name, saved=(self.range_depth, self.vars))
        self.range_depth, self.vars = 0, ["$"]
        stack.append(blk)
        return blk.body

    def end_or_else(self, kw: str, tok: Tok, stack: list[_Open]) -> list[Node]:
        """An {{end}} or {{else}} closing (part of) the innermost open structure; returns
        the list that following nodes join."""
        top = stack[-1]
        if top.kind in ("define", "block"):
            if kw == "else":
                raise self.error(tok.pos, f"unexpected {{{{else}}}} in {top.kind} clause")
            self.expect_eoa("end")
            stack.pop()
            self.range_depth, self.vars = top.saved
            self.add_template(top.name, top.body, top.tok.pos)
            return top.dest
        if kw == "else":
            if top.else_body is not None:
                raise self.error(tok.pos, "expected end; found {{else}}")
            if top.kind == "range":
                self.range_depth -= 1
            top.else_body = []
            nt = self.peek()
            if nt is not None and nt.kind == "keyword" and nt.val in ("if", "with"):
                if nt.val != top.kind:
                    raise self.unexpected(nt, "input")
                # {{else if ...}}: a nested branch in the else list that shares our {{end}}
                self.next()
                return self.open_branch(nt.val, nt, top.else_body, stack, chained=True)
            self.expect_eoa("else")
            return top.else_body
        self.expect_eoa("end")
        while True:
            top = stack.pop()
            if top.kind == "range" and top.else_body is None:
                self.range_depth -= 1
            del self.vars[top.mark:]
            assert top.pipe is not None
            node = Branch(top.pipe.pos, top.kind, top.pipe, top.body, top.else_body)
            top.dest.append(node)
            if not top.chained:
                return top.dest
            # the parent's else list holds only this branch: its {{end}} is ours

    def expect_eoa(self, context: str) -> None:
        t = self.peek()
        if t is None or t.kind != "eoa":
            raise self.unexpected(t, context)
        self.next()

    def add_template(self, name: str, body: list[Node], pos: int) -> None:
        """Go's tree set: an empty definition may be replaced, two non-empty ones clash."""
        old = self.templates.get(name)
        if old is not None and not is_empty(old) and not is_empty(body):
            raise self.error(pos, f'template: multiple definition of template "{name}"')
        if old is None or is_empty(old):
            self.templates[name] = body

    def pipeline(self, context: str, pos: int, *, allow_range_pair: bool = False, end: str = "eoa") -> Pipe:
        """Go's pipeline: declarations, then commands separated by `|` up to `end` (the
        action's `}}`, or a parenthesised pipeline's `)`), which is consumed."""
        t = self.peek()
        start_pos = t.pos if t is not None else pos
        decl, is_assign = self.declarations(context)
        cmds: list[Command] = []
        toks = self.toks
        while True:
            t = toks[self.i] if self.i < len(toks) else None
            if t is None:
                raise self.error(len(self.text), "unclosed action")
            if t.kind == end:
                self.i += 1
                break
            if t.kind not in _OPERAND_START:
                raise self.unexpected(t, context)
            cmds.append(self.command())
            if len(cmds) > MAX_PIPELINE_CMDS:
                raise self.error(t.pos, "pipeline too long")
        if not cmds:
            raise self.error(pos, f"missing value for {context}")
        for n, c in enumerate(cmds[1:], start=2):
            if c.args[0].kind in ("literal", "nil", "dot"):
                raise self.error(c.args[0].pos, f"non executable command in pipeline stage {n}")
        return Pipe(start_pos, decl, is_assign, cmds)

    def declarations(self, context: str) -> tuple[list[str], bool]:
        """`$x :=`, `$x =`, and in a range `$i, $e :=`: the variables come into scope."""
        decl: list[str] = []
        is_assign = False
        toks = self.toks
        while self.i + 1 < len(toks) and toks[self.i].kind == "var":
            v, nxt = toks[self.i], toks[self.i + 1]
            if nxt.kind in ("declare", "assign"):
                is_assign = nxt.kind == "assign"
                decl.append(v.val)
                self.vars.append(v.val)
                self.i += 2
            elif nxt.kind == "comma":
                decl.append(v.val)
                self.vars.append(v.val)
                self.i += 2
                if context == "range" and len(decl) < 2:
                    t = self.peek()
                    if t is not None and t.kind in ("var", "eoa", "rparen"):
                        continue  # the second variable of a range
                    raise self.error(t.pos if t else len(self.text), "range can only initialize variables")
                raise self.error(nxt.pos, f"too many declarations in {context}")
            break
        return decl, is_assign

    def subpipe(self, pos: int) -> Pipe:
        """A parenthesised pipeline, the `(` consumed."""
        if self.paren_depth >= MAX_PAREN_DEPTH:
            raise self.error(pos, f"max expression depth exceeded (sluice nests at most {MAX_PAREN_DEPTH} "
                                  f"parenthesized pipelines; Go allows {GO_MAX_PAREN_DEPTH})")
        self.paren_depth += 1
        try:
            return self.pipeline("parenthesized pipeline", pos, end="rparen")
        finally:
            self.paren_depth -= 1

    def command(self) -> Command:
        """Operands up to `|` (consumed), `}}` or `)`."""
        args: list[Operand] = []
        toks = self.toks
        first = toks[self.i]
        while True:
            t = toks[self.i] if self.i < len(toks) else None
            if t is None:
                raise self.error(len(self.text), "unclosed action")
            kind = t.kind
            if kind == "eoa" or kind == "rparen":
                break
            if kind == "pipe":
                self.i += 1
                break
            if kind not in _OPERAND_START:
                raise self.unexpected(t, "operand")
            args.append(self.operand())
            # Go's lexer emits the space between operands: without it the next one is wrong
            nt = toks[self.i] if self.i < len(toks) else None
            if nt is not None and nt.kind not in ("eoa", "rparen", "pipe") and nt.pos == _end(toks[self.i - 1]):
                raise self.unexpected(nt, "operand")
        if not args:
            raise self.error(first.pos, "empty command")
        return Command(first.pos, args)

    def fields_after(self) -> tuple[tuple[str, ...], int | None]:
        """Field names written right after a term (`$x.a.b`, `(...).a`), and where the
        first one starts (Go's chain position)."""
        names: list[str] = []
        pos = None
        while self.peek_kind() == "field" and self._adjacent():
            t = self.next()
            if pos is None:
                pos = t.pos
            names.append(t.val)
        return tuple(names), pos

    def operand(self) -> Operand:
        t = self.next()
        if t.kind == "field":
            more, pos = self.fields_after()
            return Operand(t.pos if pos is None else pos, "field", (t.val,) + more)
        if t.kind == "var":
            if t.val not in self.vars:
                raise self.error(t.pos, f'undefined variable "{t.val}"')
            names, pos = self.fields_after()
            return Operand(t.pos if pos is None else pos, "var", t.val, names)
        if t.kind in ("string", "number") and isinstance(t.val, TemplateError):  # Go's term() reads it first
            raise self.error(t.pos, t.val.message)
        if t.kind in ("dot", "string", "number", "bool", "nil"):
            if self.peek_kind() == "field" and self._adjacent():
                src = "." if t.kind == "dot" else t.src or str(t.val)
                raise self.error(self.peek().pos, f"unexpected . after term {quote(src)}")  # type: ignore[union-attr]
        if t.kind == "dot":
            return Operand(t.pos, "dot", None)
        if t.kind in ("string", "number", "bool"):
            if isinstance(t.val, TemplateError):  # a number Go cannot read
                raise self.error(t.pos, t.val.message)
            return Operand(t.pos, "literal", t.val, src=t.src or str(t.val))
        if t.kind == "nil":
            return Operand(t.pos, "nil", None)
        if t.kind == "ident":
            if t.val not in self.funcs:
                raise self.error(t.pos, f'function "{t.val}" not defined')
            ident = Operand(t.pos, "ident", t.val)
            names, pos = self.fields_after()
            if names:  # `fn.field`: a field of what the function returns
                return Operand(pos if pos is not None else t.pos, "chain", ident, names)
            return ident
        if t.kind == "lparen":
            pipe = self.subpipe(t.pos)
            names, pos = self.fields_after()
            if names:
                return Operand(pos if pos is not None else pipe.pos, "chain", pipe, names)
            return Operand(pipe.pos, "pipe", pipe)
        raise self.unexpected(t, "operand")

    def _adjacent(self) -> bool:
        prev = self.toks[self.i - 1]
        cur = self.toks[self.i]
        end = prev.pos + len(prev.src or "") if prev.kind != "rparen" else prev.pos + 1
        return cur.pos == end


def node_string(node: Node | None) -> str:
    """Go's String() of a node: what an execution error quotes between < and >."""
    if isinstance(node, Operand):
        kind = node.kind
        if kind == "field":
            return "".join("." + n for n in node.val)
        if kind == "var":
            return node.val + "".join("." + n for n in node.fields)
        if kind == "dot":
            return "."
        if kind == "nil":
            return "nil"
        if kind == "ident":
            return str(node.val)
        if kind == "pipe":
            return node_string(node.val)
        if kind == "chain":
            term = node_string(node.val)
            return (term if isinstance(node.val, Operand) else "(" + term + ")") + "".join("." + n for n in node.fields)
        return node.src
    if isinstance(node, Command):
        return " ".join(f"({node_string(a)})" if a.kind == "pipe" else node_string(a) for a in node.args)
    if isinstance(node, Pipe):
        head = (", ".join(node.decl) + (" = " if node.is_assign else " := ")) if node.decl else ""
        return head + " | ".join(node_string(c) for c in node.cmds)
    if isinstance(node, Action):
        return "{{" + node_string(node.pipe) + "}}"
    if isinstance(node, TemplateCall):
        return "{{template " + quote(node.name) + ("" if node.pipe is None else " " + node_string(node.pipe)) + "}}"
    if isinstance(node, Branch):
        return "{{" + node.kind + " " + node_string(node.pipe) + "}}"
    if isinstance(node, Loop):
        return "{{" + node.kind + "}}"
    return ""


def is_empty(nodes: list[Node]) -> bool:
    """Go's IsEmptyTree: only white space text (comments leave nothing)."""
    return all(isinstance(n, Text) and not n.text.strip() for n in nodes)


def _end(t: Tok) -> int:
    """Where a token's text ends."""
    return t.pos + len(t.src or (t.val if isinstance(t.val, str) else ""))


_OPERAND_START = frozenset({"field", "var", "dot", "string", "number", "bool", "nil", "ident", "lparen"})


def describe(t: Tok | None) -> str:
    """Go's item.String(): keywords in angle brackets, anything else quoted (cut to ten
    characters)."""
    if t is None:
        return "EOF"
    if t.kind == "eoa":
        return '"}}"'
    if t.kind in ("keyword", "dot", "nil"):  # Go's items past itemKeyword
        return f"<{t.src or t.val}>"
    raw = t.src or str(t.val)
    return quote(raw[:10]) + "..." if len(raw) > 10 else quote(raw)
