"""The executor: walks the tree against data (Go's exec.go)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from renderer.gotemplate.args import bounded_size, check_generated
from renderer.gotemplate.funcs import FUNCS
from renderer.gotemplate.errors import ArgError, BudgetExceeded, FuncError, TemplateError
from renderer.gotemplate.fmt import go_sprint_value
from renderer.gotemplate.lex import Lexer, line_col
from renderer.gotemplate.parse import Action, Branch, Command, Loop, Node, Operand, Parser, Pipe, TemplateCall, Text
from renderer.gotemplate.signatures import SIGNATURES, check_count, check_literal, check_nil_literal, check_value
from renderer.gotemplate.values import MISSING, GoObject, go_type, sort_key, truth

DEFAULT_MAX_STEPS = 1_000_000  # actions, branches, loop iterations and calls in one execution
DEFAULT_MAX_OUTPUT = 64 * 1024 * 1024  # characters one execution may write
# extra steps a call costs where one call is expensive (scrypt with 32 MiB per call)
CALL_COST = {"derivePassword": 10_000}


class Break(Exception):
    pass


class Continue(Exception):
    pass


# functions that spell values out as text: a list of a million references to one long
# string is small in memory, enormous once printed, so their arguments are measured first
RENDERS = frozenset({"print", "println", "printf", "cat", "toJson", "mustToJson", "toPrettyJson", "mustToPrettyJson",
                     "toRawJson", "mustToRawJson", "toYaml", "mustToYaml", "toString", "toStrings", "quote", "squote",
                     "html", "js", "urlquery", "fmt"})


@dataclass
class Budget:
    """Bounded work for one execution: Go would run `range until 100000` twice nested for
    ever; sluice stops with a BudgetExceeded naming the limit and how to raise it. The
    values functions return count too (`generated`, against `max_output`): a template that
    doubles a list or a string forty times writes nothing, yet would fill any memory."""

    max_steps: int
    max_output: int
    steps: int = 0
    output: int = 0
    generated: int = 0


class Template:
    """A parsed template. `options`: Go's `missingkey=default|invalid|zero|error`;
    `max_steps` and `max_output` bound each execution (see Budget)."""

    def __init__(
        self,
        text: str,
        *,
        name: str = "",
        options: list[str] | tuple[str, ...] = (),
        funcs: dict[str, Callable[..., Any]] | None = None,
        max_steps: int = DEFAULT_MAX_STEPS,
        max_output: int = DEFAULT_MAX_OUTPUT,
    ) -> None:
        self.max_steps = max_steps
        self.max_output = max_output
        self.name = name
        self.text = text
        self.missingkey = "default"
        for opt in options:
            key, _, value = opt.partition("=")
            if key != "missingkey" or value not in ("default", "invalid", "zero", "error"):
                raise TemplateError(f"unrecognized option: {opt}")
            self.missingkey = value
        self.funcs = FUNCS if funcs is None else {**FUNCS, **funcs}
        self.templates: dict[str, list[Node]] = {}
        toks = Lexer(text, name).run()
        self.root = Parser(text, name, toks, self.templates, self.funcs).parse()

    def execute(self, data: Any) -> str:
        out: list[str] = []
        st = State(self, out, Budget(self.max_steps, self.max_output), [("$", data)])
        try:
            st.walk(data, self.root)
        except RecursionError:
            # Go allows 100000 nested template calls; this executor recurses on Python's
            # stack, which gives out after a few hundred: say so rather than imitate Go
            raise TemplateError(
                f"template: {self.name}: exceeded maximum template depth "
                "(sluice nests a few hundred template calls; Go allows 100000)") from None
        return "".join(out)


def render(text: str, data: Any, *, options: list[str] | tuple[str, ...] = (), name: str = "") -> str:
    """Parse and execute `text` against `data` in one step."""
    return Template(text, name=name, options=options).execute(data)


@dataclass
class State:
    tmpl: Template
    out: list[str]
    budget: Budget
    vars: list[tuple[str, Any]] = field(default_factory=list)
    depth: int = 0
    node_pos: int = 0
    node_src: str = ""

    def error(self, msg: str) -> TemplateError:
        line, col = line_col(self.tmpl.text, self.node_pos)
        name = self.tmpl.name
        return TemplateError(f'template: {name}:{line}:{col}: executing "{name}" at <{self.node_src}>: {msg}', line=line, col=col)

    def at(self, node: Any, src: str | None = None) -> None:
        self.node_pos = node.pos
        self.node_src = src if src is not None else getattr(node, "src", "")

    def step(self) -> None:
        budget = self.budget
        budget.steps += 1
        if budget.steps > budget.max_steps:
            raise BudgetExceeded(
                f"template: {self.tmpl.name}: execution stopped after {budget.max_steps} steps "
                "(a loop too large to render; raise the limit with max_steps)")

    def generate(self, size: int) -> None:
        budget = self.budget
        budget.generated += size
        if budget.generated > budget.max_output:
            raise BudgetExceeded(
                f"template: {self.tmpl.name}: functions returned more than {budget.max_output} characters or "
                "elements in all (raise the limit with max_output)")

    def write(self, text: str) -> None:
        budget = self.budget
        budget.output += len(text)
        if budget.output > budget.max_output:
            raise BudgetExceeded(
                f"template: {self.tmpl.name}: output larger than {budget.max_output} characters "
                "(raise the limit with max_output)")
        self.out.append(text)

    def walk(self, dot: Any, nodes: list[Node]) -> None:
        for node in nodes:
            self.step()
            if isinstance(node, Text):
                self.write(node.text)
            elif isinstance(node, Action):
                # variables declared in an action live until the end of the enclosing block
                value = self.pipe(dot, node.pipe)
                if not node.pipe.decl:
                    self.write(self.printable(value, node.pipe))
            elif isinstance(node, Branch):
                self.branch(dot, node)
            elif isinstance(node, TemplateCall):
                self.call_template(dot, node)
            elif isinstance(node, Loop):
                raise Break() if node.kind == "break" else Continue()

    def scoped_walk(self, dot: Any, nodes: list[Node]) -> None:
        mark = len(self.vars)
        try:
            self.walk(dot, nodes)
        finally:
            del self.vars[mark:]

    def printable(self, value: Any, pipe: Pipe) -> str:
        if value is MISSING or value is None:
            return "<no value>"
        room = self.budget.max_output - self.budget.output
        if isinstance(value, (list, tuple, dict)) and bounded_size(value, room) > room:
            raise BudgetExceeded(
                f"template: {self.tmpl.name}: output larger than {self.budget.max_output} characters "
                "(raise the limit with max_output)")
        return go_sprint_value(value)

    def branch(self, dot: Any, node: Branch) -> None:
        mark = len(self.vars)
        try:
            if node.kind == "range":
                self.range(dot, node)
                return
            value = self.pipe(dot, node.pipe)
            if truth(value):
                self.walk(value if node.kind == "with" else dot, node.body)
            elif node.else_body is not None:
                self.walk(dot, node.else_body)
        finally:
            del self.vars[mark:]

    def range(self, dot: Any, node: Branch) -> None:
        pipe = node.pipe
        decl = pipe.decl
        inner = Pipe(pipe.pos, [], False, pipe.cmds, pipe.src)
        value = self.pipe(dot, inner)
        if value is MISSING or value is None:
            items: list[tuple[Any, Any]] | zip[tuple[int, int]] = []
        elif isinstance(value, dict):
            items = [(k, value[k]) for k in sorted(value, key=sort_key)]
        elif isinstance(value, (list, tuple)):
            items = list(enumerate(value))
        elif isinstance(value, int) and not isinstance(value, bool):
            if len(decl) > 1:
                self.at(pipe)
                raise self.error(f"can't use {value} to iterate over more than one variable")
            counter = range(max(value, 0))
            items = zip(counter, counter)  # lazy: the budget stops it
        else:
            self.at(pipe)
            raise self.error(f"range can't iterate over {go_sprint_value(value)}")
        if (value <= 0) if isinstance(items, zip) else not items:
            if node.else_body is not None:
                self.scoped_walk(dot, node.else_body)
            return
        mark = len(self.vars)
        for k, v in items:
            self.step()
            del self.vars[mark:]
            if len(decl) == 1:
                self.vars.append((decl[0], v))
            elif len(decl) == 2:
                self.vars.append((decl[0], k))
                self.vars.append((decl[1], v))
            try:
                self.scoped_walk(v, node.body)
            except Break:
                break
            except Continue:
                continue
        del self.vars[mark:]

    def call_template(self, dot: Any, node: TemplateCall) -> None:
        body = self.tmpl.templates.get(node.name)
        if body is None:
            self.at(node, f"template {node.name!r}")
            raise self.error(f'template: no template "{node.name}" associated with template "{self.tmpl.name}"')
        value = MISSING if node.pipe is None else self.pipe(dot, node.pipe)
        if self.depth > 1000:
            raise self.error("exceeded maximum template depth (100000)")
        sub = State(self.tmpl, self.out, self.budget, [("$", value)], self.depth + 1)
        sub.walk(value, body)

    def pipe(self, dot: Any, pipe: Pipe) -> Any:
        value: Any = MISSING
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

    def command(self, dot: Any, cmd: Command, final: tuple[Any] | None) -> Any:
        first = cmd.args[0]
        self.at(first)
        if first.kind == "ident":
            return self.call_func(dot, first, cmd.args[1:], final)
        if len(cmd.args) > 1 or final is not None:
            names = first.val if first.kind == "field" else first.fields
            if first.kind in ("field", "var", "pipe") and names:
                receiver = self.receiver(dot, first, names[:-1])
                if isinstance(receiver, GoObject) and receiver.has_method(names[-1]):
                    return self.call_method(dot, first, receiver, names[-1], cmd.args[1:], final)
                raise self.error(f"{first.src} has arguments but cannot be invoked as function" if first.kind == "field" else f"can't give argument to non-function {first.src}")
            raise self.error(f"can't give argument to non-function {first.src}")
        return self.operand(dot, first)

    def operand(self, dot: Any, op: Operand) -> Any:
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

    def fields(self, value: Any, names: tuple[str, ...], op: Operand) -> Any:
        self.at(op)
        for name in names:
            if value is MISSING:
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
                    value = None if self.tmpl.missingkey == "zero" else MISSING
            elif value is None:
                raise self.error(f"nil pointer evaluating interface {{}}.{name}")
            elif isinstance(value, GoObject) and value.has_method(name):
                try:
                    check_count(name, value.method_signature(name), 0, False)
                except ArgError as e:
                    raise self.error(str(e)) from None
                value = self.invoke(value, name, [])
            else:
                raise self.error(f"can't evaluate field {name} in type {go_type(value)}")
        return value

    def receiver(self, dot: Any, op: Operand, names: tuple[str, ...]) -> Any:
        """The value a method is called on: the operand without its last field."""
        if op.kind == "field":
            base = dot
        elif op.kind == "var":
            base = self.var(op.val)
        else:
            base = self.pipe(dot, op.val)
        return self.fields(base, names, op) if names else base

    def call_method(self, dot: Any, op: Operand, obj: GoObject, name: str, args: list[Operand],
                    final: tuple[Any] | None) -> Any:
        """A method with arguments (`(semver "1.2.3").Compare $v`), typed as a function is."""
        sig = obj.method_signature(name)
        self.at(op)
        return self.invoke(obj, name, self.typed_values(dot, name, sig, args, final))

    def typed_values(self, dot: Any, name: str, sig: Any, args: list[Operand], final: tuple[Any] | None) -> list[Any]:
        """The arguments of a call, each checked against the callee's Go parameter type as
        Go's reflect-based call checks them (count first, then each value in order)."""
        try:
            check_count(name, sig, len(args), final is not None)
        except ArgError as e:
            raise self.error(str(e)) from None
        values = [self.typed_arg(dot, a, sig.param(i)) for i, a in enumerate(args)]
        if final is not None:
            try:
                values.append(check_value(final[0], sig.param(len(args)), False))
            except ArgError as e:
                raise self.error(str(e)) from None
        return values

    def invoke(self, obj: GoObject, name: str, values: list[Any]) -> Any:
        self.step()
        try:
            return obj.call_method(name, values)
        except FuncError as e:
            raise self.error(f"error calling {name}: {e}") from None
        except ArgError as e:
            raise self.error(str(e)) from None

    def typed_arg(self, dot: Any, arg: Operand, typ: str) -> Any:
        """One argument evaluated and checked against its Go parameter type (evalArg)."""
        if arg.kind in ("nil", "literal"):
            self.at(arg)
            try:
                if arg.kind == "nil":
                    check_nil_literal(typ)
                    return None
                return check_literal(arg.val, arg.src, typ)
            except ArgError as e:
                raise self.error(str(e)) from None
        value = self.operand(dot, arg)
        self.at(arg)
        from_field = arg.kind == "field" or (arg.kind in ("var", "pipe") and bool(arg.fields))
        try:
            return check_value(value, typ, from_field)
        except ArgError as e:
            raise self.error(str(e)) from None

    def call_func(self, dot: Any, op: Operand, args: list[Operand], final: tuple[Any] | None) -> Any:
        name = op.val
        fn = self.tmpl.funcs[name]
        self.budget.steps += CALL_COST.get(name, 0)
        self.step()
        if name in ("and", "or"):
            values_src = list(args)
            if not values_src and final is None:
                raise self.error(f"wrong number of args for {name}: want at least 1 got 0")
            result: Any = None
            for a in values_src:
                result = None if a.kind == "nil" else self.operand(dot, a)
                if truth(result) == (name == "or"):
                    return result
            if final is not None:
                result = final[0]
            return result
        sig = SIGNATURES.get(name) if fn is FUNCS.get(name) else None
        if sig is None:
            values = [self.operand(dot, a) for a in args]
            if final is not None:
                values.append(final[0])
        else:
            self.at(op, op.src)
            values = self.typed_values(dot, name, sig, args, final)
        self.at(op, op.src)
        if name == "call":
            if not values or not callable(values[0]):
                raise self.error("error calling call: non-function of type " + (go_type(values[0]) if values else "<nil>"))
        try:
            if name in RENDERS:
                check_generated(sum(bounded_size(v) for v in values), name)
            result = fn(*[None if v is MISSING else v for v in values])
            if isinstance(result, (str, bytes, list, tuple, dict)):
                check_generated(len(result), name)
                self.generate(len(result))
            return result
        except FuncError as e:
            raise self.error(f"error calling {name}: {e}") from None
        except ArgError as e:
            raise self.error(str(e)) from None
        except TemplateError:
            raise
        except TypeError as e:
            raise self.error(f"wrong number of args for {name}: {e}") from None
        except (ValueError, KeyError, IndexError, ZeroDivisionError, OverflowError, AttributeError) as e:
            raise self.error(f"error calling {name}: {e}") from None
