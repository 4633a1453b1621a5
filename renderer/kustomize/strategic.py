"""Strategic-merge patches exactly as ``kubectl kustomize`` applies them.

Kustomize v5 does not use apimachinery's strategicpatch: it walks the resource
(dest) and the patch (origin) together with kyaml's ``merge2`` walker, in the
"prepend" list mode of its patchStrategicMerge filter.  This module is an
independent re-implementation of that walk's observable behaviour, checked
against kubectl 1.37.1 (Kustomize v5.8.1); tests/test_strategic.py holds the
verified cases.  The rules, in short:

Maps
  * fields are visited in sorted order; a field only in the resource is still
    walked (so its lists are normalised even when the patch does not touch them);
  * ``null`` in the patch removes the field; a ``null`` (or ``~``) in the resource
    that the patch does not touch stays, but a null written with no text at all
    (``key:``) is dropped; a patch null for an absent field adds nothing;
  * ``$patch: delete`` removes the map (the whole resource at top level),
    ``$patch: replace`` replaces it with the patch's map (at top level: a no-op,
    the resource is left unchanged), ``$patch: merge`` is the default; any other
    value is an error;
  * a subtree the resource lacks is taken from the patch after the patch is
    "merged with itself": its nulls vanish and its directives are applied;
  * a field whose kinds differ (map vs scalar vs list) is an error.

Lists
  * a list merges element-wise only when the schema gives it a ``merge`` patch
    strategy; every other list (no schema, unknown kind, CRD, ``args``,
    ``tolerations``...) is replaced by the patch's list, verbatim (``$patch``
    items included); kyaml's name-based inference is OFF in kustomize;
  * merge keys: ``x-kubernetes-list-map-keys`` if present (container ports:
    containerPort+protocol, service ports: port+protocol), else the patch merge
    key, else the list is a primitive set (finalizers);
  * order (one key): the patch's elements first (in patch order), then the
    resource's elements the patch does not mention (in resource order); with two
    keys (ports): the patch-only elements, then all the resource's elements in
    resource order; primitive sets: the patch's values, then the others;
  * matched elements are merged; ``$patch: delete`` on an element removes it;
    ``$patch: replace`` on an element is ignored (the resource's element stays as
    it was); ``- $patch: replace`` / ``- $patch: delete`` as a lone list item
    replaces / removes the whole list;
  * elements missing a merge key, duplicate keys and partially-keyed ports follow
    kyaml's algorithm literally (it can drop elements: see the tests); merge keys
    compare as text (80 matches "80");
  * ``$retainKeys``, ``$setElementOrder/...`` and ``$deleteFromPrimitiveList/...``
    are NOT interpreted: they are copied into the output like any field.

Scalars
  * the patch's value replaces; kyaml keeps the YAML style of the replaced node,
    so a number/boolean replacing a quoted string becomes a string.  Plain
    Python values do not carry their style: a str is taken as quoted when it
    could not have been written plain ("1", "true", "", ...); ruamel.yaml's
    styled strings (preserve_quotes) are used as they say, and results carry
    the style kyaml would give them.

Performance: lists whose elements all carry their (unique) keys, and primitive
sets of scalars, merge in linear time through an index; other lists go through
the literal (quadratic) kyaml algorithm, which the tests check agrees with it.
"""
from __future__ import annotations

import copy
import math
import re
from typing import Any

from renderer.core.errors import RenderError
from renderer.core.yaml import blank_nulls
from renderer.kustomize.openapi import MergeSchema

__all__ = ["strategic_merge", "apply_sm_patch"]


class _Sentinel:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return self.name


MISSING: Any = _Sentinel("MISSING")     # kyaml's nil RNode: the field/element is absent
KEEP_NULL: Any = _Sentinel("KEEP_NULL")  # a null of the resource that must be kept

_DELETE, _REPLACE, _MERGE, _UNKNOWN = "delete", "replace", "merge", "unknown"
_DIRECTIVE = "$patch"


def strategic_merge(base: dict, patch: dict, schema: MergeSchema) -> dict | None:
    """Merge ``patch`` into ``base`` as kustomize's patchStrategicMerge filter does.

    Returns a new dict (inputs are never mutated), or None when the patch deletes
    the resource (``$patch: delete`` at the top).  A top-level ``$patch: replace``
    leaves the resource unchanged, as in kustomize.  The root schema is looked up by
    the resource's apiVersion/kind (then the patch's, as kyaml does).
    Raises RenderError where kustomize fails (kind conflicts, bad directives).
    """
    dest = copy.deepcopy(base)
    origin = copy.deepcopy(patch)
    result = _Walker(schema).walk(dest, origin, None)
    if result is MISSING or result is KEEP_NULL or result is None:
        return None
    # kustomize keeps the resource node it merged into, not the walk's result: a
    # top-level "$patch: replace" (whose result is the patch) leaves it unchanged.
    return dest


def apply_sm_patch(resource: dict, patch: dict, schema: MergeSchema, *,
                   allow_name_change: bool = False, allow_kind_change: bool = False) -> dict | None:
    """``strategic_merge`` plus what kustomize's Resource.ApplySmPatch does after it.

    The resource keeps its kind and metadata.name (unless the patch options allow
    changing them) and always its metadata.namespace (removed if it had none).
    Returns None when the patch deletes the resource (or leaves it empty).
    """
    raw_meta = resource.get("metadata")
    meta: dict = raw_meta if isinstance(raw_meta, dict) else {}
    name, namespace, kind = meta.get("name"), meta.get("namespace"), resource.get("kind")
    result = strategic_merge(resource, patch, schema)
    if not result:
        return None
    if not allow_kind_change:
        result["kind"] = kind if kind is not None else ""
    if not isinstance(result.get("metadata"), dict):
        result["metadata"] = {}
    rmeta = result["metadata"]
    if not allow_name_change:
        rmeta["name"] = name if name is not None else ""
    if namespace in (None, ""):
        rmeta.pop("namespace", None)
    else:
        rmeta["namespace"] = namespace
    return result


# ---- scalar helpers -------------------------------------------------------------------------

def _is_null(v: Any) -> bool:
    """kyaml IsMissingOrNull."""
    return v is MISSING or v is None or v is KEEP_NULL


def _node_kind(v: Any) -> str:
    if isinstance(v, dict):
        return "MappingNode"
    if isinstance(v, list):
        return "SequenceNode"
    return "ScalarNode"


def _text(v: Any) -> str:
    """The ``Value`` of a yaml node: scalar text, "" for maps and lists."""
    if isinstance(v, str):
        return v
    if v is None or v is KEEP_NULL:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return ".nan"
        if math.isinf(v):
            return ".inf" if v > 0 else "-.inf"
        return repr(v)
    if isinstance(v, (dict, list)):
        return ""
    return str(v)


def _key_text(elem: Any, key: str) -> str:
    """kyaml ElementValuesList for one key: "" when absent, null, empty or not scalar."""
    if not isinstance(elem, dict):
        return ""
    v = elem.get(key, MISSING)
    if v is MISSING or v is None or isinstance(v, (dict, list)):
        return ""
    return _text(v)


_INT_RE = re.compile(r"[-+]?[0-9]+\Z")
_FLOAT_RE = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")


def _resolve_plain(text: str) -> Any:
    """The value a plain (untagged) YAML scalar with this text reads back as."""
    if text in ("", "~", "null", "Null", "NULL"):
        return None
    if text in ("true", "True", "TRUE"):
        return True
    if text in ("false", "False", "FALSE"):
        return False
    if _INT_RE.match(text):
        return int(text)
    if text.startswith(("0x", "0X")):
        try:
            return int(text[2:], 16)
        except ValueError:
            return text
    if text.startswith("0o"):
        try:
            return int(text[2:], 8)
        except ValueError:
            return text
    if _FLOAT_RE.match(text):
        return float(text)
    if text in (".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"):
        return math.inf
    if text in ("-.inf", "-.Inf", "-.INF"):
        return -math.inf
    if text in (".nan", ".NaN", ".NAN"):
        return math.nan
    return text


_TIMESTAMP_RE = re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ].*)?\Z")
_QUOTED_STYLES = ("'", '"', "|", ">")


def _was_quoted(s: str) -> bool:
    """Whether a string scalar was (necessarily) quoted or a block scalar in its source.

    Values that carry their style (ruamel.yaml's quoted/literal/folded string types)
    say so; for a plain str we can only tell the strings that cannot be written
    plain: those that would read back as another type, or that need quoting.
    """
    style = getattr(type(s), "style", None)
    if isinstance(style, str):
        return style in _QUOTED_STYLES
    if s == "" or s != s.strip() or "\n" in s:
        return True
    plain = s.replace("_", "") if s[:1].isdigit() or s[:2] in ("-0", "+0") else s
    if not isinstance(_resolve_plain(plain), str) or _TIMESTAMP_RE.match(s):
        return True
    if plain.startswith(("0b", "-0b", "+0b")) and len(plain) > 2:
        return True
    if s[0] in ",[]{}#&*!|>'\"%@`":
        return True
    if s[0] in "-?:" and (len(s) == 1 or s[1] == " "):
        return True
    return ": " in s or " #" in s or s.endswith(":")


def _styled_type(v: Any) -> bool:
    """True for ruamel.yaml's ScalarString types (str subclasses that know their style)."""
    return isinstance(getattr(type(v), "style", None), str) and isinstance(v, str)


def _style_of(v: Any) -> str:
    if _styled_type(v):
        return type(v).style
    if isinstance(v, str) and _was_quoted(v):
        return '"'
    return ""


def _with_style(text: str, style: str) -> str:
    from ruamel.yaml import scalarstring as rs

    cls = {"'": rs.SingleQuotedScalarString, '"': rs.DoubleQuotedScalarString,
           "|": rs.LiteralScalarString, ">": rs.FoldedScalarString}.get(style, rs.PlainScalarString)
    return cls(str(text))


# ---- list primitives (kyaml ElementSetter / ElementMatcher) -----------------------------------

def _field_matches(elem: Any, name: str, string_value: str) -> bool:
    """kyaml FieldMatcher{Name, StringValue}: "" as value means "field present"."""
    if _is_null(elem):
        return False
    if name == "":
        if isinstance(elem, (dict, list)):
            raise RenderError(f"wrong node kind: expected ScalarNode but got {_node_kind(elem)}")
        return _text(elem) == string_value
    if not isinstance(elem, dict):
        raise RenderError(f"wrong node kind: expected MappingNode but got {_node_kind(elem)}")
    if name not in elem:
        return False
    return string_value == "" or _text(elem[name]) == string_value


def _element_setter(lst: list, element: Any, keys: list[str], values: list[str]) -> None:
    """kyaml ElementSetter: replace (element) / delete (MISSING) matches, else append.

    Side effects as kyaml: null and empty-map items are dropped; with no values,
    every non-matching item is dropped too.
    """
    if not keys:
        keys = [""]
    mapping_setter = keys[0] != "" and len(values) > 0 and values[0] != ""
    new: list = []
    found_any = False
    for item in lst:
        if _is_null(item) or (isinstance(item, dict) and not item):
            continue
        if not isinstance(item, dict) and mapping_setter:
            new.append(item)
            continue
        found = True
        matched = False
        for j in range(len(keys)):
            if j < len(values):
                matched = _field_matches(item, keys[j], values[j])
            if not matched:
                found = False
                break
        if not found:
            if values:
                new.append(item)
            continue
        found_any = True
        if element is MISSING:
            continue
        new.append(element)
    lst[:] = new
    if _is_null(element):
        return
    if not found_any:
        lst.append(element)


def _element_list(src: Any, keys: list[str], values: list[str]) -> Any:
    """kyaml ElementList/MatchElementList: first item whose keys have these texts."""
    if not isinstance(src, list):
        return MISSING
    if not values:
        values = [""]
    if not keys or keys[0] == "":
        for item in src:
            if _text(item) == values[0]:
                return item
        return MISSING
    if len(keys) != len(values):
        raise RenderError("length of keys must equal length of values when MatchAnyValue is false")
    for item in src:
        if not isinstance(item, dict):
            continue
        for k, v in zip(keys, values):
            if k not in item or _text(item[k]) != v:
                break
        else:
            return item
    return MISSING


def _validate_keys(values_list: list[list[str]], values: list[str],
                   keys: list[str]) -> tuple[list[str], list[str]]:
    valid = {keys[i] for vals in values_list for i, v in enumerate(vals) if v != ""}
    if not valid:
        return keys, values
    vk = [k for k in keys if k in valid]
    vv = [v for i, v in enumerate(values) if v != "" or keys[i] in valid]
    return vk, vv


def _match(v1: list[str], v2: list[str]) -> tuple[bool, list[str]]:
    if len(v1) != len(v2):
        return False, []
    common = False
    res: list[str] = []
    for a, b in zip(v1, v2):
        if a == b:
            common = True
            res.append(a)
            continue
        if a != "" and b != "":
            return False, []
        res.append(a if a != "" else b)
    return common, res


def _merge_values(values_list: list[list[str]]) -> list[list[str]]:
    """kyaml mergeValues: tuples differing only by empty entries become one."""
    n = len(values_list)
    for i in range(n):
        v1 = values_list[i]
        for j in range(n):
            ok, vals = _match(v1, values_list[j])
            if ok:
                values_list[i] = vals
                values_list[j] = vals
    return values_list


# ---- the walker ---------------------------------------------------------------------------

class _Walker:
    __slots__ = ("schema",)

    def __init__(self, schema: MergeSchema) -> None:
        self.schema = schema

    # kyaml Walker.GetSchema: an explicit schema, else the resource type of a source.
    def _schema_for(self, dest: Any, origin: Any, sch: Any) -> Any:
        if sch is not None:
            return sch
        for src in (dest, origin):
            if not isinstance(src, dict):
                continue
            api = src.get("apiVersion", MISSING)
            kind = src.get("kind", MISSING)
            api_t = "" if api is MISSING or api is None else _text(api)
            kind_t = "" if kind is MISSING or kind is None else _text(kind)
            if not api_t or not kind_t:
                continue
            found = self.schema.root(api_t, kind_t)
            if found is not None:
                return found
        return None

    def walk(self, dest: Any, origin: Any, sch: Any) -> Any:
        sch = self._schema_for(dest, origin, sch)
        kind = None
        for src in (dest, origin):
            if not _is_null(src):
                kind = _node_kind(src)
                break
        if kind is None or kind == "MappingNode":
            self._check_kinds("MappingNode", dest, origin)
            return self._walk_map(dest, origin, sch)
        self._check_kinds(kind, dest, origin)
        if kind == "SequenceNode":
            if self.schema.is_merge_list(sch):
                return self._walk_assoc_list(dest, origin, sch)
            return origin if origin is not MISSING else dest
        return origin if origin is not MISSING else dest

    @staticmethod
    def _check_kinds(kind: str, *sources: Any) -> None:
        for src in sources:
            if not _is_null(src) and _node_kind(src) != kind:
                raise RenderError(f"wrong node kind: expected {kind} but got {_node_kind(src)}")

    # -- maps --

    @staticmethod
    def _map_directive(origin: Any, strict: bool) -> str:
        if origin is MISSING:
            return _MERGE
        if isinstance(origin, list):
            return _Walker._list_directive(origin)
        if not isinstance(origin, dict):
            if strict:
                raise RenderError(
                    f"no implemented strategic merge patch strategy for {_text(origin)!r}")
            return _UNKNOWN
        if _DIRECTIVE not in origin:
            return _MERGE
        value = _text(origin[_DIRECTIVE])
        if value in (_DELETE, _REPLACE, _MERGE):
            del origin[_DIRECTIVE]
            return value
        if strict:
            raise RenderError(f"unknown patch strategy '{value}'")
        return _UNKNOWN

    def _walk_map(self, dest: Any, origin: Any, sch: Any) -> Any:
        # kyaml Merger.VisitMap
        if _is_null(dest):
            ps = self._map_directive(origin, strict=False)
            if ps == _DELETE:
                return MISSING
            if origin is MISSING and dest is not MISSING:
                return KEEP_NULL
            dest = origin
        elif origin is None:
            return MISSING
        else:
            ps = self._map_directive(origin, strict=True)
            if ps == _DELETE:
                return MISSING
            if ps == _REPLACE:
                dest = origin
        if not isinstance(dest, dict):
            return dest
        names = set(dest)
        if isinstance(origin, dict):
            names.update(origin)
        blank = blank_nulls(dest)
        for key in sorted(names, key=_text):
            child_sch = self.schema.field(sch, key) if sch is not None else None
            d = dest.get(key, MISSING)
            o = origin.get(key, MISSING) if isinstance(origin, dict) else MISSING
            if d is None and o is MISSING and key in blank:
                dest.pop(key)  # a null written with no text is not a persistent null: dropped
                continue
            val = self._retyped(d, self.walk(d, o, child_sch))
            if val is MISSING or val is None:
                dest.pop(key, None)
            elif val is KEEP_NULL:
                dest[key] = None
            else:
                dest[key] = val
        return dest

    @staticmethod
    def _retyped(old: Any, val: Any) -> Any:
        """kyaml gives a replaced scalar the YAML style of the value it replaces.

        Observable effects: a number or boolean from the patch that replaces a
        quoted (or block) string becomes a string; with ruamel.yaml's styled strings
        the style itself is carried over (so a later patch sees it too).
        """
        if (val is old or old is MISSING or _is_null(val) or isinstance(val, (dict, list))
                or isinstance(old, (dict, list))):
            return val
        style = _style_of(old)
        if isinstance(val, str):
            if _styled_type(val) or _styled_type(old):
                return _with_style(val, style)
            return val
        if isinstance(val, (int, float)) and style in _QUOTED_STYLES:
            text = _text(val)
            return _with_style(text, style) if _styled_type(old) else text
        return val

    # -- associative lists --

    @staticmethod
    def _list_directive(origin: list) -> str:
        """kyaml determineSequenceNodePatchStrategy: a lone ``{$patch: x}`` item."""
        for item in origin:
            if isinstance(item, dict) and _DIRECTIVE in item:
                if len(item) > 1:
                    return _MERGE
                value = _text(item[_DIRECTIVE])
                if value in (_DELETE, _REPLACE, _MERGE):
                    _element_setter(origin, MISSING, [_DIRECTIVE], [value])
                    return value
                raise RenderError(f"unknown patch strategy '{value}'")
        return _MERGE

    def _walk_assoc_list(self, dest: Any, origin: Any, sch: Any) -> Any:
        # kyaml Merger.VisitList (associative)
        if _is_null(dest):
            dest = origin
        elif origin is None:
            return MISSING
        else:
            ps = self._list_directive(origin) if isinstance(origin, list) else _MERGE
            if ps == _DELETE:
                return MISSING
            if ps == _REPLACE:
                dest = origin
        if _is_null(dest):
            return MISSING
        _, keys = self.schema.strategy_and_keys(sch)
        elem_sch = self.schema.elements(sch)
        if keys:
            fast = self._fast_keyed(dest, origin, keys, elem_sch)
            if fast is not None:
                return fast
            return self._set_elements(self._element_values(dest, origin, keys), keys, dest, origin, elem_sch)
        fast = self._fast_primitive(dest, origin, elem_sch)
        if fast is not None:
            return fast
        return self._set_elements(self._primitive_values(dest, origin), [""], dest, origin, elem_sch)

    @staticmethod
    def _element_values(dest: Any, origin: Any, keys: list[str]) -> list[list[str]]:
        out: list[list[str]] = []
        seen: set[tuple[str, ...]] = set()
        for src in (origin, dest):  # prepend mode: the patch's elements first
            if not isinstance(src, list):
                continue
            for item in src:
                t = tuple(_key_text(item, k) for k in keys)
                if not t or t in seen:
                    continue
                seen.add(t)
                out.append(list(t))
        return out

    @staticmethod
    def _primitive_values(dest: Any, origin: Any) -> list[list[str]]:
        out: list[list[str]] = []
        seen: set[str] = set()
        for src in (origin, dest):
            if not isinstance(src, list):
                continue
            for item in src:
                t = _text(item)
                if t in seen:
                    continue
                seen.add(t)
                out.append([t])
        return out

    def _set_elements(self, values_list: list[list[str]], keys: list[str], dest: list,
                      origin: Any, elem_sch: Any) -> Any:
        """kyaml setAssociativeSequenceElements + appendListNode, literally."""
        items: list = []
        if len(keys) > 1:
            values_list = _merge_values(values_list)
        valid_keys: list[str] = keys
        for values in values_list:
            if not values:
                continue
            valid_keys, valid_values = _validate_keys(values_list, values, keys)
            ek, ev = _validate_keys([valid_values], valid_values, valid_keys)
            d_el = _element_list(dest, ek, ev)
            o_el = _element_list(origin, ek, ev) if origin is not MISSING else MISSING
            val = self.walk(d_el, o_el, elem_sch)
            gone = False
            for i, key in enumerate(valid_keys):
                if _is_null(val) or (isinstance(val, dict) and not val):
                    _element_setter(dest, MISSING, valid_keys, valid_values)
                    gone = True
                elif valid_values[i] != "" and not (isinstance(val, dict) and key in val):
                    if key == "":  # kyaml re-sets a primitive item to its own text: a no-op
                        if isinstance(val, (dict, list)):
                            raise RenderError(
                                f"wrong node kind: expected ScalarNode but got {_node_kind(val)}")
                    elif isinstance(val, dict):
                        val[key] = _resolve_plain(valid_values[i])
                    else:
                        raise RenderError(
                            f"wrong node kind: expected MappingNode but got {_node_kind(val)}")
            if gone:
                continue
            _element_setter(items, val, valid_keys, valid_values)
        if values_list:
            dest = self._append_list(items, dest, valid_keys)
        if _is_null(dest):
            return MISSING
        return dest

    @staticmethod
    def _append_list(dst: list, src: list, keys: list[str]) -> list:
        """kyaml appendListNode (prepend mode: dst is the patch-ordered list)."""
        for elem in list(src):
            if keys[0] == "":
                _element_setter(dst, elem, [""], [_text(elem)])
                continue
            v: list[str] = []
            for key in keys:
                if _is_null(elem):
                    present = False
                elif not isinstance(elem, dict):
                    raise RenderError(f"wrong node kind: expected MappingNode but got {_node_kind(elem)}")
                else:
                    present = key in elem
                if not present:
                    dst.append(elem)  # no key: appended as is (kyaml goes on with the next key)
                    continue
                v.append(_text(elem[key]))
            if len(keys) > 1:
                _element_setter(dst, MISSING, keys, v)
            _element_setter(dst, elem, keys, v)
        return dst

    # -- linear fast paths: same result as _set_elements on well-formed lists --

    def _fast_keyed(self, dest: list, origin: Any, keys: list[str], elem_sch: Any) -> list | None:
        """Linear merge when every element has every key and keys are unique per list.

        Order, as kyaml's appendListNode leaves it: with one key, the patch's
        elements then the resource's others, each resource element in the place of
        its patch counterpart; with several keys (ports), the patch-only elements
        then all the resource's elements in their own order.  A resource element
        that matched keeps its identity: merged in place, or untouched after an
        element-level ``$patch: replace`` (which kustomize thus ignores).
        """
        if dest is origin or not isinstance(dest, list):
            return None
        if origin is not MISSING and not isinstance(origin, list):
            return None
        o_list = origin if isinstance(origin, list) else []
        d_index: dict[tuple[str, ...], dict] = {}
        o_index: dict[tuple[str, ...], dict] = {}
        order: list[tuple[str, ...]] = []
        for src, index in ((o_list, o_index), (dest, d_index)):
            for item in src:
                if not isinstance(item, dict):
                    return None
                t = tuple(_key_text(item, k) for k in keys)
                if "" in t or t in index:
                    return None
                index[t] = item
                if src is dest and t in o_index:
                    continue
                order.append(t)
        merged: dict[tuple[str, ...], Any] = {}
        for t in order:
            d_el = d_index.get(t, MISSING)
            val = self.walk(d_el, o_index.get(t, MISSING), elem_sch)
            if _is_null(val) or (isinstance(val, dict) and not val):
                continue
            if not isinstance(val, dict):  # pragma: no cover - a map element walks to a map
                raise AssertionError("a list element merged into a non-map")
            for k, text in zip(keys, t):
                if k not in val:
                    val[k] = _resolve_plain(text)
            merged[t] = val if d_el is MISSING else d_el
        if len(keys) == 1:
            return [merged[t] for t in order if t in merged]
        head = [merged[t] for t in order if t in merged and t not in d_index]
        return head + [merged[t] for t in d_index if t in merged]

    def _fast_primitive(self, dest: list, origin: Any, elem_sch: Any) -> list | None:
        if dest is origin or not isinstance(dest, list):
            return None
        if origin is not MISSING and not isinstance(origin, list):
            return None
        o_list = origin if isinstance(origin, list) else []
        for item in (*o_list, *dest):
            if item is None or isinstance(item, (dict, list)):
                return None
        last_in_dest: dict[str, Any] = {}
        for item in dest:
            last_in_dest[_text(item)] = item
        out: list = []
        seen: set[str] = set()
        for item in (*o_list, *dest):
            t = _text(item)
            if t in seen:
                continue
            seen.add(t)
            out.append(last_in_dest.get(t, item))
        return out
