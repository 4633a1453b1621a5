"""The executor: walks the tree against data (Go's exec.go).

Nodes are walked with an explicit stack of frames, not Python recursion: a template may
call itself 100000 deep (Go's limit, and Go's error past it) and control structures nest
as deep as the text does, whatever Python's recursion limit. Expressions (pipelines,
commands, arguments) are evaluated as Go's evalPipeline/evalCommand/evalCall/evalArg
evaluate them, in the same order and marking the same node as current, so an error names
the node, line and column Go's does; only parenthesised pipelines recurse, and the parser
bounds their depth.

Go's reflection distinguishes a value held in an `interface {}` (a map element, a range
element) from a concrete one (what a pipeline yields): errors name `interface {}` for the
first, and a nil one is not the "invalid value" a missing one is. The executor keeps that
distinction as a flag beside dot and each variable ("boxed").
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterator

from renderer.gotemplate.args import bounded_size, check_generated
from renderer.gotemplate.errors import ArgError, BudgetExceeded, FuncError, TemplateError
from renderer.gotemplate.fmt import go_sprint_value
from renderer.gotemplate.funcs import BUILTINS, FUNCS, RAW_BUILTINS
from renderer.gotemplate.lex import Lexer, line_col
from renderer.gotemplate.parse import Action, Branch, Command, Loop, Node, Operand, Parser, Pipe, TemplateCall, Text, node_string
from renderer.gotemplate.printf import quote
from renderer.gotemplate.signatures import ANY, SIGNATURES, VALUE, Signature, can_be_nil, check_count, check_literal, check_value, signature_of
from renderer.gotemplate.values import MISSING, GoObject, StrMap, go_type, sort_key, truth

DEFAULT_MAX_STEPS = 1_000_000  # actions, branches, loop iterations and calls in one execution
DEFAULT_MAX_OUTPUT = 64 * 1024 * 1024  # characters one execution may write
MAX_TEMPLATE_DEPTH = 100_000  # Go's maxExecDepth: nested {{template}} calls
# extra steps a call costs where one call is expensive (scrypt with 32 MiB per call)
CALL_COST = {"derivePassword": 10_000}
NO_FINAL: Any = object()  # Go's missingVal: no value piped into the command
_ANY_VARIADIC = signature_of("a*")  # a function given without a Go signature
# how a resolved function is called (Template.resolve)
PLAIN, AND_OR, CALL, RAW, COSTLY, METHOD = range(6)


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


# functions that spell values out as text: a list of a million references to one long
# string is small in memory, enormous once printed, so their arguments are measured first
RENDERS = frozenset({"print", "println", "printf", "cat", "toJson", "mustToJson", "toPrettyJson", "mustToPrettyJson",
                     "toRawJson", "mustToRawJson", "toYaml", "mustToYaml", "toString", "toStrings", "quote", "squote",
                     "html", "js", "urlquery", "fmt"})


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
        try:
            self.root = Parser(text, name, toks, self.templates, self.funcs).parse()
        except RecursionError:
            # parenthesised pipelines recurse, bounded by MAX_PAREN_DEPTH; a caller already
            # deep in Python's stack may still run out: say so plainly
            raise TemplateError(f"template: {name}: expression too deeply nested to parse here") from None
        self.resolved: dict[str, tuple[Callable[..., Any], Signature, int]] = {}

    def resolve(self, name: str) -> tuple[Callable[..., Any], Signature, int]:
        """A function's callable, Go parameter types and calling convention, once per name:
        text/template's short-circuit `and`/`or` and `call`, the builtins that see Go's
        nil/no-value difference, calls weighted in the budget, plain functions."""
        fn = self.funcs[name]
        builtin = fn is FUNCS.get(name)
        sig = (SIGNATURES.get(name) if builtin else None) or _ANY_VARIADIC
        special = PLAIN
        if builtin and name in ("and", "or") and BUILTINS.get(name) is fn:
            special = AND_OR
        elif builtin and name == "call" and BUILTINS.get(name) is fn:
            special = CALL
        elif fn in RAW_BUILTINS:
            special = RAW
        elif name in CALL_COST:
            special = COSTLY
        self.resolved[name] = (fn, sig, special)
        return self.resolved[name]

    def execute(self, data: Any) -> str:
        st = State(self, Budget(self.max_steps, self.max_output))
        try:
            st.run(data, self.root)
        except RecursionError:
            # walking nodes takes no Python stack; parenthesised pipelines (bounded by the
            # parser) and the functions that walk a value (printing, toJson, deepEqual...)
            # do: a value nested hundreds deep, or a caller already deep in Python's stack,
            # can still run out. Say so plainly.
            raise TemplateError(f"template: {self.name}: a value or expression nested too deeply to evaluate "
                                "(deeper than Python's stack allows)") from None
        return "".join(st.out)


def render(text: str, data: Any, *, options: list[str] | tuple[str, ...] = (), name: str = "") -> str:
    """Parse and execute `text` against `data` in one step."""
    return Template(text, name=name, options=options).execute(data)


class Frame:
    """One node list being walked: a body, an else list, a range iteration or a called
    template. `mark`: the variables to drop when it ends (-1: none)."""

    __slots__ = ("nodes", "i", "dot", "boxed", "mark", "kind", "items", "decl", "range_mark", "saved")

    LIST, RANGE, CALL = 0, 1, 2

    def __init__(self, nodes: list[Node], dot: Any, boxed: bool, mark: int = -1, kind: int = 0) -> None:
        self.nodes = nodes
        self.i = 0
        self.dot = dot
        self.boxed = boxed
        self.mark = mark
        self.kind = kind
        self.items: Iterator[tuple[Any, Any]] | None = None
        self.decl: list[str] = []
        self.range_mark = 0
        self.saved: tuple[list[list[Any]], str] | None = None


def _elements_boxed(value: Any) -> bool:
    """Whether a container's elements are `interface {}` values (Go's []interface {} and
    map[string]interface {}) rather than typed ones ([]string, map[string]string, []int)."""
    return go_type(value) in ("[]interface {}", "map[string]interface {}")


class State:
    """One execution: output, budget, the variable stack and Go's current node."""

    def __init__(self, tmpl: Template, budget: Budget) -> None:
        self.tmpl = tmpl
        self.out: list[str] = []
        self.budget = budget
        self.vars: list[list[Any]] = []  # [name, value, boxed]
        self.node: Any = None  # Go's s.node: what an error is reported at
        self.name = tmpl.name  # the template executing (a define's name inside a call)
        self.depth = 0
        self.dot_boxed = False
        self.boxed_result = False  # whether the field chain just evaluated gave a boxed value

    # ----------------------------------------------------------------------------------
    # errors and budget
    # ----------------------------------------------------------------------------------

    def error(self, msg: str) -> TemplateError:
        node = self.node
        if node is None:
            return TemplateError(f"template: {self.tmpl.name}: {msg}")
        line, col = line_col(self.tmpl.text, node.pos)
        return TemplateError(f"template: {self.tmpl.name}:{line}:{col}: executing {quote(self.name)} at <{node_string(node)}>: {msg}",
                             line=line, col=col)

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

    def printable(self, value: Any) -> str:
        """What an action writes for `value`; a container is measured before it is spelled out."""
        if value is MISSING or value is None:
            return "<no value>"
        room = self.budget.max_output - self.budget.output
        if isinstance(value, (list, tuple, dict)) and bounded_size(value, room) > room:
            raise BudgetExceeded(
                f"template: {self.tmpl.name}: output larger than {self.budget.max_output} characters "
                "(raise the limit with max_output)")
        return go_sprint_value(value)

    def write(self, text: str) -> None:
        budget = self.budget
        budget.output += len(text)
        if budget.output > budget.max_output:
            raise BudgetExceeded(
                f"template: {self.tmpl.name}: output larger than {budget.max_output} characters "
                "(raise the limit with max_output)")
        self.out.append(text)

    # ----------------------------------------------------------------------------------
    # walking nodes (an explicit stack of frames)
    # ----------------------------------------------------------------------------------

    def run(self, data: Any, root: list[Node]) -> None:
        self.vars = [["$", data, False]]
        stack = [Frame(root, data, False)]
        budget = self.budget
        out = self.out
        while stack:
            fr = stack[-1]
            nodes = fr.nodes
            if fr.i >= len(nodes):
                stack.pop()
                self.leave(fr, stack)
                continue
            node = nodes[fr.i]
            fr.i += 1
            budget.steps += 1
            if budget.steps > budget.max_steps:
                self.step()  # raises BudgetExceeded
            self.node = node
            cls = node.__class__
            if cls is Text:
                text = node.text  # type: ignore[attr-defined]
                budget.output += len(text)
                if budget.output > budget.max_output:
                    self.write("")  # raises BudgetExceeded
                out.append(text)
            elif cls is Action:
                self.dot_boxed = fr.boxed
                pipe = node.pipe  # type: ignore[attr-defined]
                value = self.eval_pipeline(fr.dot, pipe)
                if not pipe.decl:
                    self.node = node
                    text = self.printable(value)
                    budget.output += len(text)
                    if budget.output > budget.max_output:
                        self.write("")  # raises BudgetExceeded
                    out.append(text)
            elif cls is Branch:
                self.dot_boxed = fr.boxed
                if node.kind == "range":  # type: ignore[attr-defined]
                    self.enter_range(fr, node, stack)  # type: ignore[arg-type]
                else:
                    self.enter_if_or_with(fr, node, stack)  # type: ignore[arg-type]
            elif cls is TemplateCall:
                self.dot_boxed = fr.boxed
                self.enter_template(fr, node, stack)  # type: ignore[arg-type]
            elif cls is Loop:
                self.loop_control(node.kind == "break", stack)  # type: ignore[attr-defined]

    def leave(self, fr: Frame, stack: list[Frame]) -> None:
        """A frame's list is done: drop its variables, go to the next range element, or
        return from a template call."""
        if fr.kind == Frame.RANGE:
            del self.vars[fr.range_mark:]
            if self.next_element(fr):
                stack.append(fr)
                return
        elif fr.kind == Frame.CALL:
            assert fr.saved is not None
            self.vars, self.name = fr.saved
            self.depth -= 1
            return
        if fr.mark >= 0:
            del self.vars[fr.mark:]

    def enter_if_or_with(self, fr: Frame, node: Branch, stack: list[Frame]) -> None:
        mark = len(self.vars)
        value = self.eval_pipeline(fr.dot, node.pipe)
        if truth(value):
            if node.kind == "with":
                stack.append(Frame(node.body, value, False, mark))
            else:
                stack.append(Frame(node.body, fr.dot, fr.boxed, mark))
        elif node.else_body is not None:
            stack.append(Frame(node.else_body, fr.dot, fr.boxed, mark))
        else:
            del self.vars[mark:]

    def enter_range(self, fr: Frame, node: Branch, stack: list[Frame]) -> None:
        mark = len(self.vars)
        pipe = node.pipe
        decl = pipe.decl
        value = self.eval_pipeline(fr.dot, pipe)
        items: Iterator[tuple[Any, Any]]
        if value is MISSING or value is None:
            items = iter(())
        elif isinstance(value, dict):
            items = iter([(k, value[k]) for k in sorted(value, key=sort_key)])
        elif isinstance(value, (list, tuple)):
            items = enumerate(value)
        elif isinstance(value, int) and not isinstance(value, bool):
            if len(decl) > 1:
                raise self.error(f"can't use {value} to iterate over more than one variable")
            counter = range(max(value, 0))
            kind = value.__class__  # an int64 counts in int64s
            items = zip(counter, counter if kind is int else map(kind, counter))  # lazy: the budget stops it
        else:
            raise self.error(f"range can't iterate over {go_sprint_value(value)}")
        body = Frame(node.body, None, isinstance(value, (list, tuple, dict)) and _elements_boxed(value), mark, Frame.RANGE)
        body.items = items
        body.decl = decl
        body.range_mark = len(self.vars)  # the declared variables, set on each element
        if self.next_element(body):
            stack.append(body)
        elif node.else_body is not None:
            stack.append(Frame(node.else_body, fr.dot, fr.boxed, mark))
        else:
            del self.vars[mark:]

    def next_element(self, fr: Frame) -> bool:
        """Set up the range frame for its next element; False when there is none."""
        assert fr.items is not None
        for k, v in fr.items:
            self.step()
            decl = fr.decl
            if decl:
                entry = self.vars[-1]
                entry[1] = v
                entry[2] = fr.boxed
                if len(decl) > 1:
                    entry = self.vars[-2]
                    entry[1] = k
                    entry[2] = False
            fr.dot = v
            fr.i = 0
            return True
        return False

    def loop_control(self, is_break: bool, stack: list[Frame]) -> None:
        """{{break}}/{{continue}}: unwind to the innermost range (the parser guarantees one
        in the same template)."""
        while True:
            fr = stack.pop()
            if fr.kind == Frame.RANGE:
                break
            if fr.mark >= 0:
                del self.vars[fr.mark:]
        del self.vars[fr.range_mark:]
        if not is_break and self.next_element(fr):
            stack.append(fr)
        elif fr.mark >= 0:
            del self.vars[fr.mark:]

    def enter_template(self, fr: Frame, node: TemplateCall, stack: list[Frame]) -> None:
        body = self.tmpl.templates.get(node.name)
        if body is None:
            raise self.error(f"template {quote(node.name)} not defined")
        if self.depth >= MAX_TEMPLATE_DEPTH:
            raise self.error(f"exceeded maximum template depth ({MAX_TEMPLATE_DEPTH})")
        value = MISSING if node.pipe is None else self.eval_pipeline(fr.dot, node.pipe)
        call = Frame(body, value, False, -1, Frame.CALL)
        call.saved = (self.vars, self.name)
        self.vars = [["$", value, False]]
        self.name = node.name
        self.depth += 1
        stack.append(call)

    # ----------------------------------------------------------------------------------
    # evaluating pipelines, commands and arguments (Go's eval functions)
    # ----------------------------------------------------------------------------------

    def eval_pipeline(self, dot: Any, pipe: Pipe) -> Any:
        self.node = pipe
        value: Any = NO_FINAL
        for cmd in pipe.cmds:
            value = self.eval_command(dot, cmd, value)
        if pipe.decl:
            if pipe.is_assign:
                name = pipe.decl[0]
                for entry in reversed(self.vars):
                    if entry[0] == name:
                        entry[1:] = [value, False]
                        break
                else:
                    raise self.error(f"undefined variable: {name}")
            else:
                for name in pipe.decl:
                    self.vars.append([name, value, False])
        return value

    def not_a_function(self, args: list[Operand], final: Any) -> None:
        if len(args) > 1 or final is not NO_FINAL:
            raise self.error(f"can't give argument to non-function {node_string(args[0])}")

    def eval_command(self, dot: Any, cmd: Command, final: Any) -> Any:
        first = cmd.args[0]
        kind = first.kind
        if kind == "ident":
            return self.eval_function(dot, first, cmd, cmd.args, final)
        if kind == "field":
            return self.eval_field_node(dot, first, cmd.args, final)
        if kind == "var":
            return self.eval_variable_node(dot, first, cmd.args, final)
        if kind == "chain":
            return self.eval_chain_node(dot, first, cmd.args, final)
        if kind == "pipe":
            self.not_a_function(cmd.args, final)
            return self.eval_pipeline(dot, first.val)
        self.node = first
        self.not_a_function(cmd.args, final)
        if kind == "dot":
            return dot
        if kind == "nil":
            raise self.error("nil is not a command")
        return first.val

    def eval_field_node(self, dot: Any, op: Operand, args: list[Operand] | None, final: Any) -> Any:
        self.node = op
        return self.eval_field_chain(dot, dot, self.dot_boxed, op, op.val, args, final)

    def eval_chain_node(self, dot: Any, op: Operand, args: list[Operand] | None, final: Any) -> Any:
        self.node = op
        term = op.val
        if isinstance(term, Pipe):  # Go's evalArg of the term
            receiver = self.eval_pipeline(dot, term)
        else:
            self.node = term
            receiver = self.eval_function(dot, term, term, None, NO_FINAL)
        return self.eval_field_chain(dot, receiver, False, op, op.fields, args, final)

    def eval_variable_node(self, dot: Any, op: Operand, args: list[Operand] | None, final: Any) -> Any:
        self.node = op
        name = op.val
        for entry in reversed(self.vars):
            if entry[0] == name:
                break
        else:
            raise self.error(f"undefined variable: {name}")
        if not op.fields:
            if args is not None:
                self.not_a_function(args, final)
            self.boxed_result = entry[2]
            return entry[1]
        return self.eval_field_chain(dot, entry[1], entry[2], op, op.fields, args, final)

    def eval_field_chain(self, dot: Any, receiver: Any, boxed: bool, op: Operand, names: tuple[str, ...],
                         args: list[Operand] | None, final: Any) -> Any:
        eval_field = self.eval_field
        for name in names[:-1]:
            receiver, boxed = eval_field(dot, name, op, None, NO_FINAL, receiver, boxed)
        receiver, boxed = eval_field(dot, names[-1], op, args, final, receiver, boxed)
        self.boxed_result = boxed
        return receiver

    def eval_field(self, dot: Any, name: str, op: Operand, args: list[Operand] | None, final: Any,
                   receiver: Any, boxed: bool) -> tuple[Any, bool]:
        """One `.name` step: a map's element, or a method; (value, boxed)."""
        if isinstance(receiver, dict):
            if (args is not None and len(args) > 1) or final is not NO_FINAL:
                raise self.error(f"{name} is not a method but has arguments")
            typed = receiver.__class__ is StrMap
            if name in receiver:
                return receiver[name], not typed
            mode = self.tmpl.missingkey
            if mode == "error":
                raise self.error(f'map has no entry for key "{name}"')
            if mode == "zero":
                return ("", False) if typed else (None, True)
            return MISSING, False
        if receiver is MISSING or (receiver is None and not boxed):
            if self.tmpl.missingkey == "error":
                raise self.error(f'nil data; no entry for key "{name}"')
            return MISSING, False
        typ = "interface {}" if boxed else go_type(receiver)
        if receiver is None:
            raise self.error(f"nil pointer evaluating {typ}.{name}")
        if isinstance(receiver, GoObject) and receiver.has_method(name):
            return self.eval_call(dot, receiver, op, name, args, final, receiver.method_signature(name), METHOD), False
        raise self.error(f"can't evaluate field {name} in type {typ}")

    def eval_function(self, dot: Any, op: Operand, node: Any, args: list[Operand] | None, final: Any) -> Any:
        self.node = op
        name = op.val
        resolved = self.tmpl.resolved.get(name)
        if resolved is None:
            resolved = self.tmpl.resolve(name)
        fn, sig, special = resolved
        return self.eval_call(dot, fn, node, name, args, final, sig, special)

    def eval_call(self, dot: Any, fn: Any, node: Any, name: str, args: list[Operand] | None, final: Any,
                  sig: Signature, special: int = 0) -> Any:
        """Go's evalCall: the argument count, then each argument evaluated and checked
        against its parameter in order, then the call; a function's error is reported at
        the whole command. `special`: see Template.resolve (METHOD for a Go method)."""
        argn = args[1:] if args is not None else []
        piped = final is not NO_FINAL
        params = sig.params
        if sig.variadic or len(argn) + piped != len(params):
            try:
                check_count(name, sig, len(argn), piped)
            except ArgError as e:
                raise self.error(str(e)) from None
        if special == AND_OR:
            value: Any = MISSING
            for a in argn:
                value = self.eval_arg(dot, VALUE, a)
                if truth(value) == (name == "or"):
                    return value
            return final if piped else value
        eval_arg = self.eval_arg
        if sig.variadic:
            values = [eval_arg(dot, sig.param(i), a) for i, a in enumerate(argn)]
        else:
            values = [eval_arg(dot, typ, a) for typ, a in zip(params, argn)]
        if piped:
            n_in = len(argn) + 1
            typ = params[n_in - 1] if not sig.variadic or n_in - 1 < len(params) - 1 else params[-1]
            values.append(self.validate_type(final, False, typ))
        budget = self.budget
        if special == COSTLY:
            budget.steps += CALL_COST[name]
        budget.steps += 1
        if budget.steps > budget.max_steps:
            self.step()  # raises BudgetExceeded
        if special == CALL and (not values or not callable(values[0])):
            self.node = node
            raise self.error("error calling call: non-function of type " + (go_type(values[0]) if values else "<nil>"))
        try:
            if special == METHOD:
                return fn.call_method(name, values)
            if name in RENDERS:
                check_generated(sum(bounded_size(v) for v in values), name)
            result = fn(*values) if special == RAW else fn(*[None if v is MISSING else v for v in values])
            if isinstance(result, (str, bytes, list, tuple, dict)):
                check_generated(len(result), name)
                self.generate(len(result))
            return result
        except FuncError as e:
            self.node = node
            raise self.error(f"error calling {name}: {e}") from None
        except ArgError as e:
            raise self.error(str(e)) from None
        except TemplateError:
            raise
        except (TypeError, ValueError, KeyError, IndexError, ZeroDivisionError, OverflowError, AttributeError) as e:
            self.node = node
            raise self.error(f"error calling {name}: {e}") from None

    def validate_type(self, value: Any, boxed: bool, typ: str) -> Any:
        """Go's validateType: a computed value against a parameter type."""
        if typ is ANY:
            return value
        if typ is VALUE:
            return MISSING if value is None and not boxed else value  # a reflect.Value: invalid, or a nil interface
        try:
            return check_value(value, typ, boxed)
        except ArgError as e:
            raise self.error(str(e)) from None

    def eval_arg(self, dot: Any, typ: str, op: Operand) -> Any:
        """Go's evalArg: one argument evaluated for a parameter of type `typ`."""
        self.node = op
        kind = op.kind
        if kind == "literal":
            if typ is ANY or typ is VALUE:
                return op.val
            try:
                return check_literal(op.val, op.src, typ)
            except ArgError as e:
                raise self.error(str(e)) from None
        if kind == "field":
            value = self.eval_field_node(dot, op, [op], NO_FINAL)
            return self.validate_type(value, self.boxed_result, typ)
        if kind == "var":
            value = self.eval_variable_node(dot, op, None, NO_FINAL)
            return self.validate_type(value, self.boxed_result, typ)
        if kind == "dot":
            return self.validate_type(dot, self.dot_boxed, typ)
        if kind == "pipe":
            return self.validate_type(self.eval_pipeline(dot, op.val), False, typ)
        if kind == "ident":
            return self.validate_type(self.eval_function(dot, op, op, None, NO_FINAL), False, typ)
        if kind == "chain":
            value = self.eval_chain_node(dot, op, None, NO_FINAL)
            return self.validate_type(value, self.boxed_result, typ)
        # nil
        if typ == VALUE:
            return MISSING
        if can_be_nil(typ):
            return None
        raise self.error(f"cannot assign nil to {typ}")
