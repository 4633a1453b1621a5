"""Differential testing of `renderer.gotemplate` against real Go, in process.

Helm renders Go text/template with Sprig: a chart whose templates are the generated
snippets is a Go oracle. Each snippet becomes one template file that defines the snippet
and runs it on its own data, so `.` and `$` are that data as in Argo CD:

    {{- define "case.N" }}SNIPPET{{ end }}{{ template "case.N" .Values.dN }}

One render covers a whole batch; a failing snippet is named in Helm's error, dropped and
the rest rendered again, so every snippet gets its own output or error. sluice renders the
very same file text under the same name, with the data under `.Values.dN`, so template
names, lines, columns and the tokens around a broken snippet are the same on both sides.

How Helm's engine differs from plain text/template, and what the strategies do about it:

- Helm replaces `toYaml`, `fromYaml`, `fromYamlArray`, `toJson`, `fromJson`,
  `fromJsonArray`, `toToml`, `include`, `tpl`, `required` and `lookup` with its own
  versions: the strategies never call them.
- Helm renders with `missingkey=zero` and then deletes every `<no value>` from the output;
  Argo CD uses Go's default (`missingkey=default`). The sluice side renders with
  `missingkey=zero` and deletes `<no value>` the same way; `missingkey=default` is
  covered by the hand-written cases of test_gotemplate.py.
- Values reach Helm as JSON, so every number in the data is a float64, as in Argo CD's
  generator parameters: the sluice side gets the same (`json_floats`).
- Functions that read the clock, randomness or the environment are not generated (sluice
  refuses them by design).
- `keys` and `values` are not generated: they list a Go map in Go's randomised iteration
  order, so Go disagrees with itself from run to run.
- `merge` and `mergeOverwrite` merge into a fresh `dict`: merging data into itself builds a
  cyclic value, and Go's fmt then overflows the stack and kills the process (a fatal
  runtime error, not a template error), taking the in-process oracle with it.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

try:
    from renderer.gotemplate import Template, TemplateError
    from renderer.gotemplate.sprig.conv import json_floats
except ImportError:  # the interpreter before it became a package, for before/after figures
    from renderer.gotemplate import Template, TemplateError  # type: ignore[no-redef]
    from renderer.gotemplate import _floats as json_floats  # type: ignore[no-redef]

_OPTS = {"name": "r", "namespace": "d", "revision": 1, "is_install": True, "is_upgrade": False, "kube_version": "v1.31.0"}
_FILE_RE = re.compile(r"c/templates/case(\d+)\.txt")


@dataclass(frozen=True)
class Outcome:
    """What one engine made of one snippet: its output, or that it failed. `error` is the
    message as the engine printed it; `error_key` its stable part (see `error_key`)."""

    output: str | None  # None: an error
    error: str = ""
    error_key: tuple[str, ...] = ()

    def agrees(self, other: Outcome) -> bool:
        """Same output, or both failed with the same stable part of the message."""
        return self.output == other.output and (self.output is not None or keys_match(self.error_key, other.error_key))

    def values_agree(self, other: Outcome) -> bool:
        """Same output, or both failed (whatever the messages say)."""
        return self.output == other.output


# --------------------------------------------------------------------------------------
# Error messages: what may legitimately differ between the two sides, and nothing else
# --------------------------------------------------------------------------------------
#
# Go's text/template words an execution error
#     template: NAME:LINE:COL: executing "TMPL" at <NODE>: MESSAGE
# and a parse error
#     template: NAME:LINE: MESSAGE
# Both sides render the same file under the same name, so nothing about names, lines or
# columns needs normalising. What does is Helm's rewording of Go's message, which sluice
# (like Argo CD) does not do:
#
# 1. Execution errors (engine.go reformatExecErrorMsg): an error whose whole chain is
#    text/template's own is printed as `NAME:LINE:COL\n  executing "TMPL" at <NODE>:\n
#    MESSAGE`, with MESSAGE cut before any " template:" and trimmed; an error wrapping a
#    function's error ("error calling X: ...") is left as Go printed it. Both forms are read
#    back into the same parts, and sluice's MESSAGE is cut and trimmed the same way.
# 2. Parse errors (engine.go cleanupParseError): `parse error at (NAME:LINE): LAST`, where
#    LAST is what follows the message's last ": ". The whole message is had another way:
#    the failing file's text is parsed again by Helm's `tpl` (`{{ tpl "TEXT" . }}`), whose
#    error carries Go's parse error whole, named after tpl's template `gotpl`; that name
#    reads as the file's. Where that fails, only NAME, LINE and LAST are compared.
#
# Nothing else is normalised: the template being executed, the node text between < >, the
# line, the column and the message must be Go's.

_PARSE_RE = re.compile(r"\Aparse error at \((?P<loc>[^)]*)\): (?P<msg>.*)\Z", re.S)
_REFORMATTED_RE = re.compile(r"\A(?P<loc>[^\n]*)\n  executing \"(?P<tmpl>[^\"]*)\" at <(?P<node>.*?)>:\n    (?P<msg>.*)\Z", re.S)


def file_name(index: int) -> str:
    return f"c/templates/case{index}.txt"


def wrap_text(text: str, index: int) -> str:
    """The chart file for snippet `index`: the snippet as a define run on its own data."""
    return f'{{{{- define "case.{index}" }}}}{text}{{{{ end }}}}{{{{ template "case.{index}" .Values.d{index} }}}}'


def _cut_message(msg: str) -> str:
    cut = msg.find(" template:")
    return (msg[:cut] if cut >= 0 else msg).strip()


def _split_exec(rest: str) -> tuple[str, str, str, str] | None:
    """`LOC: executing "TMPL" at <NODE>: MSG` into its parts, cut where Helm cuts them."""
    loc, sep, after = rest.partition(': executing "')
    if not sep:
        return None
    tmpl, sep, after = after.partition('" at <')
    if not sep:
        return None
    node, sep, msg = after.partition(">: ")
    if not sep:
        return None
    return loc, tmpl, node, msg


def _location(loc: str) -> tuple[str, ...]:
    """`NAME:LINE[:COL]` as its parts."""
    parts = loc.split(":")
    numbers = []
    while parts and parts[-1].isdigit() and len(numbers) < 2:
        numbers.insert(0, parts.pop())
    return (":".join(parts), *numbers)


def keys_match(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Equal keys; a parse error known only by its last part ("parse-last") matches a whole
    one whose message ends that way."""
    if a[:1] == ("parse-last",) and b[:1] == ("parse",):
        a, b = b, a
    if a[:1] == ("parse",) and b[:1] == ("parse-last",):
        return a[1:3] == b[1:3] and a[3].split(": ")[-1] == b[3]
    return a == b


def go_string_literal(text: str) -> str:
    """`text` as a Go interpreted string literal."""
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch < " " or ch == "\x7f":
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


_TPL_PARSE_RE = re.compile(r": template: gotpl:(?P<line>\d+): (?P<msg>.*)\Z", re.S)


def _whole_parse_errors(texts: dict[int, str], keys: dict[int, tuple[str, ...]]) -> None:
    """Go's whole parse error for each failing file text, through Helm's tpl (see 2. above);
    `keys` gets ("parse", NAME, LINE, MESSAGE) where that works."""
    probes = [(f"{{{{ tpl {go_string_literal(text)} . }}}}", {}) for text in texts.values()]
    for (i, _), outcome in zip(texts.items(), render_helm(probes, wrap=False, whole_parse_errors=False)):
        m = _TPL_PARSE_RE.search(outcome.error) if outcome.output is None else None
        if m and "cannot parse template" in outcome.error:
            keys[i] = ("parse", file_name(i), m["line"], m["msg"])


def error_key(message: str, helm: bool = False) -> tuple[str, ...]:
    """The stable part of an error message: ("exec", NAME, LINE, COL, TMPL, NODE, MSG),
    ("parse", NAME, LINE, LAST) or ("other", MESSAGE). `helm`: the message is Helm's (read
    back through normalisations 1 and 2 above); else it is Go's own shape (sluice's)."""
    if helm:
        m = _PARSE_RE.match(message)
        if m:
            return ("parse-last", *_location(m["loc"]), m["msg"])
        m = _REFORMATTED_RE.match(message)
        if m:
            return ("exec", *_location(m["loc"]), m["tmpl"], m["node"], _cut_message(m["msg"]))
    if message.startswith("template: "):
        parts = _split_exec(message[len("template: "):])
        if parts is not None:
            return ("exec", *_location(parts[0]), parts[1], parts[2], _cut_message(parts[3]))
        if not helm:
            name, sep, msg = message[len("template: "):].partition(": ")
            if sep:
                return ("parse", *_location(name), msg)
    return ("other", message)


def helm_available() -> bool:
    try:
        import helm_python  # noqa: F401
    except ImportError:
        return False
    return True


def render_helm(cases: list[tuple[str, Any]], *, wrap: bool = True, whole_parse_errors: bool = True) -> list[Outcome]:
    """Go's outcome for each (snippet, data), through one chart render per failure.
    `wrap` False: each snippet is a whole chart file, run at Go's top level (template depth
    0, as sluice runs it) on Helm's own root values; its data is unused. Parse errors are
    had whole through `tpl` unless `whole_parse_errors` is False."""
    import helm_python
    from helm_python import _native

    work = tempfile.mkdtemp(prefix="sluice-gotemplate-oracle-")
    try:
        chart = os.path.join(work, "c")
        os.makedirs(os.path.join(chart, "templates"))
        with open(os.path.join(chart, "Chart.yaml"), "w") as f:
            f.write("apiVersion: v2\nname: c\nversion: 0.1.0\n")
        values: dict[str, Any] = {}
        pending: set[int] = set()
        for i, (text, data) in enumerate(cases):
            with open(os.path.join(chart, "templates", f"case{i}.txt"), "w", encoding="utf-8") as f:
                f.write(wrap_text(text, i) if wrap else text)
            values[f"d{i}"] = data
            pending.add(i)
        results: dict[int, Outcome] = {}
        while pending:
            ch = helm_python.Chart.load(chart)
            try:
                raw = _native.call_string("helm_render", ch._raw(), json.dumps(values), json.dumps(_OPTS))
            except helm_python.HelmError as exc:
                message = str(exc)
                m = _FILE_RE.search(message)
                bad = [int(m.group(1))] if m and int(m.group(1)) in pending else sorted(pending)
                for i in bad:  # an error Helm does not attribute: every pending case fails
                    results[i] = Outcome(None, message, error_key(message, helm=True))
                    pending.discard(i)
                    os.remove(os.path.join(chart, "templates", f"case{i}.txt"))
                continue
            finally:
                ch.close() if hasattr(ch, "close") else None
            files = json.loads(raw)
            for i in sorted(pending):
                results[i] = Outcome(files.get(f"c/templates/case{i}.txt", ""))
            pending.clear()
        if whole_parse_errors:
            failing = {i: wrap_text(cases[i][0], i) if wrap else cases[i][0]
                       for i, r in results.items() if r.error_key[:1] == ("parse-last",)}
            keys: dict[int, tuple[str, ...]] = {}
            if failing:
                _whole_parse_errors(failing, keys)
            for i, key in keys.items():
                results[i] = Outcome(None, results[i].error, key)
        return [results[i] for i in range(len(cases))]
    finally:
        shutil.rmtree(work, ignore_errors=True)


def render_sluice(text: str, data: Any, index: int = 0, *, wrap: bool = True) -> Outcome:
    """sluice's outcome for snippet `index` under Helm's conditions: the same file text
    and name as render_helm gives Go; anything but a TemplateError propagates."""
    try:
        if wrap:
            tmpl = Template(wrap_text(text, index), name=file_name(index), options=["missingkey=zero"])
            out = tmpl.execute({"Values": {f"d{index}": json_floats(data)}})
        else:
            out = Template(text, name=file_name(index), options=["missingkey=zero"]).execute(json_floats(data))
    except TemplateError as exc:
        return Outcome(None, exc.message, error_key(exc.message))
    return Outcome(out.replace("<no value>", ""))


# --------------------------------------------------------------------------------------
# Strategies
# --------------------------------------------------------------------------------------

KEYS = ["a", "b", "name", "ключ", "x1"]
_text = st.text(alphabet=st.sampled_from(list("abcXYZ019 -_.,:/\n\t$%{}\"'\\é漢ß") + ["ǅ", "\u00a0", "\u2003"]), max_size=8)
_scalars = st.one_of(
    st.none(), st.booleans(),
    st.integers(-300, 300), st.sampled_from([0, 1, -1, 2**53, 1e21, 0.5, -2.5, 1e-7, 123456789.0, 3.0]),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    _text,
)
data_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(KEYS), inner, max_size=4)),
    max_leaves=10,
)
data_roots = st.dictionaries(st.sampled_from(KEYS), data_values, max_size=5)

_INT_LITS = ["0", "1", "2", "3", "-1", "10", "012", "0x1F", "0b101", "0o17", "1_000", "'a'", "'\\n'", "3.0", "1e3", "-0"]
_FLOAT_LITS = ["0.5", "2.5", "-1.25", "1e-3", "0x1p-2", "1.0", "1e100", ".5"]
_STR_LITS = ['"abc"', '""', '"a,b,c"', '"Hello World"', '"ß"', '"12"', '" 42"', '"012"', '"0x10"', '"3.5"', '"true"',
             '"1.2.3"', '"v2.0.0-rc.1"', '"a-b_c d"', '"漢字abc"', '"foo@bar.com"', '"\\t x \\n"', "`raw\\n`", '"a.b.c"',
             '"[a-c]+"', '"^a"', '"(a)(b)?"', '"a*"', '"x$"', '"\\\\d+"', '"[[:alpha:]]+"', '"%d-%s"', '"%v"', '"%q %x"',
             '"%#v"', '"%5.2f|%-4d|%08s"', '"%[2]s %[1]s"', '"%+q"', '"%U %#U"', '"%x"', '"%T"', '"%t"', '"%e %g"', '"%c"',
             '"/a/b/../c.txt"', '"https://u:p@h.example:8/p?q=1#f"', '">=1.2.0"', '"1.2 - 1.4"', '"^1.2"', '"~1.2.3"', '"*"']
_OTHER_LITS = ["true", "false", "nil"]

# name: argument kinds (s string, i int, f number, l list, m map, a anything; '*' repeats the last)
FUNCTIONS: dict[str, str] = {
    # builtins
    "and": "aa", "or": "aa", "not": "a", "len": "a", "index": "ai", "slice": "lii", "print": "a*", "printf": "sa*",
    "println": "a*", "eq": "aa", "ne": "aa", "lt": "aa", "le": "aa", "gt": "aa", "ge": "aa", "html": "a", "js": "a",
    "urlquery": "a",
    # strings
    "upper": "s", "lower": "s", "title": "s", "untitle": "s", "trim": "s", "trimAll": "ss", "trimPrefix": "ss",
    "trimSuffix": "ss", "replace": "sss", "contains": "ss", "hasPrefix": "ss", "hasSuffix": "ss", "quote": "a*",
    "squote": "a*", "cat": "a*", "indent": "is", "nindent": "is", "trunc": "is", "abbrev": "is", "abbrevboth": "iis",
    "repeat": "is", "substr": "iis", "nospace": "s", "initials": "s", "wrap": "is", "wrapWith": "iss",
    "plural": "ssi", "snakecase": "s", "kebabcase": "s", "camelcase": "s", "swapcase": "s", "splitList": "ss",
    "split": "ss", "splitn": "sis", "join": "sl", "sortAlpha": "l", "toString": "a", "toStrings": "a",
    "toDecimal": "a", "regexMatch": "ss", "regexFind": "ss", "regexFindAll": "ssi", "regexReplaceAll": "sss",
    "regexReplaceAllLiteral": "sss", "regexSplit": "ssi", "regexQuoteMeta": "s",
    # conversions
    "atoi": "s", "int": "a", "int64": "a", "float64": "a", "toPrettyJson": "a", "toRawJson": "a",
    "mustToJson": "a",
    # defaults and flow
    "default": "aa", "empty": "a", "coalesce": "a*", "all": "a*", "any": "a*", "ternary": "aab", "deepEqual": "aa",
    "kindOf": "a", "kindIs": "sa", "typeOf": "a", "typeIs": "sa", "typeIsLike": "sa",
    # lists
    "list": "a*", "first": "l", "last": "l", "rest": "l", "initial": "l", "uniq": "l", "without": "la", "has": "al",
    "compact": "l", "append": "la", "prepend": "la", "concat": "ll", "reverse": "l", "seq": "i*", "until": "i",
    "untilStep": "iii", "chunk": "il", "mustSlice": "lii",
    # dicts
    "dict": "sa*", "get": "ms", "hasKey": "ms", "pluck": "sm", "pick": "ms", "omit": "ms",
    "dig": "sam", "merge": "mm", "mergeOverwrite": "mm", "deepCopy": "a",
    # math
    "add": "ff", "add1": "f", "sub": "ff", "mul": "ff", "div": "ff", "mod": "ff", "max": "ff", "min": "ff",
    "addf": "ff", "add1f": "f", "subf": "ff", "mulf": "ff", "divf": "ff", "maxf": "ff", "minf": "ff", "round": "fi",
    "ceil": "f", "floor": "f",
    # encodings, paths, semver, urls
    "b64enc": "s", "b64dec": "s", "b32enc": "s", "b32dec": "s", "sha1sum": "s", "sha256sum": "s", "adler32sum": "s",
    "base": "s", "dir": "s", "clean": "s", "ext": "s", "isAbs": "s", "semver": "s", "semverCompare": "ss",
    "urlParse": "s", "urlJoin": "m", "hello": "",
}
_FRESH_DICTS = ['(dict "a" 1 "b" "x")', "(dict)", '(dict "ключ" (list 1 2))']
# printf formats: flags, widths, precisions, argument indexes and the error forms
_FORMATS = ['"%v"', '"%d|%s"', '"%5.2f|%-4d|%08s"', '"%[2]v %[1]v"', '"%[3]d"', '"%#v"', '"%+q|%#U"', '"%x|%X"',
            '"%#x %#o %#b"', '"%e|%G|%.3g"', '"%*d|%.*s"', '"%-8v|"', '"%t %c"', '"%q"', '"%!"', '"%"', '"%d %d %d"',
            '"%[x]d"', '"% x|%# X"', '"%6.2v|%06q"', '"%T|%T"', '"%U|%.1f|%+08.3e"']

_fields = st.lists(st.sampled_from(KEYS), min_size=1, max_size=2).map(lambda ks: "." + ".".join(ks))


def _literal(kind: str) -> st.SearchStrategy[str]:
    pools = {"s": _STR_LITS, "i": _INT_LITS, "f": _INT_LITS + _FLOAT_LITS, "b": ["true", "false"]}
    pool = pools.get(kind, _INT_LITS + _FLOAT_LITS + _STR_LITS + _OTHER_LITS)
    return st.sampled_from(pool)


def _operand(kind: str, depth: int) -> st.SearchStrategy[str]:
    typed = _literal(kind)
    simple = st.one_of(typed, typed, typed, _literal("a"), _fields, st.sampled_from([".", "$", "$.a", "$x"]))
    if kind == "l":
        simple = st.one_of(simple, st.sampled_from(["(list 1 2 3)", '(list "b" "a" "b")', "(list 1 1.0 true)", "(list)",
                                                    '(splitList "," "a,b,c")', "(until 3)", "(list nil 2)", "(list (list 1) 2)"]))
    if kind == "m":
        simple = st.one_of(simple, st.sampled_from(['(dict "a" 1 "b" "x")', "(dict)", '(dict "ключ" (list 1 2))']))
    if depth <= 0:
        return simple
    return st.one_of(simple, simple, _call(depth - 1).map(lambda c: f"({c})"))


@st.composite
def _call_of(draw: st.DrawFn, depth: int, piped: bool = False) -> str:
    name = draw(st.sampled_from(sorted(FUNCTIONS)))
    kinds = FUNCTIONS[name]
    args: list[str] = []
    n = len(kinds.rstrip("*"))
    if kinds.endswith("*"):
        n = draw(st.integers(0, 3)) + len(kinds) - 2
    if piped and n > 0:
        n -= 1  # the piped value is the last argument
    if draw(st.integers(0, 19)) == 0:
        n = max(0, n + draw(st.sampled_from([-1, 1])))  # a wrong argument count now and then
    for i in range(n):
        k = kinds.rstrip("*")[min(i, len(kinds.rstrip("*")) - 1)] if kinds.rstrip("*") else "a"
        if i == 0 and name in ("merge", "mergeOverwrite"):
            args.append(draw(st.sampled_from(_FRESH_DICTS)))  # see the module docstring
            continue
        args.append(draw(_operand(k if draw(st.integers(0, 4)) else "a", depth)))
    return " ".join([name] + args)


def _call(depth: int, piped: bool = False) -> st.SearchStrategy[str]:
    return _call_of(depth, piped)


@st.composite
def pipelines(draw: st.DrawFn) -> str:
    head = draw(st.one_of(_call(2), _operand("a", 1)))
    stages = draw(st.lists(_call(0, piped=True), max_size=2))
    return " | ".join([head] + stages)


# what a range body does with its element `$e`
_ELEMENT_USES = ["{{ $e }}", "{{ $e.a }}", "{{ $e.a.b }}", "{{ upper $e }}", "{{ $e | len }}", "{{ len $e }}", "{{ index $e 0 }}",
                 '{{ index $e "a" }}', "{{ .a }}", "{{ upper . }}", "{{ add1 . }}", "{{ eq $e . }}", "{{ $e 1 }}", "{{ $e.a 1 }}",
                 "{{ not $e }}", "{{ and $e . }}", "{{ default 1 $e }}", "{{ typeOf $e }}", "{{ (list $e).x }}"]
# Go methods on Sprig's semver values, right and wrong
_METHOD_CALLS = ['(semver "1.2.3").Major', '(semver "v1.2.3-rc.1+b").Prerelease', '(semver "1.2.3").IncMinor.String',
                 '(semver "1.2.3").Compare (semver "1.3.0")', '(semver "1.2.3").Compare', '(semver "1.2.3").Compare "1.3.0"',
                 '(semver "1.2.3").LessThan (semver "0.1")', '(semver "1.2.3").Nope', '(semver "1.2.3").Major 1',
                 '(semver "1.2.3").Metadata.x', '$x := semver "2.0.0" }}{{ $x.GreaterThan (semver "1.0.0")',
                 '(semver "1.2.3").Original | upper', '.a | semver', '(semver "x").Major']


@st.composite
def actions(draw: st.DrawFn) -> str:
    p = draw(pipelines())
    shape = draw(st.integers(0, 13))
    if shape == 11:
        # the body runs on a range element (an `interface {}` in Go, nil included)
        inner = draw(pipelines())
        use = draw(st.sampled_from(_ELEMENT_USES))
        return f"{{{{ range $e := {p} }}}}{{{{ {inner} }}}}{use};{{{{ end }}}}"
    if shape == 12:
        field = draw(_fields)
        return f"{{{{ with {p} }}}}{{{{ {field} }}}}|{{{{ $.a }}}}{{{{ end }}}}"
    if shape == 13:
        return "{{ " + draw(st.sampled_from(_METHOD_CALLS)) + " }}"
    if shape <= 3:
        return f"{{{{ {p} }}}}"
    if shape == 4:
        return f"{{{{ if {p} }}}}T{{{{ else }}}}F{{{{ end }}}}"
    if shape == 5:
        return f"{{{{ range $i, $e := {p} }}}}{{{{ $i }}}}={{{{ $e }}}};{{{{ else }}}}none{{{{ end }}}}"
    if shape == 6:
        return f"{{{{ with {p} }}}}<{{{{ . }}}}>{{{{ end }}}}"
    if shape == 7:
        return f"{{{{ $x := {p} }}}}{{{{ $x }}}}|{{{{ typeOf $x }}}}"
    if shape == 8:
        return f"{{{{- {p} -}}}}"
    if shape == 9:
        fmt = draw(st.sampled_from(_FORMATS))
        more = draw(st.lists(_operand("a", 1), max_size=3))
        return f"{{{{ printf {fmt} ({p}) {' '.join(more)} }}}}"
    return f"{{{{ printf \"%v|%T\" ({p}) ({p}) }}}}"


@st.composite
def snippets(draw: st.DrawFn) -> str:
    """A template of one or two actions with text between; `$x` is always declared."""
    parts = ['{{ $x := "" }}']
    for _ in range(draw(st.integers(1, 2))):
        parts.append(draw(actions()))
        parts.append(draw(st.sampled_from(["", " ", "\n", "-"])))
    return "".join(parts)


cases = st.tuples(snippets(), data_roots)

# Syntax errors: a generated snippet with one piece of template syntax cut out or put in.
# Not `{{end}}`, `{{else}}` or `{{define}}`: in the oracle every snippet sits inside a define
# of its own, which those would close or nest (hand-written cases cover them).
_BREAKERS = ["(", ")", "|", ":=", "=", ",", ":", "$", "$y", ".", "..", "nil", '"', "`", "'", "{{", "}}", "{{ if",
             "{{ range", "{{ with", "{{ template", "{{ break }}", "{{ block", " 1.2.3 ", "0x", "1e", " - ", "}", "{"]


@st.composite
def broken_snippets(draw: st.DrawFn) -> str:
    text = draw(snippets())
    at = draw(st.integers(0, len(text)))
    if draw(st.booleans()):
        return text[:at] + draw(st.sampled_from(_BREAKERS)) + text[at:]
    return text[:at] + text[at + draw(st.integers(1, 3)):]


broken_cases = st.tuples(broken_snippets(), data_roots)
