"""sluice's Go template interpreter against real Go (Helm's engine, in process).

Generated snippets (actions, pipelines, nested calls of builtins and Sprig functions, over
data of every JSON type; and, in a second test, the same with a piece of syntax cut out or
put in) render through both; outputs must be equal, or both must fail with the same error:
the same kind (parse or execution), line, column, template, node and message once Helm's
rewording of Go's message is read back (tests/gotemplate_oracle.py lists each
normalisation and why). Hand-written cases cover issue 14's list, error wording, template
depth (Go's 100000) and Sprig's AES.
Exclusions, all forced by the oracle being Helm rather than bare text/template: the
functions Helm replaces (`toYaml`, `fromYaml`, `fromYamlArray`, `toJson`'s error form,
`fromJson`, `include`, `tpl`, `required`, `lookup`) are never generated, and Helm renders
with `missingkey=zero` and erases `<no value>`, so the sluice side does the same here (Argo
CD's `missingkey=default` is covered by test_gotemplate.py); `keys`/`values` (Go's random
map order) and merges of data into itself (a cyclic value crashes Go's fmt) are not
generated either (tests/gotemplate_oracle.py says why); `{{end}}`, `{{else}}` and
`{{define}}` are not put into snippets (each snippet is a define of its own in the oracle;
hand-written cases cover them at top level). Deterministic: a fixed derandomized search with
a modest example count; `bench/gotemplate_agreement.py` runs many more and prints the
agreement rates of values and of errors.
"""
from __future__ import annotations

import base64

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gotemplate_oracle import broken_cases, cases, go_string_literal, helm_available, render_helm, render_sluice
from renderer.gotemplate.parse import MAX_PAREN_DEPTH

pytestmark = pytest.mark.skipif(not helm_available(), reason="helm-python-sdk is not installed")


@settings(max_examples=25, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(cases, min_size=20, max_size=20))
def test_sluice_agrees_with_go(batch: list[tuple[str, object]]) -> None:
    go = render_helm(batch)
    for i, ((text, data), expected) in enumerate(zip(batch, go)):
        got = render_sluice(text, data, i)
        assert got.agrees(expected), f"{text!r} on {data!r}: Go {expected}, sluice {got}"


@settings(max_examples=15, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(broken_cases, min_size=20, max_size=20))
def test_syntax_errors_agree_with_go(batch: list[tuple[str, object]]) -> None:
    """Snippets with a piece of syntax cut out or put in: Go's lexer and parser report the
    first problem they reach, in the order they reach it; so must sluice's."""
    go = render_helm(batch)
    for i, ((text, data), expected) in enumerate(zip(batch, go)):
        got = render_sluice(text, data, i)
        assert got.agrees(expected), f"{text!r} on {data!r}: Go {expected.error_key}, sluice {got.error_key}"


# The disagreements issue 14 lists, each checked against Go rather than against a
# hand-written expectation.
ISSUE_CASES = [
    '{{ .ключ }}|{{ $вар := 1 }}{{ $вар }}',
    '{{ regexReplaceAll "a*" "baaac" "X" }}',
    '{{ regexFindAll "a*" "baaac" -1 }}',
    '{{ regexSplit "a*" "baaac" -1 }}',
    '{{ regexFind "[[:alpha:]]+" "12ab3" }}',
    '{{ regexMatch `^\\d+$` "12\\n" }}',
    '{{ regexFind `\\p{Han}+` "x漢字y" }}',
    '{{ regexFind `\\d+` "٣12" }}',
    '{{ regexReplaceAll "(?P<n>b)" "abc" "<${n}$1$$>" }}',
    '{{ typeOf (regexSplit "," "a,b" -1) }}',
    '{{ addf 0.1 0.2 }}|{{ subf 0.3 0.1 }}|{{ mulf 0.1 3 }}|{{ divf 1 3 }}',
    '{{ divf 1 0 }}',
    '{{ typeOf (add 1 2) }}|{{ add 9223372036854775807 1 }}',
    '{{ int "012" }}|{{ int64 "0x1F" }}|{{ atoi " 42" }}|{{ atoi "42" }}|{{ float64 " 1.5" }}',
    '{{ seq 0 }}|{{ seq 3 }}|{{ seq 5 2 }}',
    '{{ has 2 (list 2.0) }}|{{ uniq (list 1 true 1.0 1) }}',
    '{{ typeOf (splitList "," "a,b") }}|{{ typeOf (split "," "a,b") }}|{{ typeOf (until 2) }}|{{ typeOf (keys (dict "a" 1)) }}',
    '{{ rest (list) }}|{{ initial (list) }}|{{ first (list) }}',
    '{{ until 3.0 }}',
    '{{ range $i, $e := 3 }}{{ $i }}{{ end }}',
    '{{ range 3 }}{{ . }}{{ end }}',
    '{{ 99999999999999999999 }}',
    '{{ 1e400 }}',
    '{{ printf "%T %v" 2i 2i }}',
    '{{ chunk 2 (list 1 2 3) }}',
    '{{ mustSlice (list 1 2 3) 1 }}',
    '{{ uniq .missing }}',
    '{{ sortAlpha .missing }}|{{ sortAlpha "b" }}',
    '{{ concat (list 1) .missing }}',
    '{{ mulf -1.25 0 }}',
    # argument types checked before the call, as Go's reflect-based call does
    '{{ plural .missing "x" 2 }}', '{{ round 1.5 "s" }}', '{{ list nil 2 }}|{{ not nil }}|{{ eq nil nil }}',
    '{{ hasKey nil "a" }}|{{ keys nil }}', '{{ omit . 1 }}', '{{ trunc 1e100 "abc" }}',
    # printf
    '{{ printf "%08s|%-08d|%08.3f|%#08x|%+q|%#U|%x|%X" "ab" 5 1.5 255 "é" 0x1F600 3.0 -0.1 }}',
    '{{ printf "%#v" (list 1 "a" nil (dict "k" 2.5)) }}|{{ printf "%5v|%05d" (list 1 2) (list 1 -2) }}',
    '{{ printf "%[2]s %[1]s|%[x]d|%.*d|%-*d" "a" "b" 1 2 3 }}|{{ printf "%!|%z|%" 1 }}|{{ printf "%d" 1 2 nil }}',
    '{{ printf "%v %d %s" (float64 "inf") (list nil 1) (dict "a" nil) }}|{{ float64 "-inf" }}',
    # strings
    '{{ upper "ßaǅ" }}|{{ lower "İAǅ" }}|{{ swapcase "aBǅß" }}|{{ trim "\u00a0 x\u2003" }}|{{ nospace "a\u00a0b é" }}',
    '{{ snakecase "HTTP20xOK" }}|{{ kebabcase "Bld4Floor3rd" }}|{{ camelcase "_complex__case_" }}|{{ snakecase "%T" }}',
    '{{ trunc 2 "漢字" }}|{{ substr 1 4 "漢字" }}|{{ abbrevboth 5 10 "1234567890abcdefghij" }}|{{ abbrev 5 "漢字abcdef" }}',
    '{{ js "a\nb<é\u00a0\"" }}|{{ .missing | urlquery }}',
    '{{ b64dec "YWJj=" }}|{{ b64dec "YQ==YQ==" }}|{{ b32dec "MFRGG" }}|{{ b32dec "ME======" }}',
    # urls, hello
    '{{ urlParse "https://u:p@h.example:8/p?q=1#f" }}|{{ urlParse "a:b" }}|{{ urlParse "/a%20b?x#y%21" }}',
    '{{ urlParse "http://h:x/" }}', '{{ urlParse "a%zz" }}',
    '{{ urlJoin (dict "scheme" "https" "host" "h" "path" "/p q" "query" "a=1" "fragment" "f g" "userinfo" "u:p") }}',
    '{{ derivePassword 1 "long" "password" "user" "example.com" }}|{{ derivePassword 1 "pin" "p" "u" "s" }}|{{ derivePassword 1 "x" "p" "u" "s" }}',
    '{{ semverCompare "1.2 - 1.4" "1.3.0" }}|{{ semverCompare "1.2 - 1.4.0" "1.4.1" }}|{{ semverCompare ">= 1.2 < 2" "1.5.0" }}',
    '{{ semverCompare "<1 || >=3" "3.1.0" }}|{{ semverCompare "*" "1.0.0-rc1" }}|{{ semverCompare ">=1.21-0" "1.22.0-eks-1" }}',
    '{{ semverCompare "^0.2.3" "0.3.0" }}|{{ semverCompare "~1" "1.9.0" }}|{{ semverCompare "^0.0.3" "0.0.4" }}',
    '{{ semver "1.2.3" }}|{{ (semver "v1.2.3-rc.1+m").String }}|{{ (semver "1.2").Major }}|{{ typeOf (semver "1.2.3") }}',
    '{{ (semver "1.2.3").IncMinor }}|{{ typeOf (semver "1.2.3").IncPatch }}|{{ (semver "1.2.3").Compare (semver "1.3.0") }}',
    '{{ $v := semver "2.0.0" }}{{ $v.GreaterThan (semver "1.0.0") }}|{{ printf "%v|%q" $v $v }}',
    '{{ (semver "v1.2.3-a").IncPatch.Original }}', '{{ (semver "1.2.3").Compare }}', '{{ (semver "1.2.3").Compare "1.3.0" }}',
    '{{ semver "v1.2.3-rc.1" | toJson }}|{{ toPrettyJson (list (semver "1.2")) }}',
    '{{ 1 | }}|{{ $x := 2 | }}{{ $x }}', '{{ if false }}{{ $nope }}{{ end }}', '{{ if true }}{{ $y := 1 }}{{ end }}{{ $y }}',
    '{{ hello }}|{{ typeOf (int64 3.0) }}|{{ kindOf (mul 2 3) }}|{{ slice (list 1 2 3) "1" }}|{{ typeOf (slice (list)) }}',
    # found by the error comparison: values that differed where both happened to fail before
    '{{ camelcase "HelloWorld" }}|{{ camelcase "aBC dEF" }}|{{ camelcase "ǅX_ß" }}|{{ camelcase "/ Z}\u2003ZXZ" }}|{{ camelcase "AB1C_DE-fG hIJ" }}',
    '{{ splitn "" 2 "abc" }}|{{ splitn "" -1 "héllo" }}|{{ splitn "" 0 "abc" }}|{{ typeOf (chunk 2 (list 1 2 3)) }}',
    '{{ round -1.25 1000 }}|{{ round 1.25 -1000 }}|{{ semver "01.2.3" }}|{{ semver "v1" }}',
    '{{ wrapWith 2 "" "%U %#U" }}|{{ wrap 3 "abcdefgh ij" }}|{{ wrapWith 3 "|" "abcdefgh ij" }}|{{ wrap 0 "  a  b " }}|{{ wrapWith 2 "-" "漢字" }}',
    '{{ typeOf ("~1.2.3" | sortAlpha | deepCopy) }}|{{ range $e := add 0 3 }}{{ typeOf $e }}{{ end }}',
    '{{ typeOf (index "abc" 1) }}|{{ eq (index "abc" 0) 97 }}|{{ printf "%c %v %T" (index "é" 0) (index "é" 1) (index "a" 0) }}',
    '{{ printf "%b|%b|%b|%b|%b" -1.1125369292536007e-308 0.0 1.0 -0.0 5e-324 }}',
    '{{ initials "ß К é" }}|{{ merge (dict "a" 1) (dict "a" nil "b" nil) }}|{{ mergeOverwrite (dict "a" 1) (dict "a" nil "b" nil) }}',
    '{{ mergeOverwrite (dict "a" 1 "c" (dict "x" 1)) (dict "a" "" "c" nil) }}|{{ merge (dict "a" (dict "x" 1)) (dict "a" (dict "x" 2 "y" nil)) }}',
    '{{ mergeOverwrite (dict "a" (list 1) "b" (list 3)) (dict "a" (list 2) "b" (list)) }}|{{ merge (dict "a" (dict)) (dict "a" 5) }}',
]


def test_issue_cases_agree_with_go() -> None:
    go = render_helm([(text, {}) for text in ISSUE_CASES])
    for i, (text, expected) in enumerate(zip(ISSUE_CASES, go)):
        got = render_sluice(text, {}, i)
        assert got.agrees(expected), f"{text!r}: Go {expected}, sluice {got}"


# Issue 14's error wording: each must fail in both, with the same stable part of the message.
ERROR_CASES = [
    '{{ upper }}', '{{ upper "a" "b" }}', '{{ and }}', '{{ index (list 1) 5 }}', '{{ index . "a" "b" }}',
    '{{ .a.b }}', '{{ .ключ.x }}', '{{ $.a.b.c }}', '{{ (list 1).a }}', '{{ (1).a }}', '{{ upper (list 1) }}',
    '{{ range $i, $e := (list 1 nil) }}{{ upper $e }}{{ end }}', '{{ range (list 1 nil) }}{{ upper . }}{{ end }}',
    '{{ range $i, $e := `raw` }}{{ end }}', '{{ range $i, $e := 3 }}{{ end }}', '{{ template "nope" }}',
    '{{ $.a | len }}', '{{ len .a }}',
    '{{ eq (list 1) (list 1) }}', '{{ eq (list 1) (dict) }}', '{{ eq (dict "a" 1) (list 2.5) }}', '{{ eq 1 (list 1) }}',
    '{{ lt 1 true }}', '{{ ne 012 "a" }}', '{{ range $e := add 0 3 }}{{ len $e }}{{ end }}',
    '{{ compact 0 }}', '{{ prepend "s" 1 }}', '{{ chunk 3 (dict) }}', '{{ append 1 2 }}', '{{ first 1 }}',
    '{{ dig "a" "b" 0.5 }}', '{{ dig "a" "b" nil }}', '{{ dig 1 "b" (dict) }}', '{{ dig "a" "b" "d" (dict "a" 1) }}',
    '{{ index "abc" 0 | until }}', '{{ ne (index "a" 0) 97.0 }}', '{{ "\\\'" }}', "{{ '\\\"' }}",
    '{{ regexFind "*" "" }}', '{{ mustRegexFind "(" "" }}', '{{ regexSplit "a{2,1}" "" -1 }}', '{{ regexReplaceAll "x**" "" "" }}',
    '{{ mustRegexMatch "(?P<>a)" "" }}', '{{ regexFindAll "[z-a]" "" 1 }}', '{{ mustRegexMatch "(?i" "" }}', '{{ regexFind "`(" "" }}',
    '{{ semverCompare "a,b,c" "x" }}', '{{ semverCompare ">1 || a b" "1.0.0" }}', '{{ semverCompare " >= 1.2 , foo" "1" }}',
    '{{ "a".b }}', '{{ 99999999999999999999 }}', '{{ .a 1 }}', '{{ (list 1) 2 }}', '{{ 1 2 }}', '{{ nil }}',
    '{{ $x := 1 }}{{ $x 2 }}', '{{ upper nil }}', '{{ printf }}', '{{ not }}', '{{ slice }}', '{{ round 1.5 "s" }}',
    '{{ (semver "1.2.3").Compare }}', '{{ (semver "1.2.3").Compare "1.3.0" }}', '{{ (semver "1.2.3").Nope }}',
    '{{ contains.x1 }}', '{{ hello.x }}', '{{ list.x }}', '{{ upper hello.x }}', '{{ urlParse.a }}',
    # parse errors
    '{{ (1 }}', '{{ 1) }}', '{{ if }}', '{{ nope }}', '{{ "a" : 1 }}', '{{ end }}', '{{ if 1 }}x',
    '{{ if 1 }}{{ else }}{{ else }}{{ end }}', '{{ range 1 }}{{ else if 1 }}{{ end }}', '{{ break }}',
    '{{ with 1 }}{{ else if 1 }}{{ end }}', '{{ template }}', '{{ block "b" }}{{ end }}', '{{ 1 | | upper }}',
    '{{ .a | 1 }}', '{{}}', '{{ 09 }}', '{{ $nope }}', '{{ $x := 1 }}{{ $x = }}', '{{ range $a, $b, $c := . }}{{ end }}',
]


def test_error_cases_agree_with_go() -> None:
    go = render_helm([(text, {"a": None}) for text in ERROR_CASES])
    for i, (text, expected) in enumerate(zip(ERROR_CASES, go)):
        got = render_sluice(text, {"a": None}, i)
        assert got.output is None and expected.output is None, f"{text!r}: Go {expected}, sluice {got}"
        assert got.agrees(expected), f"{text!r}: Go {expected.error_key}, sluice {got.error_key}"


# Template depth as Go runs it at its top level (each case is a whole chart file, so the
# oracle adds no template call of its own): Go allows 100000 nested calls. The files share
# one set of templates, so each defines its own names.
DEPTH_CASES = [
    '{{ define "x" }}{{ upper 1 }}{{ end }}{{ template "x" }}', '{{ else }}', '{{ define "y" }}{{ else }}{{ end }}',
    '{{ define "down" }}{{ if gt . 0 }}{{ . }},{{ template "down" (sub . 1) }}{{ end }}{{ end }}{{ template "down" 5000 }}',
    '{{ define "walk" }}{{ if . }}[{{ template "walk" (first .) }}]{{ end }}{{ end }}'
    '{{ $l := list }}{{ range until 5000 }}{{ $l = list $l }}{{ end }}{{ template "walk" $l }}',
    '{{ define "loop" }}{{ template "loop" . }}{{ end }}{{ template "loop" 1 }}',
    '{{ define "d1" }}{{ if lt . 99999 }}{{ template "d1" (add1 .) }}{{ else }}{{ . }}{{ end }}{{ end }}{{ template "d1" 0 }}',
    '{{ define "d2" }}{{ if lt . 100000 }}{{ template "d2" (add1 .) }}{{ else }}{{ . }}{{ end }}{{ end }}{{ template "d2" 0 }}',
    '{{ define "e" }}{{ if gt . 0 }}{{ template "e" (sub . 1) }}{{ else }}{{ index (list) 1 }}{{ end }}{{ end }}{{ template "e" 3000 }}',
    "{{ if true }}" * 5000 + "x" + "{{ end }}" * 5000,
    "{{ with 7 }}" * 3000 + "{{ . }}" + "{{ end }}" * 3000,
    "{{ range $i := until 1 }}" * 3000 + "{{ $i }}" + "{{ end }}" * 3000,
    "{{ if false }}a" + "{{ else if false }}b" * 3000 + "{{ else }}z{{ end }}",
    "{{ if true }}" * 3000 + "x",
    "{{ " + "(" * MAX_PAREN_DEPTH + "1" + ")" * MAX_PAREN_DEPTH + " }}",
    "{{ upper " + "(lower " * (MAX_PAREN_DEPTH - 1) + '"A"' + ")" * (MAX_PAREN_DEPTH - 1) + " }}",
]


def test_template_depth_agrees_with_go() -> None:
    go = render_helm([(text, {}) for text in DEPTH_CASES], wrap=False)
    for i, (text, expected) in enumerate(zip(DEPTH_CASES, go)):
        got = render_sluice(text, {}, i, wrap=False)
        assert got.agrees(expected), f"{text[:80]!r}: Go {expected.output!r:.80} {expected.error_key}, sluice {got.output!r:.80} {got.error_key}"


def test_paren_depth_beyond_sluices_cap() -> None:
    """Go nests 10000 parenthesised pipelines; sluice refuses past MAX_PAREN_DEPTH with a
    parse error that says so (the one documented difference), and past Go's own limit both
    refuse with the same words first."""
    texts = ["{{ " + "(" * n + "1" + ")" * n + " }}" for n in (MAX_PAREN_DEPTH + 1, 10_001)]
    go = render_helm([(t, {}) for t in texts], wrap=False)
    assert go[0].output == "1"
    assert go[1].error_key[-1] == "max expression depth exceeded"
    for i, text in enumerate(texts):
        got = render_sluice(text, {}, i, wrap=False)
        assert got.error.startswith(f"template: c/templates/case{i}.txt:1: max expression depth exceeded (sluice nests at most")


# Sprig's AES: decryptAES of what Go encrypted, and Go's decryptAES of what sluice
# encrypted, give the text back (encryptAES draws a random IV, so its output is checked
# only by decrypting it). The errors that need no cipher run everywhere.
try:
    import cryptography  # noqa: F401
    HAVE_AES = True
except ImportError:
    HAVE_AES = False
needs_aes = pytest.mark.skipif(not HAVE_AES, reason="the 'cryptography' package is not installed: sluice has no AES without it")

_AES_TEXT = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=40)
_AES_PASSWORD = st.one_of(st.sampled_from(["", "k", "x" * 31, "y" * 32, "z" * 33, "pässwörd-漢字-" * 3]), _AES_TEXT)


@needs_aes
@settings(max_examples=10, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.tuples(_AES_PASSWORD, _AES_TEXT), min_size=8, max_size=8))
def test_aes_round_trips_with_go(pairs: list[tuple[str, str]]) -> None:
    go = render_helm([(f"{{{{ encryptAES {go_string_literal(p)} {go_string_literal(t)} }}}}", {}) for p, t in pairs])
    for (password, text), sealed in zip(pairs, go):
        assert sealed.output is not None, sealed.error
        got = render_sluice(f"{{{{ decryptAES {go_string_literal(password)} {go_string_literal(sealed.output)} }}}}", {})
        assert got.output == text
    ours = [render_sluice(f"{{{{ encryptAES {go_string_literal(p)} {go_string_literal(t)} }}}}", {}) for p, t in pairs]
    back = render_helm([(f"{{{{ decryptAES {go_string_literal(p)} {go_string_literal(o.output or '')} }}}}", {}) for (p, _), o in zip(pairs, ours)])
    assert [b.output for b in back] == [t for _, t in pairs]


@needs_aes
def test_aes_padding_errors_agree_with_go() -> None:
    texts = [f'{{{{ decryptAES "k" "{base64.b64encode(bytes([n]) * 32).decode()}" }}}}' for n in range(0, 256, 17)]
    go = render_helm([(t, {}) for t in texts])
    for i, (text, expected) in enumerate(zip(texts, go)):
        assert render_sluice(text, {}, i).agrees(expected), text


def test_aes_input_errors_agree_with_go() -> None:
    """Go's failures before any cipher runs: bad base64, short input, partial blocks."""
    blobs = ["", "abc", "YWJj", base64.b64encode(bytes(16)).decode(), base64.b64encode(bytes(20)).decode(), "A" * 5 + "="]
    texts = [f'{{{{ decryptAES "k" "{b}" }}}}' for b in blobs] + ['{{ encryptAES "k" "" }}', "{{ decryptAES 1 2 }}"]
    go = render_helm([(t, {}) for t in texts])
    for i, (text, expected) in enumerate(zip(texts, go)):
        assert render_sluice(text, {}, i).agrees(expected), f"{text}: Go {expected}"
