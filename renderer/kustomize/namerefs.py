"""Name references: after renames (prefix, suffix, hash, namespace), update the fields that
refer to renamed resources (a Deployment's configMapRef, a RoleBinding's roleRef, ...).

Kustomize filters candidate referrals through a sieve (previous name, kind, roleRef kind,
namespace, prefixes/suffixes). sluice applies the same sieve but starts from an index of
resources by previous name, so the cost is linear in the number of references.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any, Callable, Sequence

from ..core.errors import RenderError
from ..core.resource import CLUSTER_NS, Gvk, Resource, ResourceList
from .fieldspecs import KEEP, FieldSpec, NameBackRef, apply_fieldspec


def _same_ending(a: list[str], b: list[str]) -> bool:
    """kustomize's SameEndingSubSlice: the shorter list ends the longer; empty only matches empty."""
    if not a or not b:
        return not a and not b
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    return long[len(long) - len(short):] == short


def _affixes_equal(r: Resource, o: Resource, allow_empty: bool) -> bool:
    rp, op = r.extra.get("prefixes", []), o.extra.get("prefixes", [])
    rs, os_ = r.extra.get("suffixes", []), o.extra.get("suffixes", [])
    if allow_empty:
        return ((not rp or not op) or _same_ending(rp, op)) and ((not rs or not os_) or _same_ending(rs, os_))
    return _same_ending(rp, op) and _same_ending(rs, os_)


class _Index:
    def __init__(self, resources: ResourceList) -> None:
        self.by_prev_name: dict[str, list[Resource]] = defaultdict(list)
        self.orig_ns_to_cur: dict[str, set[str]] = defaultdict(set)
        self.orig_ns_any: set[str] = set()
        for res in resources:
            seen: set[str] = set()
            for rid in res.prev_ids:
                if rid.name not in seen:
                    seen.add(rid.name)
                    self.by_prev_name[rid.name].append(res)
            org_ns = res.org_id.ns_key
            if org_ns != CLUSTER_NS:
                self.orig_ns_to_cur[org_ns].add(res.id.ns_key)


def _rolebinding_namespaces(res: Resource) -> set[str]:
    if res.kind != "RoleBinding":
        return set()
    out: set[str] = set()
    for subject in res.body.get("subjects") or []:
        if isinstance(subject, dict) and "namespace" in subject and subject.get("kind") == "ServiceAccount":
            ns = subject["namespace"]
            if not isinstance(ns, str):
                raise RenderError(f"Invalid Input: namespace is blank for resource {res.id}")
            out.add(ns)
    return out


class _Referrer:
    """One referring resource and what it may refer to."""

    def __init__(self, res: Resource) -> None:
        self.res = res
        self.id = res.id
        self.cluster = res.gvk.cluster_scoped
        self.ns = self.id.ns_key
        self.rb_namespaces = _rolebinding_namespaces(res)

    def can_refer_to(self, target: Resource) -> bool:
        if self.cluster:
            return True
        tid = target.id
        if tid.gvk.cluster_scoped or tid.ns_key == self.ns:
            return True
        return target.namespace in self.rb_namespaces


def fix_name_references(resources: ResourceList, backrefs: Sequence[NameBackRef]) -> None:
    index = _Index(resources)
    referrers = {id(r): _Referrer(r) for r in resources}
    for res in resources:
        org_gvk = res.org_id.gvk
        ref = referrers[id(res)]
        for backref in backrefs:
            for fs in backref.referrers:
                if not org_gvk.selected_by(fs.group, fs.version, fs.kind):
                    continue
                setter = _make_setter(ref, backref.gvk, fs, index)
                apply_fieldspec(res.body, FieldSpec(fs.path, create=False), setter)
    resources.reindex()


def _make_setter(ref: _Referrer, target: Gvk, fs: FieldSpec, index: _Index) -> Callable[[Any], Any]:
    def candidates_for(name: str) -> list[Resource]:
        return [c for c in index.by_prev_name.get(name, ()) if ref.can_refer_to(c)]

    def set_scalar(value: Any) -> Any:
        if not isinstance(value, str):
            if value is None or isinstance(value, (dict, list)):
                return KEEP
            value = str(value)
        referral = _select(ref, target, fs, value, candidates_for(value), by_namespace=False)
        if referral is None or referral.name == value:
            return KEEP
        return referral.name

    def set_mapping(node: dict[str, Any]) -> None:
        if "name" not in node:
            raise RenderError(f"path config error; no 'name' field in node (field '{fs.path}' of {ref.id})")
        old = node["name"]
        if not isinstance(old, str):
            return
        cands = candidates_for(old)
        if "namespace" in node:
            ns = node["namespace"]
            ns = "" if ns is None else str(ns)
            if _has_orig_ns(ref, ns, index):
                cands = [c for c in cands if c.org_id.ns_key == ns and c.org_id.ns_key != CLUSTER_NS]
            else:
                cands = [c for c in cands if c.id.ns_key == ns and c.id.ns_key != CLUSTER_NS]
        referral = _select(ref, target, fs, old, cands, by_namespace=True)
        if referral is None:
            return
        if referral.name == old and referral.namespace == "":
            return
        node["name"] = referral.name
        if referral.namespace:
            node["namespace"] = referral.namespace

    def setter(value: Any) -> Any:
        if value is None:
            return KEEP
        if isinstance(value, dict):
            set_mapping(value)
            return KEEP
        if isinstance(value, list):
            for i, elem in enumerate(value):
                if elem is None:
                    continue
                if isinstance(elem, dict):
                    set_mapping(elem)
                elif isinstance(elem, list):
                    raise RenderError(f"{elem!r} is expected to be either a string or a map of string")
                else:
                    new = set_scalar(elem)
                    if new is not KEEP:
                        value[i] = new
            return KEEP
        return set_scalar(value)

    return setter


def _has_orig_ns(ref: _Referrer, ns: str, index: _Index) -> bool:
    current = index.orig_ns_to_cur.get(ns)
    if not current:
        return False
    if ref.cluster:
        return True
    return ref.ns in current or bool(current & ref.rb_namespaces)


def _role_ref_gvk(res: Resource) -> Gvk | None:
    role_ref = res.body.get("roleRef")
    if not isinstance(role_ref, dict) or role_ref.get("apiGroup") is None or role_ref.get("kind") is None:
        return None
    return Gvk(str(role_ref["apiGroup"]), "", str(role_ref["kind"]))


def _select(ref: _Referrer, target: Gvk, fs: FieldSpec, old: str, cands: list[Resource], *, by_namespace: bool) -> Resource | None:
    cands = [c for c in cands if any(p.gvk.selected_by(target.group, target.version, target.kind) for p in c.prev_ids)]
    if fs.path.endswith("roleRef/name"):
        rr = _role_ref_gvk(ref.res)
        if rr is not None:
            cands = [c for c in cands if any(p.gvk.selected_by(rr.group, rr.version, rr.kind) for p in c.prev_ids)]
    if not ref.cluster:
        cands = [c for c in cands if c.gvk.cluster_scoped or c.kind == "ServiceAccount" or c.id.ns_key == ref.ns]
    if len(cands) == 1:
        return cands[0]
    cands = [c for c in cands if _affixes_equal(c, ref.res, True)]
    if len(cands) > 1:
        cands = [c for c in cands if _affixes_equal(c, ref.res, False)]
    if len(cands) == 1:
        return cands[0]
    if not cands:
        return None
    first = cands[0]
    if all(c.name == first.name and (not by_namespace or c.namespace == first.namespace) for c in cands):
        return first
    ids = ", ".join(str(c.id) for c in cands)
    raise RenderError(f"found multiple possible referrals: {ids} (referrer {ref.id}, field '{fs.path}')")
