"""`replacements` (copy a field from one resource into fields of others) and the legacy
`vars` ($(VAR) references resolved at the top of the build)."""
from __future__ import annotations

import copy
import json
import re
from typing import Any, Sequence

from ..core.errors import InputError, RenderError
from ..core.sizes import bounded_size
from ..core.resource import CLUSTER_NS, Gvk, ResId, Resource, ResourceList, split_api_version
from .fieldspecs import KEEP, FieldSpec, apply_fieldspec
from .loader import Loader
from .regex import anchored, compile_go
from .schema import REPLACEMENT, decode
from .selectors import parse_label_selector

DEFAULT_FIELD_PATH = "metadata.name"


# -- paths -----------------------------------------------------------------------------------

def split_dotted(path: str) -> list[str]:
    """kyaml's SmarterPathSplitter on ".", then `name[...]` split in two:
    '.a.[example.com/x].[name=x.y].c' -> ['a', 'example.com/x', '[name=x.y]', 'c'];
    a leading dot is dropped, `\\.` escapes a dot, and a bracketed segment without `=`
    names a map key (which may hold dots). Empty segments are skipped, as kyaml's lookups do."""
    out: list[str] = []
    for part in _smarter_split(path, "."):
        part = part.strip()
        if not part:
            continue
        m = re.match(r"^([^\[]+)(\[.*\])$", part)
        out.extend((m.group(1), m.group(2)) if m else (part,))
    return out


def _path_split(path: str, delimiter: str) -> list[str]:
    pieces = path.split(delimiter)
    if len(pieces) > 1 and pieces[0] == "":
        pieces = pieces[1:]
    out = [pieces[0]]
    for piece in pieces[1:]:
        if out[-1].endswith("\\"):
            out[-1] = out[-1][:-1] + delimiter + piece
        else:
            out.append(piece)
    return out


def _smarter_split(path: str, delimiter: str) -> list[str]:
    split = _path_split(path, delimiter)
    out: list[str] = []
    i = 0
    while i < len(split):
        elem = split[i]
        if elem.startswith("[") and not elem.endswith("]"):
            bracketed = [elem]
            while i < len(split) - 1:
                i += 1
                bracketed.append(split[i])
                if split[i].endswith("]"):
                    break
            joined = delimiter.join(bracketed)
            out.append(joined if "=" in joined else joined.strip("[]"))
        else:
            out.append(elem)
        i += 1
    return out


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)


def lookup(node: Any, segs: Sequence[str]) -> Any:
    """Exact lookup (source fields, var field refs); None when absent."""
    for seg in segs:
        if node is None:
            return None
        if seg.startswith("[") and seg.endswith("]") and seg[1:-1].isdigit():
            seg = seg[1:-1]
        if seg.startswith("[") and seg.endswith("]"):
            if not isinstance(node, list):
                return None
            key, sep, value = seg[1:-1].partition("=")
            if not sep:
                return None
            found = None
            for elem in node:
                if key == "" and _text(elem) == value:
                    found = elem
                    break
                if isinstance(elem, dict) and key in elem and _text(elem[key]) == value:
                    found = elem
                    break
            node = found
        elif isinstance(node, list):
            if seg.isdigit() and int(seg) < len(node):
                node = node[int(seg)]
            else:
                return None
        elif isinstance(node, dict):
            node = node.get(seg)
        else:
            return None
    return node


class _Slot:
    """A place in a document that a replacement writes to."""

    def __init__(self, parent: Any, key: Any) -> None:
        self.parent, self.key = parent, key

    def get(self) -> Any:
        return self.parent[self.key]

    def set(self, value: Any) -> None:
        self.parent[self.key] = value


def _kind_for(next_seg: str | None, value_kind: type) -> Any:
    if next_seg is None or next_seg == "":
        return None
    if (next_seg.startswith("[") and next_seg.endswith("]")) or next_seg.isdigit():
        return []
    return {}


def match_slots(node: Any, segs: Sequence[str], create: bool, value: Any, path: str) -> list[_Slot]:
    """kyaml's PathMatcher: all places `segs` reaches, creating them when asked."""
    slots: list[_Slot] = []
    _match(node, list(segs), create, value, slots)
    return slots


def _new_leaf(value: Any) -> Any:
    if isinstance(value, dict):
        return {}
    if isinstance(value, list):
        return []
    return None


def _match(node: Any, segs: list[str], create: bool, value: Any, out: list[_Slot], parent: Any = None, key: Any = None) -> None:
    if not segs:
        if parent is not None:
            out.append(_Slot(parent, key))
        return
    seg = segs[0]
    rest = segs[1:]
    nxt = rest[0] if rest else None
    if seg.isdigit() and not isinstance(node, dict):
        if not isinstance(node, list):
            return
        idx = int(seg)
        if idx == len(node) and create:
            node.append(_kind_for(nxt, type(value)) if rest else _new_leaf(value))
        if idx >= len(node):
            raise RenderError(f"index {idx} specified but only {len(node)} elements found")
        _match(node[idx], rest, create, value, out, node, idx)
        return
    if seg.startswith("[") and seg.endswith("]"):
        if not isinstance(node, list):
            return
        field, sep, pattern = seg[1:-1].partition("=")
        if not sep:
            raise RenderError("list path element must contain fieldName=fieldValue for element to match")
        regex = compile_go(pattern, what="a replacement field path", file=None)
        matched = False
        for i, elem in enumerate(list(node)):
            if field == "":
                if regex.search(_text(elem).strip()):
                    matched = True
                    _match(elem, rest, create, value, out, node, i)
            elif isinstance(elem, dict) and field in elem and elem[field] is not None:
                if regex.search(_text(elem[field]).strip()):
                    matched = True
                    _match(elem, rest, create, value, out, node, i)
        if not matched and create:
            node.append(pattern if field == "" else {field: pattern})
            _match(node, segs, False, value, out, parent, key)
        return
    if seg == "*":
        if isinstance(node, list):
            for i, elem in enumerate(node):
                _match(elem, rest, create, value, out, node, i)
        return
    if not isinstance(node, dict):
        return
    if seg not in node or node[seg] is None:
        if not create:
            if seg in node and not rest:
                out.append(_Slot(node, seg))
            return
        node[seg] = _kind_for(nxt, type(value)) if rest else _new_leaf(value)
    _match(node[seg], rest, create, value, out, node, seg)


# -- replacements -----------------------------------------------------------------------------

def _res_ids(res: Resource) -> list[ResId]:
    """Current id (raw namespace) and previous ids (effective namespaces), as kustomize keeps them."""
    ids = [res.id]
    for prev in res.prev_ids:
        ns = prev.ns_key
        ids.append(ResId(prev.gvk, prev.name, "_non_namespaceable_" if ns == CLUSTER_NS else ns))
    return ids


def _id_selected_by(rid: ResId, sel: dict[str, Any]) -> bool:
    name = _text(sel.get("name"))
    ns = _text(sel.get("namespace"))
    if name and name != rid.name:
        return False
    if ns:
        sel_id = ResId(Gvk(_text(sel.get("group")), _text(sel.get("version")), _text(sel.get("kind"))), name, ns)
        if sel_id.ns_key != rid.ns_key:
            return False
    return rid.gvk.selected_by(_text(sel.get("group")), _text(sel.get("version")), _text(sel.get("kind")))


class _RegexSelector:
    def __init__(self, sel: dict[str, Any], where: str) -> None:
        self.fields = {
            k: anchored(_text(sel.get(k)), what=f"replacement target {k}", file=where)
            for k in ("group", "version", "kind", "name", "namespace")
        }
        self.empty_id = all(not _text(sel.get(k)) for k in ("group", "version", "kind", "name", "namespace"))
        self.labels = parse_label_selector(_text(sel.get("labelSelector"))) if sel.get("labelSelector") else []
        self.annotations = parse_label_selector(_text(sel.get("annotationSelector"))) if sel.get("annotationSelector") else []

    def selects(self, rid: ResId) -> bool:
        values = {"group": rid.gvk.group, "version": rid.gvk.version, "kind": rid.gvk.kind, "name": rid.name, "namespace": rid.namespace}
        return all(rx is None or rx.search(values[k]) for k, rx in self.fields.items())

    def meta_matches(self, res: Resource) -> bool:
        meta = res.body.get("metadata") or {}
        labels = {str(k): _text(v) for k, v in (meta.get("labels") or {}).items()}
        annos = {str(k): _text(v) for k, v in (meta.get("annotations") or {}).items()}
        return all(r(labels) for r in self.labels) and all(r(annos) for r in self.annotations)


MAX_REPLACED = 16 * 1024 * 1024
"""Characters and elements the replacements of one kustomization may write: a 2 MB value
written to 3000 field paths is 6 GB, and replacements copying a map into itself double it
each time."""


def run_replacements(resources: ResourceList, loader: Loader, entries: list[Any], where: str) -> None:
    budget = [MAX_REPLACED]
    for entry in entries:
        if isinstance(entry, dict) and entry.get("path"):
            if entry.get("source") is not None or entry.get("targets"):
                raise InputError("cannot specify both path and inline replacement", file=where)
            path = loader.file_path(str(entry["path"]))
            for item in _load_replacement_file(loader, path):
                _replace(resources, item, path, budget)
        else:
            _replace(resources, entry, where, budget)


def _load_replacement_file(loader: Loader, path: str) -> list[dict[str, Any]]:
    """A replacements file as sigs.k8s.io/yaml.Unmarshal reads it: the first document, one
    replacement or a list of them, field names matched as Go's JSON decoder does."""
    docs = loader.fs.load_yaml(path, dialect="config")
    doc = docs[0][0] if docs else None
    items = doc if isinstance(doc, list) else [doc]
    if not isinstance(doc, (list, dict)):
        raise InputError(f"unsupported replacement type encountered within replacement path: {type(doc).__name__}", file=path)
    out = []
    for item in items:
        if not isinstance(item, dict):
            raise InputError("json: cannot unmarshal a non-object into Go value of type types.Replacement", file=path)
        out.append(decode(item, REPLACEMENT, path, strict=False, prefix=""))
    return out


def _replace(resources: ResourceList, rep: Any, where: str, budget: list[int]) -> None:
    if not isinstance(rep, dict):
        raise InputError(f"a replacement must be a mapping, got {rep!r}", file=where)
    source, source_value, targets = rep.get("source"), rep.get("sourceValue"), rep.get("targets")
    if (source is None and source_value is None) or not targets:
        raise InputError("replacements must specify a source and at least one target", file=where)
    if source is not None and source_value is not None:
        raise InputError("value and resource selectors are mutually exclusive", file=where)
    value = source_value if source is None else _source_value(resources, source, where)
    cost = bounded_size(value, budget[0])  # written once per field path of every target
    for target in targets:
        if not isinstance(target, dict) or not isinstance(target.get("select"), dict):
            raise InputError("target must specify resources to select", file=where)
        select = _RegexSelector(target["select"], where)
        rejects = [_RegexSelector(r, where) for r in target.get("reject") or [] if isinstance(r, dict)]
        paths = target.get("fieldPaths") or [DEFAULT_FIELD_PATH]
        options = target.get("options") or {}
        for res in resources:
            if not select.meta_matches(res):
                continue
            if any((r.labels or r.annotations) and r.meta_matches(res) for r in rejects):
                continue
            ids = _res_ids(res)
            if any(not r.empty_id and any(r.selects(i) for i in ids) for r in rejects):
                continue
            if any(select.selects(i) for i in ids):
                for fp in paths:
                    budget[0] -= cost
                    if budget[0] < 0:
                        raise RenderError(f"replacements write more than {MAX_REPLACED} characters and elements "
                                          "(a large value copied to many fields, or a map into itself?)", file=where)
                    _copy_to(res, value, str(fp), options, where)
    resources.reindex()


def _source_value(resources: ResourceList, source: Any, where: str) -> Any:
    if not isinstance(source, dict):
        raise InputError("a replacement source must be a mapping", file=where)
    matches = [r for r in resources if any(_id_selected_by(i, source) for i in _res_ids(r))]
    if len(matches) > 1:
        raise RenderError(f"multiple matches for selector {_describe(source)}", file=where)
    if not matches:
        raise RenderError(f"nothing selected by {_describe(source)}", file=where)
    field_path = _text(source.get("fieldPath")) or DEFAULT_FIELD_PATH
    value = lookup(matches[0].body, split_dotted(field_path))
    if value is None or value == {} or value == []:  # kyaml IsNilOrEmpty: "" is a value
        raise RenderError(f"fieldPath `{field_path}` is missing for replacement source {_describe(source)}", file=where)
    options = source.get("options") or {}
    delimiter = _text(options.get("delimiter"))
    if delimiter:
        if isinstance(value, (dict, list)):
            raise RenderError("delimiter option can only be used with scalar nodes", file=where)
        parts = _text(value).split(delimiter)
        index = int(options.get("index") or 0)
        if index < 0 or index >= len(parts):
            raise RenderError(f"options.index {index} is out of bounds for value {_text(value)}", file=where)
        value = parts[index]
    return copy.deepcopy(value)


def _describe(sel: dict[str, Any]) -> str:
    return ", ".join(f"{k}={sel[k]}" for k in ("group", "version", "kind", "name", "namespace") if sel.get(k)) or "{}"


def _copy_to(res: Resource, value: Any, field_path: str, options: dict[str, Any], where: str) -> None:
    create = bool(options.get("create"))
    segs = split_dotted(field_path)
    if _set_in_structured_scalar(res.body, segs, value, options, create):
        return
    try:
        slots = match_slots(res.body, segs, create, value, field_path)
    except InputError as exc:  # a bad list-matcher regex: name the kustomization
        raise InputError(exc.message, file=exc.file or where) from None
    if not slots:
        verb = "find or create" if create else "find"
        raise RenderError(f'unable to {verb} field "{field_path}" in replacement target {res.id}', file=where)
    for slot in slots:
        _set_slot(slot, value, options, where)


def _set_slot(slot: _Slot, value: Any, options: dict[str, Any], where: str) -> None:
    current = slot.get()
    new = copy.deepcopy(value)
    delimiter = _text(options.get("delimiter"))
    if delimiter:
        if isinstance(current, (dict, list)):
            raise RenderError("delimiter option can only be used with scalar nodes", file=where)
        parts = _text(current).split(delimiter)
        index = int(options.get("index") or 0)
        v = _text(value)
        if index < 0:
            parts.insert(0, v)
        elif index >= len(parts):
            parts.append(v)
        else:
            parts[index] = v
        new = delimiter.join(parts)
    if current is not None and not isinstance(current, (dict, list)) and not isinstance(new, (dict, list)):
        new = _retype(current, _text(new))
    slot.set(new)


def _retype(current: Any, text: str) -> Any:
    """A scalar target keeps its YAML type: only its text changes (kyaml sets the node value)."""
    if isinstance(current, str):
        return text
    from ..core import yaml as _yaml

    try:
        docs = _yaml.load_documents(text, "<replacement>")
    except Exception:
        return text
    parsed = docs[0] if docs else None
    if isinstance(current, bool) and isinstance(parsed, bool):
        return parsed
    if isinstance(current, int) and not isinstance(current, bool) and isinstance(parsed, int) and not isinstance(parsed, bool):
        return parsed
    if isinstance(current, float) and isinstance(parsed, (int, float)) and not isinstance(parsed, bool):
        return parsed
    return text


def _set_in_structured_scalar(body: Any, segs: list[str], value: Any, options: dict[str, Any], create: bool) -> bool:
    """A path that runs into a string holding JSON/YAML edits inside that string."""
    if len(segs) < 2:
        return False
    node = body
    for i, seg in enumerate(segs[:-1]):
        node = lookup(node, [seg])
        if node is None:
            return False
        if isinstance(node, str):
            text = node
            stripped = text.strip()
            if not stripped or stripped[0] not in "{[" and ":" not in stripped:
                return False
            from ..core import yaml as _yaml

            try:
                docs = _yaml.load_documents(text, "<structured>")
            except Exception:
                return False
            if not docs or not isinstance(docs[0], (dict, list)):
                return False
            data = docs[0]
            slots = match_slots(data, segs[i + 1:], create, value, ".".join(segs))
            if not slots:
                return False
            for slot in slots:
                _set_slot(slot, value, options, "")
            if stripped[0] in "{[":
                if "\n" in text and "  " in text:
                    new_text = json.dumps(data, indent=2, ensure_ascii=False)
                else:
                    new_text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
            else:
                new_text = _yaml.dump_document(data).strip()
            parent = lookup(body, segs[:i]) if i else body
            parent_key = segs[i]
            if isinstance(parent, dict):
                parent[parent_key] = new_text
                return True
            return False
    return False


# -- vars -----------------------------------------------------------------------------------

def bind_vars(resources: ResourceList, new_vars: list[Any], where: str) -> None:
    """Attach each var to the one resource its objref names (kustomize's MergeVars)."""
    for var in new_vars:
        if not isinstance(var, dict) or not var.get("name") or not isinstance(var.get("objref"), dict):
            raise InputError(f"a var needs 'name' and 'objref', got {var!r}", file=where)
        ref = var["objref"]
        if ref.get("apiVersion"):
            group, version = split_api_version(_text(ref.get("apiVersion")))
        else:
            group, version = _text(ref.get("group")), _text(ref.get("version"))
        gvk = Gvk(group, version, _text(ref.get("kind")))
        target = ResId(gvk, _text(ref.get("name")), _text(ref.get("namespace")))
        exact = bool(target.namespace) or gvk.cluster_scoped

        def matches(rid: ResId) -> bool:
            if rid.name != target.name or rid.gvk != target.gvk:
                return False
            return not exact or rid.ns_key == target.ns_key

        found = [r for r in resources if any(matches(i) for i in r.all_ids())]
        if len(found) > 1:
            raise RenderError(f"found {len(found)} resId matches for var {var['name']} (unable to disambiguate)", file=where)
        if found:
            found[0].extra.setdefault("refvars", []).append(var["name"])


def resolve_vars(resources: ResourceList, all_vars: list[dict[str, Any]], specs: Sequence[FieldSpec], where: str) -> None:
    values: dict[str, Any] = {}
    for var in all_vars:
        name = var["name"]
        holder = next((r for r in resources if name in r.extra.get("refvars", [])), None)
        if holder is None:
            raise RenderError(f"var '{name}' cannot be mapped to a field in the set of known resources", file=where)
        field_path = _text((var.get("fieldref") or {}).get("fieldPath")) or DEFAULT_FIELD_PATH
        value = lookup(holder.body, split_dotted(field_path))
        if value is None:
            raise RenderError(f"field specified in var '{name}' ({field_path}) not found in corresponding resource", file=where)
        values[name] = value

    budget = [MAX_REPLACED]  # what $(VAR) expansions may add: a 2 MB var in 3000 args is 6 GB

    def replace(text: str) -> Any:
        out = expand(text, values)
        if isinstance(out, str) and len(out) > len(text):
            budget[0] -= len(out) - len(text)
            if budget[0] < 0:
                raise RenderError(f"vars expand to more than {MAX_REPLACED} characters (a large var used in many "
                                  "fields?)", file=where)
        return out

    def setter(current: Any) -> Any:
        if current is None:
            return KEEP
        if isinstance(current, str):
            return replace(current)
        if isinstance(current, dict):
            for k, v in current.items():
                if isinstance(v, str):
                    current[k] = replace(v)
            return KEEP
        if isinstance(current, list):
            for i, v in enumerate(current):
                if not isinstance(v, str):
                    raise RenderError("invalid value type expect a string")
                current[i] = replace(v)
            return KEEP
        return KEEP

    for res in resources:
        gvk = res.gvk
        for fs in specs:
            if fs.selects(gvk):
                apply_fieldspec(res.body, FieldSpec(fs.path), setter)


def expand(text: str, values: dict[str, Any]) -> Any:
    """Kubernetes-style $(VAR) expansion; `$$` escapes; unknown vars are left as written."""
    out: list[str] = []
    i = 0
    checkpoint = 0
    n = len(text)
    while i < n:
        if text[i] == "$" and i + 1 < n:
            out.append(text[checkpoint:i])
            nxt = text[i + 1]
            if nxt == "$":
                out.append("$")
                advance = 1
            elif nxt == "(":
                close = text.find(")", i + 2)
                if close < 0:
                    out.append("$(")
                    advance = 1
                else:
                    name = text[i + 2:close]
                    if name in values and isinstance(values[name], (str, int, float, bool)):
                        mapped: Any = values[name]
                    else:
                        mapped = f"$({name})"
                    if text == f"$({name})":
                        return mapped
                    out.append(_go_format(mapped))
                    advance = close - i
            else:
                out.append("$" + nxt)
                advance = 1
            i += advance
            checkpoint = i + 1
        i += 1
    return "".join(out) + text[checkpoint:]


def _go_format(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
