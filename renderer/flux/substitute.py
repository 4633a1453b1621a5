"""Flux post-build variable substitution (`spec.postBuild`), offline.

kustomize-controller substitutes each built resource on its own: the resource is printed
as YAML, every `${...}` expression in that text is expanded (the envsubst dialect of
fluxcd/pkg), and the text is parsed again, so a value that becomes `3` is an integer and
one that becomes `true` a boolean. Semantics reproduced here:

- Only `${...}` is an expression; `$var` without braces is left alone. `$$` is an escape
  for `$` in plain text (`$${var}` gives the literal `${var}`).
- Forms: `${var}`, `${#var}` (length), `${var^}` `${var^^}` `${var,}` `${var,,}` (case),
  `${var:off}` `${var:off:len}` (substring), `${var#glob}` `${var##glob}` `${var%glob}`
  `${var%%glob}` (trim), `${var/pat/rep}` `${var//pat/rep}` `${var/#pat/rep}`
  `${var/%pat/rep}` (replace), and the defaults `${var=d}` `${var:=d}` `${var:-d}`
  (`${var:+d}` and `${var:?d}` parse but act as `:-`: the value if set and non-empty,
  else the default). `${var-d}` / `${var+d}` are parse errors ("missing closing brace"),
  as in Flux.
- Strict mode (Flux's default since v1.9): a variable that is not defined is an error,
  unless the expression supplies a default.
- Variables: `substituteFrom` ConfigMaps/Secrets in order (later ones override earlier
  keys; Secret `data` is base64, `optional` tolerates a missing object), then the inline
  `substitute` map overrides them all. Newlines are removed from every value. Names must
  match `^[_[:alpha:]][_[:alpha:][:digit:]]*$`.
- Nothing happens when `spec.postBuild` is absent, or when no variable is defined and
  `substituteStrategy` is not `Always`. A resource labelled or annotated
  `kustomize.toolkit.fluxcd.io/substitute: disabled` is left untouched.
"""
from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Optional

from ..core.errors import InputError
from ..core.shape import DATA_OBJECT, check_shape, object_label
from ..core.yaml import dump_document, load_documents
from ..core.gomatch import glob_regex

SUBSTITUTE_KEY = "kustomize.toolkit.fluxcd.io/substitute"
DISABLED = "disabled"
_VAR_NAME = re.compile(r"^[_A-Za-z][_A-Za-z0-9]*$")

ObjectResolver = Callable[[str, str, str], Optional[dict]]


class SubstitutionError(InputError):
    """A `${...}` expression that does not parse, or names an undefined variable (strict)."""


# ------------------------------------------------------------------------------------------
# The envsubst dialect: parse into nodes, then evaluate
# ------------------------------------------------------------------------------------------

BAD_SUBSTITUTION = "bad substitution"
MISSING_CLOSING_BRACE = "missing closing brace"
PARSE_VARIABLE_NAME = "unable to parse variable name"
PARSE_FUNC_SUBSTITUTION = "unable to parse substitution within function"
PARSE_DEFAULT_FUNCTION = "unable to parse default function"


class _ParseError(Exception):
    pass


@dataclass
class _Func:
    param: str  # the variable
    name: str = ""  # the operator ("" for a plain ${var})
    args: list[Any] = field(default_factory=list)  # str or _Func


_DEFAULT_OPS = frozenset({"-", "+", "=", "?", ":-", ":+", ":=", ":?"})


def _is_ident(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


class _Parser:
    def __init__(self, text: str) -> None:
        self.s = text
        self.i = 0

    def peek(self, k: int = 0) -> str:
        j = self.i + k
        return self.s[j] if j < len(self.s) else ""

    def at_func(self) -> bool:
        return self.peek() == "$" and self.peek(1) == "{"

    # top level: text (with `$$` -> `$`) and functions
    def parse(self) -> list[Any]:
        nodes: list[Any] = []
        buf: list[str] = []
        while self.i < len(self.s):
            if self.at_func():
                if buf:
                    nodes.append("".join(buf))
                    buf = []
                self.i += 2
                nodes.append(self.parse_func())
                continue
            ch = self.s[self.i]
            if ch == "$" and self.peek(1) == "$":
                buf.append("$")
                self.i += 2
                continue
            buf.append(ch)
            self.i += 1
        if buf:
            nodes.append("".join(buf))
        return nodes

    def parse_func(self) -> _Func:
        if self.peek() == "#":
            return self.parse_len()
        start = self.i
        while self.i < len(self.s) and _is_ident(self.s[self.i]):
            self.i += 1
        name = self.s[start:self.i]
        if not name:
            raise _ParseError(PARSE_VARIABLE_NAME)
        nxt = self.peek()
        if nxt == ":":
            if self.peek(1) in ("=", "-", "?", "+") and self.peek(1):
                return self.parse_default(name)
            return self.parse_substr(name)
        if nxt == "=":
            return self.parse_default(name)
        if nxt in (",", "^"):
            op = self.take_op(lambda ch: ch in ",^")
            self.consume_rbrack()
            return _Func(name, op)
        if nxt == "/":
            return self.parse_replace(name)
        if nxt in ("#", "%"):
            mark = nxt
            op = self.take_op(lambda ch: ch == mark)
            node = _Func(name, op, [self.parse_param(lambda ch: ch != "}", escapes=False)])
            self.consume_rbrack()
            return node
        if nxt != "}":
            raise _ParseError(MISSING_CLOSING_BRACE)
        self.i += 1
        return _Func(name)

    def take_op(self, ok: Callable[[str], bool], limit: int = 2) -> str:
        start = self.i
        while self.i < len(self.s) and self.i - start < limit and ok(self.s[self.i]):
            self.i += 1
        return self.s[start:self.i]

    def consume_rbrack(self) -> None:
        if self.peek() != "}":
            raise _ParseError(BAD_SUBSTITUTION)
        self.i += 1

    def parse_len(self) -> _Func:
        self.i += 1  # the '#'
        start = self.i
        while self.i < len(self.s) and _is_ident(self.s[self.i]):
            self.i += 1
        if self.i == start:
            raise _ParseError(BAD_SUBSTITUTION)
        node = _Func(self.s[start:self.i], "#")
        self.consume_rbrack()
        return node

    def parse_param(self, accept: Callable[[str], bool], *, escapes: bool) -> Any:
        """One argument: a nested `${...}`, or a run of accepted characters (escapes: `$$`,
        `\\/`, `\\\\` in replace arguments only)."""
        if self.at_func():
            self.i += 2
            return self.parse_func()
        out: list[str] = []
        first = True
        while self.i < len(self.s):
            ch = self.s[self.i]
            if not first and self.at_func():
                break
            if escapes and ((ch == "$" and self.peek(1) == "$") or (ch == "\\" and self.peek(1) in ("/", "\\"))):
                out.append(self.peek(1))
                self.i += 2
                first = False
                continue
            if not accept(ch):
                if first:
                    raise _ParseError(PARSE_FUNC_SUBSTITUTION)
                break
            out.append(ch)
            self.i += 1
            first = False
        if first:
            raise _ParseError(PARSE_FUNC_SUBSTITUTION)  # end of input
        return "".join(out)

    def parse_default(self, name: str) -> _Func:
        if self.peek() == "=":
            op = "="
            self.i += 1
        else:
            op = self.s[self.i:self.i + 2]
            self.i += 2
        node = _Func(name, op)
        while True:
            if self.peek() == "}":
                self.i += 1
                return node
            node.args.append(self.parse_param(lambda ch: ch != "}", escapes=False))

    def parse_substr(self, name: str) -> _Func:
        self.i += 1  # ':'
        node = _Func(name, ":", [self.parse_param(lambda ch: ch not in ":}", escapes=False)])
        if self.peek() == "}":
            self.i += 1
            return node
        if self.peek() != ":":
            raise _ParseError(BAD_SUBSTITUTION)
        self.i += 1
        node.args.append(self.parse_param(lambda ch: ch != "}", escapes=False))
        self.consume_rbrack()
        return node

    def parse_replace(self, name: str) -> _Func:
        op = "/"
        self.i += 1
        if self.peek() in ("/", "#", "%"):
            op += self.peek()
            self.i += 1
        node = _Func(name, op, [self.parse_param(lambda ch: ch != "/", escapes=True)])
        if self.peek() != "/":
            raise _ParseError(BAD_SUBSTITUTION)
        while self.peek() == "/":
            self.i += 1
        if self.peek() == "}":
            self.i += 1
            return node
        node.args.append(self.parse_param(lambda ch: ch != "}", escapes=True))
        self.consume_rbrack()
        return node


# -- functions -----------------------------------------------------------------------------

def _trim(s: str, pattern: str, *, longest: bool) -> str:
    rx = glob_regex(pattern)
    if rx is None:
        return s
    match = ""
    for length in range(len(s), 0, -1):
        if rx.fullmatch(s[:length]):
            match = s[:length]
            if longest:
                break
    return s[len(match):] if match else s


def _atoi(text: str) -> int | None:
    return int(text) if len(text) <= 20 and re.fullmatch(r"[+-]?[0-9]+", text) else None  # int64 at most


def _substr(s: str, args: list[str]) -> str:
    data = s.encode()
    pos = _atoi(args[0])
    if pos is None:
        return s
    if pos < 0:
        pos = max(len(data) + pos, 0)
    if len(args) == 1:
        return data[pos:].decode(errors="replace") if pos < len(data) else ""
    length = _atoi(args[1])
    if length is None:
        return s
    if pos + length >= len(data):
        return data[pos:].decode(errors="replace") if pos < len(data) else ""
    return data[pos:pos + length].decode(errors="replace")


def _apply(op: str, v: str, args: list[str]) -> str:
    if op == ",":
        return v[:1].lower() + v[1:]
    if op == ",,":
        return v.lower()
    if op == "^":
        return v[:1].upper() + v[1:]
    if op == "^^":
        return v.upper()
    if op == "#":
        return str(len(v.encode())) if not args else _trim(v, args[0], longest=False)
    if op == "##":
        return _trim(v, args[0], longest=True) if args else v
    if op in ("%", "%%"):
        if not args:
            return v
        return _trim(v[::-1], args[0][::-1], longest=op == "%%")[::-1]
    if op == ":":
        return _substr(v, args) if args else v
    if op in ("/", "//"):
        if not args:
            return v
        rep = args[1] if len(args) > 1 else ""
        return v.replace(args[0], rep, 1 if op == "/" else -1)
    if op == "/#":
        if len(args) != 2:
            return v
        return v.replace(args[0], args[1], 1) if v.startswith(args[0]) else v
    if op == "/%":
        if len(args) != 2:
            return v
        return v[: len(v) - len(args[0])] + args[1] if v.endswith(args[0]) else v
    # plain ${var}, the default operators, and anything unknown
    return "".join(args) if not v and args else v


MAX_EXPANDED = 64 * 1024 * 1024
"""Characters that substituted values may add to the resources of one Kustomization: a
5 MB variable written 2000 times is 10 GB of YAML, from a pull request of 5 MB."""


@dataclass
class ExpansionBudget:
    """What substitutions may still add (shared by the resources of one Kustomization)."""

    remaining: int = MAX_EXPANDED

    def spend(self, size: int) -> None:
        self.remaining -= size
        if self.remaining < 0:
            raise _ParseError(f"substituted values add more than {MAX_EXPANDED} characters to the resources of this "
                              "Kustomization (a long variable used many times?)")


def _eval(nodes: list[Any], lookup: Callable[[str], tuple[str, bool]], budget: ExpansionBudget) -> str:
    out: list[str] = []
    for node in nodes:
        if isinstance(node, str):
            out.append(node)
            continue
        args = [_eval([a], lookup, budget) for a in node.args]
        value, exists = lookup(node.param)
        if not exists and node.name not in _DEFAULT_OPS:
            raise _ParseError(f'variable not set (strict mode): "{node.param}"')
        if node.name in ("/", "//", "/#", "/%") and len(args) > 1 and args[0]:
            # a replacement multiplies: count what it would add before building it
            budget.spend(max(len(value), (value.count(args[0]) if node.name == "//" else 1) * len(args[1])))
        out.append(_apply(node.name, value, args))
        budget.spend(len(out[-1]))
    return "".join(out)


def envsubst(text: str, variables: Mapping[str, str], *, strict: bool = True, where: str | None = None,
             budget: ExpansionBudget | None = None) -> str:
    """Expand the `${...}` expressions of `text` as Flux's envsubst does.

    Strict: an undefined variable without a default is an error; otherwise it is empty.
    `budget` bounds what the expansions add (a fresh MAX_EXPANDED when not given)."""
    budget = budget if budget is not None else ExpansionBudget()
    try:
        nodes = _Parser(text).parse()
        if strict:
            return _eval(nodes, lambda name: (variables.get(name, ""), name in variables), budget)
        return _eval(nodes, lambda name: (variables.get(name, ""), True), budget)
    except _ParseError as exc:
        raise SubstitutionError(f"envsubst error: variable substitution failed: {exc}", file=where) from None


# ------------------------------------------------------------------------------------------
# Variables and resources
# ------------------------------------------------------------------------------------------

def _spec(ks: dict[str, Any]) -> dict[str, Any]:
    spec = ks.get("spec")
    return spec if isinstance(spec, dict) else {}


def _ks_label(ks: dict[str, Any]) -> str:
    meta = ks.get("metadata") or {}
    return f"Kustomization {meta.get('namespace') or 'default'}/{meta.get('name')}"


def load_variables(ks: dict[str, Any], objects: ObjectResolver | None,
                   missing: list[str] | None = None) -> dict[str, str]:
    """The variables of a Flux Kustomization: `substituteFrom` in order, then `substitute`.
    With `missing`, a ConfigMap/Secret found neither in the render nor in the repository
    (one that exists only in the cluster) is listed there instead of failing."""
    post = _spec(ks).get("postBuild") or {}
    where = _ks_label(ks)
    namespace = str((ks.get("metadata") or {}).get("namespace") or "default")
    variables: dict[str, str] = {}
    for ref in post.get("substituteFrom") or []:
        if not isinstance(ref, dict):
            raise InputError("postBuild.substituteFrom entries must be mappings with kind and name", file=where)
        kind, name = str(ref.get("kind") or ""), str(ref.get("name") or "")
        if kind not in ("ConfigMap", "Secret"):
            raise InputError(f"postBuild.substituteFrom: kind must be ConfigMap or Secret, got {kind!r}", file=where)
        obj = objects(kind, namespace, name) if objects is not None else None
        if obj is None:
            if ref.get("optional"):
                continue
            if missing is not None:
                missing.append(f"{kind} {namespace}/{name}")
                continue
            raise InputError(
                f"substitute from '{kind}/{name}' error: {kind} {namespace}/{name} not found in the rendered "
                "objects or the repository (mark it optional: true if it may be absent)",
                file=where,
            )
        for key, value in _object_data(obj, kind, where).items():
            variables[key] = value.replace("\n", "")
    for key, value in (post.get("substitute") or {}).items():
        variables[str(key)] = ("" if value is None else str(value)).replace("\n", "")
    for key in variables:
        if not _VAR_NAME.match(key):
            raise InputError(f"'{key}' var name is invalid, must match '^[_[:alpha:]][_[:alpha:][:digit:]]*$'", file=where)
    return variables


def _object_data(obj: dict[str, Any], kind: str, where: str) -> dict[str, str]:
    check_shape(obj, DATA_OBJECT, f"{object_label(obj)} (substituteFrom of {where})")
    out: dict[str, str] = {}
    if kind == "ConfigMap":
        for key, value in (obj.get("data") or {}).items():
            out[str(key)] = "" if value is None else str(value)
        return out
    for key, value in (obj.get("data") or {}).items():
        try:
            out[str(key)] = base64.b64decode(str(value or ""), validate=True).decode("utf-8", errors="replace")
        except (binascii.Error, ValueError):
            raise InputError(f"Secret {obj.get('metadata', {}).get('name')}: data.{key} is not valid base64", file=where) from None
    for key, value in (obj.get("stringData") or {}).items():  # the API server merges stringData into data
        out[str(key)] = "" if value is None else str(value)
    return out


def substitution_disabled(body: dict[str, Any]) -> bool:
    meta = body.get("metadata") or {}
    labels = meta.get("labels") or {}
    annotations = meta.get("annotations") or {}
    return labels.get(SUBSTITUTE_KEY) == DISABLED or annotations.get(SUBSTITUTE_KEY) == DISABLED


def substitute_resource(body: dict[str, Any], variables: Mapping[str, str], *, strict: bool = True,
                        where: str | None = None, budget: ExpansionBudget | None = None) -> dict[str, Any]:
    """One resource substituted through its YAML text, types resolved again (a new dict)."""
    if substitution_disabled(body):
        return body
    text = dump_document(body)
    out = envsubst(text, variables, strict=strict, where=where, budget=budget)
    if out == text:
        return body
    docs = load_documents(out, where or "substituted resource", dialect="config")
    if not docs or not isinstance(docs[0], dict):
        raise SubstitutionError("the substituted resource is not a YAML mapping", file=where)
    return docs[0]


_VAR_REF = re.compile(r"\$\{([_a-zA-Z][_a-zA-Z0-9]*)")


def _kept_in_place(resources: list[dict[str, Any]], variables: dict[str, str]) -> dict[str, str]:
    """Variables for a Kustomization whose substituteFrom names an object only the cluster
    has: every referenced variable sluice does not know stays `${NAME}` for Flux to fill."""
    out = dict(variables)
    for body in resources:
        if substitution_disabled(body):
            continue
        for name in _VAR_REF.findall(dump_document(body)):
            out.setdefault(name, "${" + name + "}")
    return out


def postbuild(ks: dict[str, Any], resources: list[dict[str, Any]], objects: ObjectResolver | None, *,
              strict: bool = True, notes: list[str] | None = None) -> list[dict[str, Any]]:
    """The post-build step of a Flux Kustomization applied to its built resources. With
    `notes`, substituteFrom objects that exist only in the cluster leave their variables in
    place (`${NAME}`) and a note says so; without it they are an error."""
    post = _spec(ks).get("postBuild")
    if post is None:
        return resources
    if not isinstance(post, dict):
        raise InputError("spec.postBuild must be a mapping", file=_ks_label(ks))
    strategy = str(post.get("substituteStrategy") or "WithVariables")
    if strategy not in ("WithVariables", "Always"):
        raise InputError(f"postBuild.substituteStrategy must be WithVariables or Always, got {strategy!r}", file=_ks_label(ks))
    missing: list[str] | None = [] if notes is not None else None
    variables = load_variables(ks, objects, missing)
    if missing:
        variables = _kept_in_place(resources, variables)
        assert notes is not None
        notes.append(f"{_ks_label(ks)}: postBuild.substituteFrom {', '.join(missing)} is not in the repository "
                     "(it exists only in the cluster): its variables are left as ${NAME} for Flux to substitute")
    if not variables and strategy != "Always":
        return resources
    out = []
    budget = ExpansionBudget()
    for body in resources:
        meta = body.get("metadata") or {}
        label = f"{_ks_label(ks)}: post build failed for '{body.get('apiVersion')}, Kind={body.get('kind')}/{meta.get('name')}'"
        out.append(substitute_resource(body, variables, strict=strict, where=label, budget=budget))
    return out
