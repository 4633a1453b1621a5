"""The Go text/template interpreter on its own: expected outputs follow Go's documented
behaviour (text/template, fmt, Sprig, Argo CD's extra functions)."""
from __future__ import annotations

import sys
from typing import Callable

import pytest

from renderer.gotemplate import BudgetExceeded, Template, TemplateError, go_sprintf, render

DATA = {
    "name": "guestbook",
    "n": 3,
    "f": 2.5,
    "big": 1000000.0,
    "t": True,
    "empty": "",
    "list": ["a", "b", "c"],
    "nums": [3, 1, 2],
    "m": {"z": 1, "a": 2, "k": "v"},
    "metadata": {"labels": {"environment": "staging", "team": "x"}},
    "nested": {"a": {"b": "deep"}},
    "nil": None,
}

CASES = [
    # text, actions, trimming, comments
    ("plain", "plain"),
    ("{{ .name }}", "guestbook"),
    ("a {{- .name -}} b", "aguestbookb"),
    ("a  {{- .name }}  b", "aguestbook  b"),
    ("a\n  {{- /* comment */ -}}\n  b", "ab"),
    ("x{{/* c */}}y", "xy"),
    ("{{-3}}", "-3"),
    ("{{ .nested.a.b }}", "deep"),
    ("{{ .missing }}", "<no value>"),
    ("{{ .nil }}", "<no value>"),
    ("{{ .missing.x }}", "<no value>"),
    ("{{ .metadata.labels.environment }}", "staging"),
    ('{{ index .metadata.labels "environment" }}', "staging"),
    ('{{ index .list 1 }}', "b"),
    ('{{ index .m "nope" }}', "<no value>"),
    ("{{ . | len }}", "12"),
    # variables
    ("{{ $x := .name }}{{ $x }}", "guestbook"),
    ("{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }}", "2"),
    ("{{ range .list }}{{ $.name }}{{ end }}", "guestbookguestbookguestbook"),
    ("{{ with $x := .name }}{{ $x }}{{ end }}", "guestbook"),
    # if / else if / else
    ("{{ if .t }}yes{{ else }}no{{ end }}", "yes"),
    ("{{ if .empty }}yes{{ else }}no{{ end }}", "no"),
    ("{{ if eq .n 1 }}one{{ else if eq .n 3 }}three{{ else }}other{{ end }}", "three"),
    ("{{ if and .t .name }}{{ and .t .name }}{{ end }}", "guestbook"),
    ("{{ or .empty .missing \"fallback\" }}", "fallback"),
    ("{{ or .empty 0 }}", "0"),
    ("{{ not .t }}", "false"),
    # range
    ("{{ range .list }}[{{ . }}]{{ end }}", "[a][b][c]"),
    ("{{ range $i, $v := .list }}{{ $i }}={{ $v }} {{ end }}", "0=a 1=b 2=c "),
    ("{{ range $k, $v := .m }}{{ $k }}:{{ $v }},{{ end }}", "a:2,k:v,z:1,"),
    ("{{ range .missing }}x{{ else }}none{{ end }}", "none"),
    ("{{ range $v := .list }}{{ $v }}{{ end }}", "abc"),
    ("{{ range .nums }}{{ if eq . 1 }}{{ continue }}{{ end }}{{ if eq . 2 }}{{ break }}{{ end }}{{ . }}{{ end }}", "3"),
    ("{{ range 3 }}{{ . }}{{ end }}", "012"),
    # with
    ("{{ with .nested.a }}{{ .b }}{{ end }}", "deep"),
    ("{{ with .empty }}x{{ else }}empty{{ end }}", "empty"),
    ("{{ with .missing }}x{{ else with .name }}{{ . }}{{ end }}", "guestbook"),
    # define / template / block
    ('{{ define "T" }}<{{ . }}>{{ end }}{{ template "T" .name }}', "<guestbook>"),
    ('{{ block "B" .n }}[{{ . }}]{{ end }}', "[3]"),
    ('{{ define "T" }}{{ .name }}{{ end }}{{ template "T" }}', "<no value>"),
    # literals, pipelines, parens
    ("{{ 1.5 }} {{ 0x10 }} {{ 'a' }} {{ \"q\\tq\" }} {{ `raw\\n` }} {{ true }}", "1.5 16 97 q\tq raw\\n true"),
    ("{{ .name | printf \"%s-%d\" | printf \"%q\" }}", '"guestbook-%!d(MISSING)"'),
    ("{{ printf \"%s-%d\" .name .n }}", "guestbook-3"),
    ("{{ (index .list 0) | upper }}", "A"),
    ("{{ (.nested.a).b }}", "deep"),
    # printing values as Go does
    ("{{ .f }} {{ .big }} {{ .list }} {{ .m }} {{ .t }}", "2.5 1e+06 [a b c] map[a:2 k:v z:1] true"),
    ("{{ print 1 2 \"a\" \"b\" 3 }}", "1 2ab3"),
    ("{{ println \"a\" 1 }}", "a 1\n"),
    ("{{ len .name }} {{ len .list }} {{ len .m }}", "9 3 3"),
    ('{{ define "b" }} {{ end }}{{ define "b" }}D{{ end }}{{ template "b" }}', "D"),  # an empty definition yields
    ('{{ define "b" }}D{{ end }}{{ define "b" }}{{ end }}{{ template "b" }}', "D"),
    ("{{ 1 | }}|{{ $x := 2 | }}{{ $x }}", "1|2"),  # Go accepts a trailing pipe
    ("{{ slice .list 1 }}|{{ slice .list 1 2 }}|{{ typeOf (slice (list)) }}", "[b c]|[b]|<nil>"),  # Sprig's slice replaces the builtin
    ("{{ eq .name \"guestbook\" \"x\" }} {{ ne .n 3 }} {{ lt 1 2 }} {{ le 2 2 }} {{ gt \"b\" \"a\" }} {{ ge 1.5 2.5 }}", "true false true true true false"),
    ("{{ html \"<a href='x'>&</a>\" }}", "&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;"),
    ("{{ urlquery \"a b&c\" }}", "a+b%26c"),
    ("{{ js \"it's <b>\" }}", "it\\'s \\u003Cb\\u003E"),
]


@pytest.mark.parametrize("text,expected", CASES)
def test_render(text: str, expected: str) -> None:
    assert render(text, DATA) == expected


PRINTF = [
    (("%s", "x"), "x"),
    (("%d", 42), "42"),
    (("%5d|%-5d|%05d", 42, 42, 42), "   42|42   |00042"),
    (("%v %v %v", "s", 1, 2.0), "s 1 2"),
    (("%q", 'a"b'), '"a\\"b"'),
    (("%x %X %x", 255, 255, "hi"), "ff FF 6869"),
    (("%f %.2f %5.2f %e", 3.14159, 3.14159, 3.14159, 1234.5678), "3.141590 3.14  3.14 1.234568e+03"),
    (("%t %t", True, False), "true false"),
    (("%-5s|%5s|%.2s", "ab", "ab", "abc"), "ab   |   ab|ab"),
    (("100%%",), "100%"),
    (("%d", "x"), "%!d(string=x)"),
    (("%s", 5), "%!s(int=5)"),
    (("%d %d", 1), "1 %!d(MISSING)"),
    (("%d", 1, "x"), "1%!(EXTRA string=x)"),
    (("%+d %+d", 5, -5), "+5 -5"),
    (("%g %g", 0.000001, 100000.0), "1e-06 100000"),
    (("%c %U", 65, 0x1F600), "A U+1F600"),
    (("%b %o %#x", 5, 8, 255), "101 10 0xff"),
    (("%v", None), "<nil>"),
    (("%T %T %T", "s", 1, [1]), "string int []interface {}"),
]


@pytest.mark.parametrize("args,expected", PRINTF)
def test_printf(args: tuple, expected: str) -> None:
    assert go_sprintf(*args) == expected


SPRIG = [
    ('{{ upper "abc" }} {{ lower "ABC" }} {{ title "hello world-x" }}', "ABC abc Hello World-X"),
    ('{{ trim "  a  " }}|{{ trimAll "$" "$5.00$" }}|{{ trimPrefix "-" "-x" }}|{{ trimSuffix "-" "x-" }}', "a|5.00|x|x"),
    ('{{ replace " " "-" "a b c" }} {{ contains "ue" .name }} {{ hasPrefix "gu" .name }} {{ hasSuffix "x" .name }}', "a-b-c true true false"),
    ('{{ quote "a" 1 }} {{ squote "a" }} {{ cat "a" 1 .nil "b" }}', "\"a\" \"1\" 'a' a 1 b"),
    ('{{ indent 2 "a\\nb" }}|{{ nindent 2 "a" }}', "  a\n  b|\n  a"),
    ('{{ trunc 3 "abcdef" }} {{ trunc -2 "abcdef" }} {{ abbrev 5 "hello world" }} {{ repeat 3 "ab" }}', "abc ef he... ababab"),
    ('{{ substr 1 3 "abcdef" }} {{ nospace "a b\\tc" }} {{ initials "Hello World" }}', "bc abc HW"),
    ('{{ wrap 5 "aaa bbb ccc" }}', "aaa\nbbb\nccc"),
    ('{{ splitList "," "a,b,c" }} {{ (split "," "a,b")._1 }} {{ join "-" .list }} {{ sortAlpha .list | join "" }}', "[a b c] b a-b-c abc"),
    ('{{ join "," (list 1 "a" 2.5) }}', "1,a,2.5"),
    ('{{ regexMatch "^g.*k$" .name }} {{ regexFind "[0-9]+" "ab123cd45" }} {{ regexFindAll "[0-9]" "a1b2c3" 2 }}', "true 123 [1 2]"),
    ('{{ regexReplaceAll "a(x*)b" "-ab-axxb-" "${1}W" }} {{ regexReplaceAllLiteral "a(x*)b" "-ab-" "${1}" }}', "-W-xxW- -${1}-"),
    ('{{ regexSplit "z+" "pizza" -1 }} {{ regexSplit "z+" "pizza" 1 }}', "[pi a] [pizza]"),
    ('{{ toString 5 }} {{ atoi "42" }} {{ int "7" }} {{ int64 3.9 }} {{ float64 "1.5" }}', "5 42 7 3 1.5"),
    ('{{ default "d" .empty }} {{ default "d" .missing }} {{ default "d" .name }} {{ empty .list }} {{ coalesce .empty .missing "c" }}', "d d guestbook false c"),
    ('{{ ternary "y" "n" true }} {{ ternary "y" "n" (eq 1 2) }}', "y n"),
    ('{{ $d := dict "a" 1 "b" "x" }}{{ get $d "b" }} {{ hasKey $d "a" }} {{ keys $d }} {{ $_ := set $d "c" 3 }}{{ len $d }} {{ $_ := unset $d "a" }}{{ keys $d }}', "x true [a b] 3 [b c]"),
    ('{{ pluck "a" (dict "a" 1) (dict "b" 2) (dict "a" 3) }} {{ values (dict "b" 2 "a" 1) }}', "[1 3] [1 2]"),
    ('{{ $a := dict "x" (dict "y" 1) }}{{ $b := dict "x" (dict "z" 2 "y" 9) "w" 3 }}{{ merge $a $b | toJson }}', '{"w":3,"x":{"y":1,"z":2}}'),
    ('{{ $a := dict "x" 1 }}{{ mergeOverwrite $a (dict "x" 2) | toJson }}', '{"x":2}'),
    ('{{ dig "a" "b" "def" .nested }} {{ dig "a" "zz" "def" .nested }}', "deep def"),
    ('{{ first .list }} {{ last .list }} {{ rest .list }} {{ initial .list }} {{ reverse .list }}', "a c [b c] [a b] [c b a]"),
    ('{{ uniq (list 1 2 1) }} {{ without .list "b" }} {{ has "b" .list }} {{ compact (list "" "a" 0 "b") }}', "[1 2] [a c] true [a b]"),
    ('{{ append .list "d" }} {{ prepend .list "z" }} {{ concat .list (list 1) }}', "[a b c d] [z a b c] [a b c 1]"),
    ('{{ add 1 2 3 }} {{ sub 5 2 }} {{ mul 2 3 }} {{ div 7 2 }} {{ mod 7 2 }} {{ max 1 5 3 }} {{ min 4 2 }}', "6 3 6 3 1 5 2"),
    ('{{ round 3.14159 2 }} {{ ceil 1.2 }} {{ floor 1.8 }} {{ add1 .n }}', "3.14 2 1 4"),
    ('{{ b64enc "hello" }} {{ b64dec "aGVsbG8=" }} {{ sha256sum "a" | trunc 8 }} {{ sha1sum "a" | trunc 8 }}', "aGVsbG8= hello ca978112 86f7e437"),
    ('{{ toJson .m }} {{ toJson "<&>" }}', '{"a":2,"k":"v","z":1} "\\u003c\\u0026\\u003e"'),
    ('{{ toPrettyJson (dict "a" (list 1 2)) }}', '{\n  "a": [\n    1,\n    2\n  ]\n}'),
    ('{{ (fromJson "{\\"a\\": [1, 2]}").a }}', "[1 2]"),
    ('{{ toYaml .nested }}', "a:\n  b: deep"),
    ('{{ (fromYaml "a: {b: 1}").a.b }} {{ index (fromYamlArray "[x, z]") 1 }}', "1 z"),
    ('{{ kebabcase "FirstName" }} {{ snakecase "FirstName" }} {{ camelcase "http_server" }}', "first-name first_name HttpServer"),
    ('{{ semverCompare ">=1.2.0" "1.3.1" }} {{ semverCompare "~1.2" "1.3.0" }} {{ semverCompare "^1.2.3" "1.9.0" }} {{ (semver "v1.2.3-rc.1").Prerelease }}', "true false true rc.1"),
    ('{{ normalize "Foo_Bar/baz." }} {{ slugify "Hello World, Ünïcode!" }} {{ slugify 10 false "abcdef-ghijkl" }} {{ slugify 10 true "abcdef-ghijkl" }}', "foo-bar-baz hello-world-n-code abcdef-ghi abcdef"),
    ('{{ base "a/b/c.yaml" }} {{ dir "a/b/c.yaml" }} {{ ext "c.yaml" }} {{ clean "a//b/../c" }}', "c.yaml a/b .yaml a/c"),
    ('{{ until 3 }} {{ seq 3 }} {{ kindOf .list }} {{ kindIs "map" .m }} {{ typeOf .name }}', "[0 1 2] 1 2 3 slice true string"),
]


@pytest.mark.parametrize("text,expected", SPRIG)
def test_sprig(text: str, expected: str) -> None:
    assert render(text, DATA) == expected


def test_missingkey_error() -> None:
    t = Template("{{ .missing }}", options=["missingkey=error"])
    with pytest.raises(TemplateError) as e:
        t.execute(DATA)
    assert str(e.value) == 'template: :1:3: executing "" at <.missing>: map has no entry for key "missing"'
    assert Template("{{ .name }}", options=["missingkey=error"]).execute(DATA) == "guestbook"
    assert Template("{{ .missing }}", options=["missingkey=zero"]).execute(DATA) == "<no value>"
    with pytest.raises(TemplateError, match="unrecognized option"):
        Template("x", options=["missingkey=nope"])


def test_missingkey_error_nested_in_index_is_not_raised() -> None:
    # index is a function: a missing key gives the zero value, not an error
    assert Template('{{ index .m "nope" }}', options=["missingkey=error"]).execute(DATA) == "<no value>"


EXEC_ERRORS = [
    ("{{ .nil.x }}", "nil pointer evaluating interface {}.x"),
    ("{{ .name.x }}", "can't evaluate field x in type interface {}"),  # a map element is an interface {}
    ("{{ index .list 5 }}", "error calling index: index out of range: 5"),
    ('{{ eq .n "3" }}', "incompatible types for comparison"),
    ("{{ lt true false }}", "invalid type for comparison"),
    ("{{ $nope }}", "undefined variable"),
    ('{{ upper 3 }}', "at <3>: expected string; found 3"),
    ('{{ upper .n }}', "at <.n>: wrong type for value; expected string; got int"),
    ('{{ plural .missing "x" 2 }}', "at <.missing>: invalid value; expected string"),
    ('{{ round 1.5 "s" }}', 'at <"s">: expected integer; found "s"'),
    ('{{ trunc "abc" }}', "at <trunc>: wrong number of args for trunc: want 2 got 1"),
    ('{{ 1 | round }}', "wrong number of args for round: want at least 2 got 0"),
    ('{{ upper nil }}', "cannot assign nil to string"),
    ('{{ slice .name 1 3 }}', "error calling slice: list should be type of slice or array but string"),
    ('{{ hasKey "a" "b" }}', "can't handle \"a\" for arg of type map[string]interface {}"),
    ('{{ fail "boom" }}', "error calling fail: boom"),
    ('{{ now }}', "not available offline"),
    ('{{ decryptAES "k" "YWJj" }}', "error calling decryptAES: runtime error: slice bounds out of range [:16] with capacity 3"),
    ('{{ template "nope" }}', 'at <{{template "nope"}}>: template "nope" not defined'),
    ("{{ range .name }}{{ end }}", "range can't iterate over guestbook"),
    ("{{ div 1 0 }}", "integer divide by zero"),
]


@pytest.mark.parametrize("text,fragment", EXEC_ERRORS)
def test_exec_errors(text: str, fragment: str) -> None:
    with pytest.raises(TemplateError) as e:
        render(text, DATA)
    assert fragment in str(e.value)
    assert str(e.value).startswith("template: :1:")


def test_expensive_calls_weigh_on_the_budget() -> None:
    """derivePassword runs scrypt over 32 MiB: a loop of them is stopped early."""
    with pytest.raises(BudgetExceeded, match="execution stopped after"):
        render('{{ range until 200 }}{{ derivePassword 1 "pin" "p" "u" "s" }}{{ end }}', DATA)


PARSE_ERRORS = [
    ("{{ .name ", 1, "unclosed action"),
    ("ab\n  {{ if .t }}x", 2, "unexpected EOF"),
    ("{{ end }}", 1, "unexpected {{end}}"),
    ("{{ else }}", 1, "unexpected {{else}}"),
    ("line1\nline2 {{ nosuchfunc 1 }}", 2, 'function "nosuchfunc" not defined'),
    ('{{ "unterminated }}', 1, "unterminated quoted string"),
    ("{{/* c }}", 1, "unclosed comment"),
    ("{{ /* c */ }}", 1, 'unexpected "/" in command'),  # a comment starts right after {{
    ("{{ break }}", 1, "{{break}} outside {{range}}"),
    ("{{ (1 }}", 1, "unclosed left paren"),
    ("{{ 1) }}", 1, "unexpected right paren"),
    ("{{ 1 | | upper }}", 1, 'unexpected "|" in command'),
    ("{{ if false }}{{ $nope }}{{ end }}", 1, 'undefined variable "$nope"'),
    ("{{ if true }}{{ $y := 1 }}{{ end }}\n{{ $y }}", 2, 'undefined variable "$y"'),
    ("{{ $x := 1 }}{{ define \"t\" }}{{ $x }}{{ end }}", 1, 'undefined variable "$x"'),
    ('{{ if true }}{{ define "x" }}X{{ end }}{{ end }}', 1, "unexpected <define> in command"),
    ('{{ block "b" . }}B{{ end }}{{ define "b" }}D{{ end }}', 1, 'multiple definition of template "b"'),
    ("{{ .a | 1 }}", 1, "non executable command in pipeline stage 2"),
    ("{{}}", 1, "missing value for command"),
    ("{{ 09 }}", 1, 'integer overflow: "09"'),  # not octal, so a float-looking integer
    ("{{ 1+2 }}", 1, 'bad number syntax: "1+2"'),
    ("{{ 1e }}", 1, 'illegal number syntax: "1e"'),
    ("{{ upper\n  1 :x }}", 2, "expected :="),
]


@pytest.mark.parametrize("text,line,fragment", PARSE_ERRORS)
def test_parse_errors(text: str, line: int, fragment: str) -> None:
    with pytest.raises(TemplateError) as e:
        Template(text, name="t")
    assert fragment in str(e.value)
    assert e.value.line == line
    assert str(e.value).startswith(f"template: t:{line}: ")  # Go's parse errors name no column


def test_parse_error_column() -> None:
    with pytest.raises(TemplateError) as e:
        Template("abc\nxy {{ nosuch }}")
    assert (e.value.line, e.value.col) == (2, 6)


def test_template_reuse_is_pure() -> None:
    t = Template("{{ $d := dict }}{{ $_ := set $d \"a\" .x }}{{ toJson $d }}")
    assert t.execute({"x": 1}) == '{"a":1}'
    assert t.execute({"x": 2}) == '{"a":2}'


def test_budget_stops_runaway_loops_with_a_typed_error() -> None:
    from renderer.gotemplate import BudgetExceeded

    with pytest.raises(BudgetExceeded, match="max_steps"):
        Template("{{ range until 100000 }}{{ range until 100000 }}{{ end }}{{ end }}").execute({})
    with pytest.raises(BudgetExceeded, match="max_steps"):
        Template("{{ range 50 }}{{ . }}{{ end }}", max_steps=20).execute({})
    with pytest.raises(BudgetExceeded, match="max_output"):
        Template('{{ repeat 10 "ab" }}', max_output=5).execute({})
    assert Template("{{ range 50 }}.{{ end }}", max_steps=200).execute({}) == "." * 50


def test_budget_error_is_a_template_error() -> None:
    from renderer.gotemplate import BudgetExceeded

    assert issubclass(BudgetExceeded, TemplateError)


# --------------------------------------------------------------------------------------
# Depth: the executor walks on its own stack, not Python's (test_gotemplate_diff.py checks
# the same templates against Go)
# --------------------------------------------------------------------------------------

COUNTDOWN = '{{ define "down" }}{{ if gt . 0 }}{{ . }},{{ template "down" (sub . 1) }}{{ end }}{{ end }}{{ template "down" 5000 }}'
FOREVER = '{{ define "loop" }}{{ template "loop" . }}{{ end }}{{ template "loop" 1 }}'


def _deep_in_python(levels: int, fn: Callable[[], str]) -> str:
    """`fn` called with `levels` Python frames already on the stack."""
    return fn() if levels == 0 else _deep_in_python(levels - 1, fn)


def test_template_recursion_5000_deep_renders() -> None:
    out = Template(COUNTDOWN).execute({})
    assert out == "".join(f"{n}," for n in range(5000, 0, -1))


def test_template_recursion_fails_at_gos_depth_limit() -> None:
    with pytest.raises(TemplateError) as e:
        Template(FOREVER, name="t").execute({})
    assert str(e.value) == 'template: t:1:31: executing "loop" at <{{template "loop" .}}>: exceeded maximum template depth (100000)'
    limit = '{{ define "d" }}{{ if lt . %d }}{{ template "d" (add1 .) }}{{ else }}{{ . }}{{ end }}{{ end }}{{ template "d" 0 }}'
    assert Template(limit % 99999).execute({}) == "99999"  # the deepest call Go allows
    with pytest.raises(TemplateError, match=r"exceeded maximum template depth \(100000\)"):
        Template(limit % 100000).execute({})


def test_depth_does_not_depend_on_the_callers_python_stack() -> None:
    """Called with most of Python's recursion limit already used, deep templates still run."""
    room = sys.getrecursionlimit() - 150
    assert _deep_in_python(room, lambda: Template(COUNTDOWN).execute({})).startswith("5000,4999,")
    nested = "{{ if true }}" * 3000 + "{{ with . }}{{ . }}{{ end }}" + "{{ end }}" * 3000
    assert _deep_in_python(room, lambda: Template(nested).execute("x")) == "x"


def test_deep_nesting_parses_and_runs() -> None:
    ranges = "{{ range $i := until 2 }}" * 4 + "{{ $i }}" + "{{ end }}" * 4
    assert Template(ranges).execute({}) == "01" * 8
    chain = "{{ if false }}a" + "{{ else if false }}b" * 3000 + "{{ else }}z{{ end }}"
    assert Template(chain).execute({}) == "z"
    breaks = "{{ range until 3 }}" + "{{ if true }}" * 2000 + "{{ break }}" + "{{ end }}" * 2000 + "x{{ end }}y"
    assert Template(breaks).execute({}) == "y"
    with pytest.raises(TemplateError, match="unexpected EOF"):
        Template("{{ if true }}" * 3000)


def test_parenthesised_pipelines_are_capped_with_a_clear_error() -> None:
    from renderer.gotemplate.parse import MAX_PAREN_DEPTH

    deep = "{{ " + "(" * MAX_PAREN_DEPTH + "1" + ")" * MAX_PAREN_DEPTH + " }}"
    assert Template(deep).execute({}) == "1"
    calls = "{{ upper " + "(lower " * (MAX_PAREN_DEPTH - 1) + '"A"' + ")" * (MAX_PAREN_DEPTH - 1) + " }}"
    assert Template(calls).execute({}) == "A"
    for depth in (MAX_PAREN_DEPTH + 1, 20_000):
        with pytest.raises(TemplateError, match=r"^template: t:1: max expression depth exceeded \(sluice nests at most"):
            Template("{{ " + "(" * depth + "1" + ")" * depth + " }}", name="t")


def test_deep_recursion_keeps_the_step_budget() -> None:
    with pytest.raises(BudgetExceeded, match="execution stopped after 1000 steps"):
        Template(COUNTDOWN, max_steps=1000).execute({})
    with pytest.raises(BudgetExceeded, match="output larger than 100 characters"):
        Template(COUNTDOWN, max_output=100).execute({})


def test_values_nested_past_pythons_stack_fail_cleanly() -> None:
    """Printing or encoding a value walks it on Python's stack: a value nested thousands
    deep fails with a TemplateError, not a RecursionError."""
    deep = "{{ $l := list }}{{ range until 5000 }}{{ $l = list $l }}{{ end }}"
    for action in ("{{ $l }}", "{{ toJson $l }}", "{{ deepEqual $l $l }}"):
        with pytest.raises(TemplateError, match="nested too deeply to evaluate"):
            Template(deep + action, name="t").execute({})
