"""Loading and dumping YAML exactly as `kubectl kustomize` does, on the hot path.

Loading a resource follows kustomize's reader: kyaml parses with go-yaml v3, inflates
anchors and merge keys, and each resource later goes through v3's decoding into Go values.
So a plain scalar resolves as go-yaml v3 does (neither YAML 1.1 nor 1.2): `yes`/`on`/`y`
stay strings, `0777` is 511, `1_000` is 1000, `0x1F` is 31, and a date becomes the RFC 3339
string Go's JSON encoder writes for a time.Time. Kustomize reads its own files
(kustomization.yaml, JSON patches) through sigs.k8s.io/yaml instead, i.e. go-yaml v2: that
is `dialect="config"` (duplicate keys allowed, `yes` a bool, dates kept as written).

Parsing itself is libyaml's (PyYAML's C parser: the grammar go-yaml ported), read as events
so that this module builds plain dicts and lists directly, bounds nesting and alias
expansion, and names the line of every error.

Dumping lives in `renderer.core.yaml_emit` (go-yaml v2's emitter after kustomize's JSON round
trip).
"""
from __future__ import annotations

import base64
import binascii
import math
import re
import struct
from typing import Any, Callable, Iterable, Literal

from yaml import YAMLError
from yaml._yaml import CParser
from yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
    StreamStartEvent,
)

from renderer.core.yaml_emit import (
    INT64_MAX,
    INT64_MIN,
    NOT_A_NUMBER,
    format_go_g,
    format_rfc3339nano,
    parse_timestamp,
    resolve_dot_float,
    resolve_number,
)
from renderer.core.yaml_emit import dump_document as _dump_document
from renderer.core.yaml_emit import dump_documents as _dump_documents
from renderer.core.errors import InputError, RenderError
from renderer.core.sizes import bounded_size

__all__ = ["load_documents", "load_documents_with_lines", "top_level_item_lines", "dump_document", "dump_documents",
           "Dialect", "BlankNullMap", "blank_nulls"]

Dialect = Literal["resource", "config"]
"""How kustomize reads a file: "resource" (kyaml, go-yaml v3: resources, patches merged
as resources) or "config" (sigs.k8s.io/yaml, go-yaml v2: kustomization.yaml, JSON 6902
patches, other configuration it unmarshals into Go structs)."""

MAX_DEPTH = 300
"""Deepest nesting accepted (go-yaml allows 10000). libyaml's scanner is quadratic in flow
depth, so the reader stops early instead of hanging, and the recursive copy and dump stay
within Python's default recursion limit; real manifests stay far below this."""

MAX_ALIAS_NODES = 100_000
"""Alias expansion budget per document (nodes copied), unless the document itself is ten
times larger: kustomize copies every alias, so a "billion laughs" must fail fast. A long
scalar weighs one node per SCALAR_CHARS_PER_NODE characters: 2000 aliases of one 5 MB
string are 10 GB once printed, though only 2000 nodes."""

SCALAR_CHARS_PER_NODE = 64


def load_documents(text: str, source: str, *, dialect: Dialect = "resource") -> list[Any]:
    """Parse a YAML stream into plain values as kubectl does; empty/null documents dropped.

    Values are dict/list/str/int/float/bool/None. Raises InputError naming `source` and the
    line for malformed YAML, duplicate keys (resources), keys kubectl cannot print, tags
    go-yaml refuses, and alias bombs.
    """
    return [doc for doc, _line in _load(text, source, dialect)]


def load_documents_with_lines(text: str, source: str, *, dialect: Dialect = "resource") -> list[tuple[Any, int]]:
    """Like load_documents, with the 1-based line where each document's content starts."""
    return _load(text, source, dialect)


def top_level_item_lines(text: str, key: str) -> list[int]:
    """For the first document's top-level mapping: the 1-based line each item of the
    sequence under `key` (matched case-insensitively, as Go's JSON decoding matches field
    names) starts on; [] when there is none. Where a generator entry of a kustomization is
    written, for origins. Plain block layout is read from the text directly (a build reads
    every overlay's kustomization: this stays off the parser); anything else is parsed."""
    fast = _block_item_lines(text, key)
    if fast is not None:
        return fast
    return _parsed_item_lines(text).get(key.lower(), [])


def _block_item_lines(text: str, key: str) -> list[int] | None:
    """`top_level_item_lines` for a key written once at column 0 with a block sequence of
    `- ` items under it (comments and blank lines between); None for anything else (no such
    key, a flow or nested value, a tab, a document marker, an item whose node starts on a
    later line): the parser answers those."""
    if "\t" in text or "\n---" in text or text.startswith(("---", "%")):
        return None
    found = list(re.finditer(rf"(?mi)^{re.escape(key)}[ ]*:[ ]*(?:#.*)?$", text))
    if len(found) != 1:
        return None
    number = text.count("\n", 0, found[0].end()) + 1
    out: list[int] = []
    indent = -1
    for line in text[found[0].end():].split("\n")[1:]:
        number += 1
        stripped = line.lstrip(" ")
        if not stripped or stripped.startswith("#"):
            continue
        if line[0] != " " and line[0] != "-":
            break  # the next top-level key
        if not stripped.startswith("-"):
            if indent < 0:
                return None  # a nested mapping, not a sequence
            continue
        if stripped.rstrip() == "-" or not stripped.startswith("- "):
            return None
        level = len(line) - len(stripped)
        if indent < 0:
            indent = level
        if level == indent:
            out.append(number)
        elif level < indent:
            return None
    return out or None


def _parsed_item_lines(text: str) -> dict[str, list[int]]:
    """`top_level_item_lines` for every key, from the parser's events; {} for text that is
    not such a mapping (the loader reports malformed YAML itself)."""
    out: dict[str, list[int]] = {}
    try:
        get: Callable[[], Any] = CParser(text).get_event
        ev = get()
        while ev.__class__ is not MappingStartEvent:
            if ev is None or ev.__class__ in (StreamEndEvent, SequenceStartEvent, ScalarEvent, AliasEvent):
                return out
            ev = get()
        depth, key, items = 1, None, None  # depth 1: inside the top-level mapping
        expect_key = True
        while depth:
            ev = get()
            cls = ev.__class__
            if depth == 1:
                if cls is MappingEndEvent:
                    break
                if expect_key:
                    key = str(ev.value).lower() if cls is ScalarEvent else None
                    expect_key = False
                    if cls in (MappingStartEvent, SequenceStartEvent):
                        depth += 1
                    continue
                expect_key = True
                if cls is SequenceStartEvent and key is not None:
                    items = out.setdefault(key, [])
                    depth += 1
                    while True:  # the sequence's items, each skipped whole
                        ev = get()
                        if ev.__class__ is SequenceEndEvent:
                            break
                        items.append(ev.start_mark.line + 1)
                        _skip_node(get, ev)
                    depth -= 1
                elif cls in (MappingStartEvent, SequenceStartEvent):
                    _skip_node(get, ev)
                continue
            if cls in (MappingStartEvent, SequenceStartEvent):  # a complex key: skipped
                depth += 1
            elif cls in (MappingEndEvent, SequenceEndEvent):
                depth -= 1
    except (YAMLError, AttributeError):
        return {}
    return out


def _skip_node(get: Callable[[], Any], ev: Any) -> None:
    """Consume the rest of the node `ev` starts (nothing more for a scalar or alias)."""
    if ev.__class__ not in (MappingStartEvent, SequenceStartEvent):
        return
    depth = 1
    while depth:
        cls = get().__class__
        if cls in (MappingStartEvent, SequenceStartEvent):
            depth += 1
        elif cls in (MappingEndEvent, SequenceEndEvent):
            depth -= 1


MAX_OUTPUT_CHARS = 256 * 1024 * 1024
"""Most characters one dump may spell out, as one file may hold at most 256 MiB: values
shared by reference (an annotation every resource gets, a replacement written to many
fields) are small in memory and can be gigabytes once printed."""


def _check_output_size(objs: Any) -> None:
    if bounded_size(objs, MAX_OUTPUT_CHARS) > MAX_OUTPUT_CHARS:
        raise RenderError(f"the output would be larger than {MAX_OUTPUT_CHARS} characters (a large value repeated "
                          "across many resources or fields?)")


def dump_document(obj: Any) -> str:
    """One document formatted exactly as `kubectl kustomize` prints a resource (ends "\\n").

    Raises RenderError where kubectl fails too: NaN/infinite floats, strings holding DEL,
    C1 controls or U+FFFE/U+FFFF; and for a document larger than MAX_OUTPUT_CHARS.
    """
    _check_output_size(obj)
    return _dump_document(obj)


def dump_documents(objs: Iterable[Any]) -> str:
    """Documents joined exactly as `kubectl kustomize` joins them ("---\\n" between);
    RenderError when they would be larger than MAX_OUTPUT_CHARS."""
    objs = objs if isinstance(objs, (list, tuple)) else list(objs)
    _check_output_size(objs)
    return _dump_documents(objs)


# --------------------------------------------------------------------------------------
# Scalars: go-yaml's resolve(), v3 for resources and v2 for configuration
# --------------------------------------------------------------------------------------

_HINT = {c: "D" for c in "0123456789"}
_HINT.update({"+": "S", "-": "S", ".": "."})
_HINT.update({c: "M" for c in "yYnNtTfFoO~"})


def _words(*groups: tuple[str, Any, str]) -> dict[str, tuple[str, Any]]:
    table: dict[str, tuple[str, Any]] = {}
    for tag, value, words in groups:
        for w in words.split():
            table[w] = (tag, value)
    return table


_COMMON_WORDS = (
    ("!!bool", True, "true True TRUE"),
    ("!!bool", False, "false False FALSE"),
    ("!!null", None, "~ null Null NULL"),
    ("!!float", math.nan, ".nan .NaN .NAN"),
    ("!!float", math.inf, ".inf .Inf .INF +.inf +.Inf +.INF"),
    ("!!float", -math.inf, "-.inf -.Inf -.INF"),
)
_V3_WORDS = _words(*_COMMON_WORDS)
_V2_WORDS = _words(
    *_COMMON_WORDS,
    ("!!bool", True, "y Y yes Yes YES on On ON"),
    ("!!bool", False, "n N no No NO off Off OFF"),
)
_V3_PLAIN = {w: v for w, (_t, v) in _V3_WORDS.items()}
_WORD_START = frozenset("yYnNtTfFoO~")  # hint 'M': a string unless one of the words
_V2_PLAIN = {w: v for w, (_t, v) in _V2_WORDS.items()}
_MISSING: Any = object()

_STR, _BINARY, _TIMESTAMP = "!!str", "!!binary", "!!timestamp"
_RESOLVABLE = frozenset(("!!bool", "!!int", "!!float", "!!null", _TIMESTAMP))
_LONG_PREFIX = "tag:yaml.org,2002:"


_BREAK_CHARS = "\n\r\x85\u2028\u2029"


def _go_printable(ch: str) -> bool:
    """go-yaml's is_printable (tab is counted apart; characters beyond the BMP are not)."""
    o = ord(ch)
    return o == 0x0A or 0x20 <= o <= 0x7E or 0xA0 <= o <= 0xD7FF or (0xE000 <= o <= 0xFFFD and o != 0xFEFF)


def _go_block_allowed(value: str) -> bool:
    """Whether go-yaml v3's emitter may write `value` as a block scalar (analyze_scalar): not
    when empty, ending in a space, holding a space right before a line break, or holding a
    character it cannot print (it writes a double-quoted scalar then, read back unchanged)."""
    if not value or value[-1] == " ":
        return False
    previous_space = False
    for ch in value:
        if ch == " ":
            previous_space = True
            continue
        if ch in _BREAK_CHARS and previous_space:
            return False
        if ch != "\t" and not _go_printable(ch):
            return False
        previous_space = False
    return True


def _go_folded_text(value: str) -> str:
    """A folded scalar holding `value` as go-yaml v3 writes it (no line width), under a key.

    Its writer means to add a line break before a line that does not start with a blank (so
    the reader does not fold it into a space), but looks at the first line of the whole value
    (past any leading breaks) instead of the next line: when that starts with a non-blank,
    every line that does not start with a blank gets the extra break, also before a
    more-indented line, which the reader keeps as an empty line.
    """
    hints = "2" if value[0] == " " or value[0] in _BREAK_CHARS else ""
    if value[-1] not in _BREAK_CHARS:
        hints += "-"
    elif len(value) == 1 or value[-2] in _BREAK_CHARS:
        hints += "+"
    out = ["k: >", hints, "\n"]
    first = value.lstrip(_BREAK_CHARS)[:1]  # the first character after any leading breaks
    extra = first != "" and first not in " \t"
    breaks = leading_spaces = True
    for ch in value:
        if ch in _BREAK_CHARS:
            if extra and ch == "\n" and not breaks and not leading_spaces:
                out.append("\n")
            out.append(ch)
            breaks = True
            continue
        if breaks:
            out.append("  ")
            leading_spaces = ch in " \t"
        out.append(ch)
        breaks = False
    if not breaks:  # what follows the scalar starts on a line of its own
        out.append("\n")
    return "".join(out)


def _go_folded(value: str) -> str:
    """A folded scalar's value after kyaml's round trip: kustomize marshals a resource to JSON
    by writing its YAML with go-yaml v3 (folded style kept) and reading that back, once."""
    if not _go_block_allowed(value):
        return value
    parser = CParser(_go_folded_text(value))
    key_seen = False
    while True:
        ev = parser.get_event()
        if ev is None:  # pragma: no cover - the text always holds the scalar
            return value
        if ev.__class__ is ScalarEvent:
            if key_seen:
                return str(ev.value)
            key_seen = True


class _ScalarError(Exception):
    """A scalar that go-yaml refuses; turned into an InputError with its line."""


def _timestamp_text(s: str) -> str | None:
    """v3: a timestamp decodes to a time.Time, which JSON writes in RFC 3339."""
    ts = parse_timestamp(s)
    if ts is None:
        return None
    try:
        return format_rfc3339nano(ts)
    except ValueError as e:
        raise _ScalarError(f"a timestamp ({len(s)} characters, not shown) cannot be printed: {e}") from None


def _plain_resolver(words: dict[str, Any], v3: bool) -> Callable[[str], Any]:
    """An untagged plain scalar as go-yaml decodes it into an interface{}: v3 (resources)
    turns timestamps into RFC 3339 text; v2 (kustomization files) has YAML 1.1 booleans
    and keeps a timestamp as the text it was written as."""

    def resolve(s: str) -> Any:
        if not s:
            return None
        hint = _HINT.get(s[0])
        if hint is None:
            return s
        v = words.get(s, _MISSING)
        if v is not _MISSING:
            return v
        if hint == "M":
            return s
        if hint == ".":
            f = resolve_dot_float(s)
            return s if f is None else f
        if v3 and s[:4].isdigit():
            t = _timestamp_text(s)
            if t is not None:
                return t
        n = resolve_number(s, v3)
        return s if n is NOT_A_NUMBER else n

    return resolve


_resolve_plain_v3 = _plain_resolver(_V3_PLAIN, True)
_resolve_plain_v2 = _plain_resolver(_V2_PLAIN, False)


def _resolve_with_tag(tag: str, s: str, v2: bool) -> tuple[str, Any]:
    """go-yaml resolve(tag, s) for an explicit !!bool/!!int/!!float/!!null/!!timestamp."""
    if not s:
        return "!!null", None
    hint = _HINT.get(s[0])
    if hint is None:
        return _STR, s
    w = (_V2_WORDS if v2 else _V3_WORDS).get(s)
    if w is not None:
        return w
    if hint == "M":
        return _STR, s
    if hint == ".":
        f = resolve_dot_float(s)
        return (_STR, s) if f is None else ("!!float", f)
    if tag == _TIMESTAMP and s[:4].isdigit():
        if v2:
            if parse_timestamp(s) is not None:
                return _TIMESTAMP, s
        else:
            t = _timestamp_text(s)
            if t is not None:
                return _TIMESTAMP, t
    n = resolve_number(s, not v2)
    if n is NOT_A_NUMBER:
        return _STR, s
    return ("!!float", n) if type(n) is float else ("!!int", n)


def _decode_binary(s: str) -> str:
    """!!binary: Go's base64 (newlines ignored), then bytes as Go's JSON encoder writes them
    (each byte of invalid UTF-8 becomes U+FFFD)."""
    try:
        data = base64.b64decode(s.replace("\n", "").replace("\r", ""), validate=True)
    except (binascii.Error, ValueError):
        raise _ScalarError("!!binary value contains invalid base64 data") from None
    text = data.decode("utf-8", "surrogateescape")
    if any("\udc80" <= c <= "\udcff" for c in text):
        text = "".join("\ufffd" if "\udc80" <= c <= "\udcff" else c for c in text)
    return text


def _tagged_scalar(tag: str, s: str, plain: bool, v2: bool) -> Any:
    """A scalar with an explicit tag, as go-yaml decodes it into an interface{}."""
    if tag == "!":  # the non-specific tag: go-yaml treats it like no tag
        if not plain:
            return s
        return _resolve_plain_v2(s) if v2 else _resolve_plain_v3(s)
    if tag.startswith(_LONG_PREFIX):
        tag = "!!" + tag[len(_LONG_PREFIX):]
    if tag == _STR:
        return s
    if tag == _BINARY:
        return _decode_binary(s)
    if tag not in _RESOLVABLE:  # unknown and local tags leave the text as a string
        return s
    rtag, value = _resolve_with_tag(tag, s, v2)
    if rtag == tag:
        return value
    if tag == "!!float" and rtag == "!!int" and INT64_MIN <= value <= INT64_MAX:
        return float(value)  # go-yaml widens an int64 only; a uint64 fails as below
    # the value is not quoted: the reader cannot know yet whether it is in a Secret
    raise _ScalarError(f"cannot decode a {rtag} scalar ({len(s)} characters, not shown) as a {tag}")


def _float32_key(f: float) -> str:
    """sigs.k8s.io/yaml's text for a float map key: strconv.FormatFloat(f, 'g', -1, 32)."""
    if math.isnan(f):
        return ".nan"
    try:
        f32 = struct.unpack("f", struct.pack("f", f))[0]
    except OverflowError:
        f32 = math.inf if f > 0 else -math.inf
    if math.isinf(f32):
        return ".inf" if f32 > 0 else "-.inf"
    if f32 == 0:
        return "-0" if math.copysign(1.0, f32) < 0 else "0"
    for prec in range(1, 10):
        text = f"{f32:.{prec - 1}e}"
        if struct.unpack("f", struct.pack("f", float(text)))[0] == f32:
            break
    mant, _, exp = text.partition("e")
    digits = mant.replace(".", "").replace("-", "").rstrip("0") or "0"
    return format_go_g(f32 < 0, digits, int(exp) + 1)


# --------------------------------------------------------------------------------------
# Documents: events to plain values
# --------------------------------------------------------------------------------------

_SEPARATOR = re.compile(r"\n---(.*)\n")


def _check_separators(text: str, source: str) -> None:
    """kyaml splits a stream at lines starting with "---" and refuses any content after the
    marker but a comment (`--- {a: 1}` is valid YAML, yet kustomize rejects it)."""
    if "\n---" not in text:
        return
    if "\r\n" in text:
        text = text.replace("\r\n", "\n")
    for m in _SEPARATOR.finditer(text):
        rest = m.group(1).strip()
        if rest and not rest.startswith("#"):
            raise InputError(
                f"invalid document separator: {('---' + m.group(1)).strip()}"
                " (kustomize allows only a comment after ---; put the content on the next line)",
                file=source,
                line=text.count("\n", 0, m.start()) + 2,
            )


def _yaml_error(e: YAMLError, text: str, source: str) -> InputError:
    """A libyaml error as an InputError naming the line."""
    mark = getattr(e, "problem_mark", None)
    problem = getattr(e, "problem", None)
    line: int | None = None
    if mark is not None:
        line = mark.line + 1
    elif isinstance(getattr(e, "position", None), int):  # ReaderError: a character offset
        line = text.count("\n", 0, e.position) + 1  # type: ignore[attr-defined]
    if problem:
        msg = problem
        context = getattr(e, "context", None)
        cmark = getattr(e, "context_mark", None)
        if context:
            msg += f" ({context}" + (f" started at line {cmark.line + 1})" if cmark is not None else ")")
    else:
        msg = getattr(e, "reason", None) or str(e).splitlines()[0]
        char = getattr(e, "character", None)
        if isinstance(char, int):
            msg = f"character U+{char:04X} is not allowed: {msg}"
    if mark is not None and _tab_at(text, mark.line, mark.column):
        msg += "; YAML does not allow tabs for indentation, use spaces"
    return InputError(f"malformed YAML: {msg}", file=source, line=line)


def _tab_at(text: str, line: int, column: int) -> bool:
    """Whether the error position holds a tab (or the line is indented with one)."""
    lines = text.split("\n", line + 1)
    if line >= len(lines):
        return False
    src = lines[line]
    return src[column:column + 1] == "\t" or "\t" in src[: len(src) - len(src.lstrip(" \t"))]


class BlankNullMap(dict):  # type: ignore[type-arg]
    """A mapping read from YAML in which some values were written with no text at all (`key:`).

    Both that and `key: null` are null, but kyaml keeps a node's text, and a strategic merge
    that does not touch the field drops a null with no text while it keeps `null` or `~`
    (merge2's persistent nulls). The keys whose value had no text ride along with the mapping;
    a deep copy keeps them, and a rebuilt mapping (as after a JSON round trip) does not.
    """

    __slots__ = ("blank_nulls",)

    def __init__(self, items: Any = (), blank_nulls: Iterable[str] = ()) -> None:
        super().__init__(items)
        self.blank_nulls = frozenset(blank_nulls)


def blank_nulls(value: Any) -> frozenset[str]:
    """The keys of `value` whose null was written with no text (see BlankNullMap)."""
    return value.blank_nulls if isinstance(value, BlankNullMap) else frozenset()


def _copy(v: Any) -> Any:
    """A deep copy of an alias target (kustomize inflates aliases into independent copies)."""
    t = type(v)
    if t is dict:
        return {k: _copy(x) for k, x in v.items()}
    if t is list:
        return [_copy(x) for x in v]
    if t is BlankNullMap:
        return BlankNullMap({k: _copy(x) for k, x in v.items()}, v.blank_nulls)
    return v


_MERGE: Any = object()  # the pending key is a merge key ("<<")
_DROP: Any = object()  # the pending key/value pair is dropped
_TIMESTAMP_KEY: Any = object()  # a key go-yaml v3 decodes to a time.Time


class _Duplicate(Exception):
    def __init__(self, key: str, line: int, first: int | None) -> None:
        super().__init__(key)
        self.key, self.line, self.first = key, line, first


class _Frame:
    """An open mapping or sequence while its events are read."""

    __slots__ = ("value", "is_map", "flow", "anchor", "start", "key", "key_line",
                 "merge", "merge_line", "ltlt_seen", "key_lines", "text", "blank")

    def __init__(self, is_map: bool, flow: bool, anchor: str | None, start: int, track: bool) -> None:
        self.value: Any = {} if is_map else []
        self.is_map = is_map
        self.flow = flow
        self.anchor = anchor
        self.start = start  # node count when it opened: 1 for the document's root
        self.key: Any = _MISSING  # the pending key of a mapping
        self.key_line = 0
        self.merge: Any = _MISSING  # the value of its "<<" key (resources merge at the end)
        self.merge_line = 0
        self.ltlt_seen = False  # a "<<" key was seen (kyaml clears only the first one)
        self.key_lines: dict[str, int] | None = {} if track else None
        self.text = False  # values keep their source text (a resource's metadata.annotations)
        self.blank: set[str] | None = None  # keys whose value is a null written with no text


class _Doc:
    """Builds one document's value from parser events, iteratively (no recursion limit).

    `count` is the number of nodes made so far, alias copies included; `direct` those read
    from the text; `expanded` those copied for aliases (the bomb budget). A scalar counts
    as one node per SCALAR_CHARS_PER_NODE characters (at least one).
    """

    __slots__ = ("source", "track", "v2", "resolve", "anchors", "open_anchors", "count", "direct", "expanded")

    def __init__(self, source: str, track: bool, v2: bool) -> None:
        self.source = source
        self.track = track
        self.v2 = v2
        self.resolve: Callable[[str], Any] = _resolve_plain_v2 if v2 else _resolve_plain_v3
        self.anchors: dict[str, tuple[Any, int, str]] = {}  # value, node count, scalar text
        self.open_anchors: set[str] = set()
        self.count = 0
        self.direct = 0
        self.expanded = 0

    def error(self, msg: str, line: int | None) -> InputError:
        return InputError(msg, file=self.source, line=line)

    def build(self, get: Callable[[], Any], ev: Any) -> Any:
        """Consume events from `ev` up to the document end; return the document's value."""
        stack: list[_Frame] = []
        root: Any = None
        resolve = self.resolve
        v2 = self.v2
        words = _V2_PLAIN if v2 else _V3_PLAIN
        fast = not v2 and not self.track  # plain string keys stored inline
        while True:
            cls = ev.__class__
            top = stack[-1] if stack else None
            if cls is ScalarEvent:
                weight = 1 + len(ev.value) // SCALAR_CHARS_PER_NODE
                self.count += weight
                self.direct += weight
                if ev.style == ">" and not v2 and any(c in ev.value for c in _BREAK_CHARS):
                    ev.value = _go_folded(ev.value)
                if top is not None and top.is_map and top.key is _MISSING:
                    s = ev.value
                    # the common key: plain, untagged, certainly a string
                    if (fast and s and ev.style == "" and ev.tag is None and ev.anchor is None
                            and (s[0] not in _HINT or (s[0] in _WORD_START and s not in words))
                            and s != "<<"):
                        top.key = s
                    else:
                        self.key(top, ev)
                    ev = get()
                    continue
                tag = ev.tag
                try:
                    if top is not None and top.text:
                        value = ev.value
                    elif tag is None:
                        if ev.style == "":
                            s = ev.value
                            if s:
                                value = resolve(s)
                            else:  # kyaml re-encodes an empty value in a flow collection as ''
                                value = "" if top is not None and top.flow and not v2 else None
                        else:
                            value = ev.value
                    else:
                        value = _tagged_scalar(tag, ev.value, ev.style == "", v2)
                except _ScalarError as e:
                    raise self.error(str(e), ev.start_mark.line + 1) from None
                if value is None and not ev.value and not v2 and top is not None and top.is_map:
                    if top.blank is None:
                        top.blank = set()
                    top.blank.add(top.key)
                if ev.anchor is not None:
                    self.anchors[ev.anchor] = (value, weight, ev.value)
            elif cls is MappingStartEvent or cls is SequenceStartEvent:
                self.count += 1
                self.direct += 1
                is_map = cls is MappingStartEvent
                if top is not None and top.is_map and top.key is _MISSING:
                    kind = "a mapping" if is_map else "a sequence"
                    raise self.error(f"a mapping key must be a scalar (kubectl cannot use {kind} as a key)",
                                     ev.start_mark.line + 1)
                if len(stack) >= MAX_DEPTH:
                    raise self.error(f"nesting deeper than {MAX_DEPTH} levels", ev.start_mark.line + 1)
                if ev.anchor is not None:
                    self.open_anchors.add(ev.anchor)
                flow = bool(ev.flow_style) or (top is not None and top.flow)
                frame = _Frame(is_map, flow, ev.anchor, self.count, self.track)
                if len(stack) == 2 and is_map and not v2 and _is_annotations(stack):
                    frame.text = True
                stack.append(frame)
                ev = get()
                continue
            elif cls is MappingEndEvent or cls is SequenceEndEvent:
                frame = stack.pop()
                value = frame.value
                if frame.merge is not _MISSING:
                    value = self.merge(value, frame.merge, frame.merge_line, frame.blank or ())
                elif frame.blank:
                    value = BlankNullMap(value, (k for k in frame.blank if isinstance(k, str)))
                if frame.anchor is not None:
                    self.open_anchors.discard(frame.anchor)
                    self.anchors[frame.anchor] = (value, self.count - frame.start + 1, "")
                top = stack[-1] if stack else None
                if top is not None and top.text:
                    value = ""  # a collection's node text
            elif cls is AliasEvent:
                if top is not None and top.is_map and top.key is _MISSING:
                    self.alias_key(top, ev)
                    ev = get()
                    continue
                value = self.alias(ev, top is not None and top.text)
            elif cls is DocumentEndEvent:
                return root
            else:  # pragma: no cover - libyaml emits nothing else inside a document
                raise self.error(f"unexpected YAML event {ev!r}", ev.start_mark.line + 1)

            if top is None:
                root = value
            elif top.is_map:
                key = top.key
                if fast and type(key) is str:
                    top.key = _MISSING
                    d = top.value
                    if key in d:
                        raise _Duplicate(key, 0, None)  # reported from the second, tracking pass
                    d[key] = value
                else:
                    self.put(top, value)
            else:
                top.value.append(value)
            ev = get()

    def alias(self, ev: Any, text: bool = False) -> Any:
        """A copy of the anchored value (or its text), within the expansion budget."""
        name = ev.anchor
        line = ev.start_mark.line + 1
        if name in self.open_anchors:
            raise self.error(f"anchor {name!r} value contains itself", line)
        hit = self.anchors.get(name)
        if hit is None:
            raise self.error(f"unknown anchor {name!r} referenced", line)
        value, size, source_text = hit
        self.expanded += size
        self.count += size
        if self.expanded > MAX_ALIAS_NODES and self.expanded > 10 * self.direct:
            raise self.error(
                f"aliases expand this document into more than {MAX_ALIAS_NODES} nodes"
                " (a YAML bomb?); inline the repeated content instead",
                line,
            )
        return source_text if text else _copy(value)

    def key(self, frame: _Frame, ev: Any) -> None:
        """Record a scalar mapping key."""
        s = ev.value
        tag = ev.tag
        line = ev.start_mark.line + 1
        plain = ev.style == ""
        try:
            if tag is None and plain:
                if s == "<<":
                    frame.key, frame.key_line = _MERGE, line
                    return
                if not s:
                    key = None if self.v2 else ""  # kyaml re-encodes an empty key as ''
                else:
                    key = self.resolve(s)
                    if type(key) is str and key != s:
                        key = _TIMESTAMP_KEY  # v3 made a time.Time of it, not a string
            elif tag is None:
                key = s
            else:
                key = _tagged_scalar(tag, s, plain, self.v2)
                if tag.endswith("timestamp") and key != s:
                    key = _TIMESTAMP_KEY
        except _ScalarError as e:
            raise self.error(str(e), line) from None
        if ev.anchor is not None:
            self.anchors[ev.anchor] = (s if key is _TIMESTAMP_KEY else key, 1, s)
        frame.key = self.key_text(key, s, frame, line)
        frame.key_line = line

    def alias_key(self, frame: _Frame, ev: Any) -> None:
        key = self.alias(ev)
        line = ev.start_mark.line + 1
        if isinstance(key, (dict, list)):
            raise self.error("a mapping key must be a scalar (this alias names a collection)", line)
        frame.key = self.key_text(key, None, frame, line)
        frame.key_line = line

    def key_text(self, key: Any, text: str | None, frame: _Frame, line: int) -> Any:
        """Keys end up as strings (JSON has no other kind); which keys convert differs.

        Resources: a non-string key becomes its source text in the document's top-level
        mapping (v3 decodes that one into map[string]interface{}); deeper, kubectl fails.
        Configuration: sigs.k8s.io/yaml converts int, float and bool keys everywhere.
        """
        if type(key) is str:
            if key == "<<" and not self.v2:
                if frame.ltlt_seen:
                    return key
                frame.ltlt_seen = True
                return _DROP  # kyaml clears the first "<<" key even when quoted
            return key
        if key is None:
            raise self.error("a null mapping key cannot be used by kubectl; quote it", line)
        if self.v2:
            if type(key) is bool:
                return "true" if key else "false"
            if type(key) is int and INT64_MIN <= key <= INT64_MAX:
                return str(key)
            if type(key) is float:
                return _float32_key(key)
            raise self.error(f"unsupported map key {text if text is not None else key!r}; quote it", line)
        if frame.start == 1 and text is not None:  # the document's top-level mapping
            return text
        shown = text if text is not None else ("a timestamp" if key is _TIMESTAMP_KEY else repr(key))
        raise self.error(f"mapping key {shown} is not a string (kubectl cannot print it); quote it", line)

    def put(self, frame: _Frame, value: Any) -> None:
        """Store a mapping entry: duplicates fail for resources, the last one wins in v2."""
        key = frame.key
        frame.key = _MISSING
        if key is _MERGE:
            if self.v2:  # go-yaml v2 merges in place: over the keys before it, under those after
                for src in reversed(self.merge_sources(value, frame.key_line)):
                    frame.value.update(src)
                return
            if frame.merge is not _MISSING:
                raise self.error("duplicate merge key", frame.key_line)
            frame.merge, frame.merge_line = value, frame.key_line
            frame.ltlt_seen = True
            return
        if key is _DROP:
            return
        d = frame.value
        if key in d and not self.v2:
            first = frame.key_lines.get(key) if frame.key_lines is not None else None
            raise _Duplicate(key, frame.key_line, first)
        d[key] = value
        if frame.key_lines is not None:
            frame.key_lines[key] = frame.key_line

    def merge_sources(self, value: Any, line: int) -> list[dict[str, Any]]:
        if isinstance(value, dict):
            return [value]
        if type(value) is list:
            for item in value:
                if type(item) is list:
                    raise self.error("invalid map merge: received a nested sequence", line)
                if not isinstance(item, dict):
                    raise self.error("map merge requires map or sequence of maps as the value", line)
            return value
        raise self.error("map merge requires map or sequence of maps as the value", line)

    def merge(self, own: dict[str, Any], value: Any, line: int, own_blank: Iterable[Any] = ()) -> dict[str, Any]:
        """kyaml's merge: the first source listed wins, the mapping's own keys win over all
        (a null written with no text stays one, from whichever mapping gave the key)."""
        merged: dict[str, Any] = {}
        blank: set[Any] = set()
        for src in reversed(self.merge_sources(value, line)):
            merged.update(src)
            blank.difference_update(src)
            blank.update(blank_nulls(src))
        merged.update(own)
        blank.difference_update(own)
        blank.update(own_blank)
        keys = [k for k in blank if isinstance(k, str)]
        return BlankNullMap(merged, keys) if keys else merged


def _is_annotations(stack: list[_Frame]) -> bool:
    """The mapping opening now is a resource's top-level metadata.annotations.

    Kustomize rewrites those from a map[string]string of each value node's text, so they
    print as strings exactly as written ("1.50", "2001-12-14", "yes", "~"; a collection or
    an empty value gives ""). Kept here because only the reader still has that text.
    """
    root, meta = stack
    return root.start == 1 and root.is_map and root.key == "metadata" and meta.is_map and meta.key == "annotations"


def _load(text: str, source: str, dialect: Dialect) -> list[tuple[Any, int]]:
    if dialect not in ("resource", "config"):
        raise ValueError(f"unknown YAML dialect {dialect!r}")
    v2 = dialect == "config"
    if not v2:
        _check_separators(text, source)
    try:
        return _parse(text, source, False, v2)
    except _Duplicate:
        pass
    try:  # again, recording key lines, to name where the key was first defined
        _parse(text, source, True, v2)
    except _Duplicate as d:
        where = f" (first defined at line {d.first})" if d.first else ""
        raise InputError(
            f"mapping key {d.key!r} already defined{where}; kubectl refuses duplicate keys",
            file=source,
            line=d.line,
        ) from None
    raise AssertionError("duplicate key vanished on the second pass")  # pragma: no cover


def _parse(text: str, source: str, track: bool, v2: bool) -> list[tuple[Any, int]]:
    out: list[tuple[Any, int]] = []
    try:
        get: Callable[[], Any] = CParser(text).get_event
        if get().__class__ is not StreamStartEvent:  # pragma: no cover
            raise InputError("malformed YAML stream", file=source)
        while True:
            ev = get()
            if ev.__class__ is StreamEndEvent:
                break
            if ev.__class__ is not DocumentStartEvent:  # pragma: no cover
                raise InputError(f"unexpected YAML event {ev!r}", file=source)
            first = get()
            doc = _Doc(source, track, v2).build(get, first)
            if doc is not None:
                out.append((doc, first.start_mark.line + 1))
    except YAMLError as e:
        raise _yaml_error(e, text, source) from None
    return out
