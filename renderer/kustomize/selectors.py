"""Patch and replacement target selectors: group/version/kind, regex name and namespace,
Kubernetes label and annotation selector expressions."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

from ..core.errors import InputError
from ..core.resource import Resource
from .regex import GoRegex, anchored

Requirement = Callable[[dict[str, str]], bool]

_TOKEN = re.compile(r"\s*(!=|==|=|!|\(|\)|,|[^\s!=(),]+)")


def _absent(key: str) -> Requirement:
    return lambda labels: key not in labels


def _present(key: str) -> Requirement:
    return lambda labels: key in labels


def _equals(key: str, value: str, negate: bool) -> Requirement:
    return lambda labels: (labels.get(key) == value) != negate


def _member(key: str, values: frozenset[str], negate: bool) -> Requirement:
    return lambda labels: (labels.get(key) in values) != negate


def parse_label_selector(text: str, where: str | None = None) -> list[Requirement]:
    """Parse 'a=b,c!=d,e in (x,y),f notin (z),g,!h' into predicates over a label map."""
    tokens = [t for t in _TOKEN.findall(text or "")]
    reqs: list[Requirement] = []
    i = 0

    def err(msg: str) -> InputError:
        return InputError(f"invalid label selector {text!r}: {msg}", file=where)

    while i < len(tokens):
        tok = tokens[i]
        if tok == "!":
            if i + 1 >= len(tokens):
                raise err("expected a key after '!'")
            key = tokens[i + 1]
            reqs.append(_absent(key))
            i += 2
        else:
            key = tok
            i += 1
            op = tokens[i] if i < len(tokens) else ","
            if op in ("=", "=="):
                value = tokens[i + 1] if i + 1 < len(tokens) and tokens[i + 1] != "," else ""
                i += 2 if value else 1
                reqs.append(_equals(key, value, False))
            elif op == "!=":
                value = tokens[i + 1] if i + 1 < len(tokens) and tokens[i + 1] != "," else ""
                i += 2 if value else 1
                reqs.append(_equals(key, value, True))
            elif op in ("in", "notin"):
                if i + 1 >= len(tokens) or tokens[i + 1] != "(":
                    raise err(f"expected '(' after {op}")
                j = i + 2
                values: set[str] = set()
                while j < len(tokens) and tokens[j] != ")":
                    if tokens[j] != ",":
                        values.add(tokens[j])
                    j += 1
                if j >= len(tokens):
                    raise err("missing ')'")
                i = j + 1
                reqs.append(_member(key, frozenset(values), op == "notin"))
            elif op == ",":
                reqs.append(_present(key))
            else:
                raise err(f"unexpected {op!r}")
        if i < len(tokens):
            if tokens[i] != ",":
                raise err(f"expected ',' but found {tokens[i]!r}")
            i += 1
    return reqs


@dataclass(frozen=True)
class Selector:
    group: str = ""
    version: str = ""
    kind: str = ""
    name: str = ""
    namespace: str = ""
    label_selector: str = ""
    annotation_selector: str = ""

    @classmethod
    def from_dict(cls, data: Any, where: str | None = None) -> "Selector":
        if not isinstance(data, dict):
            raise InputError(f"a target selector must be a mapping, got {data!r}", file=where)
        known = {"group", "version", "kind", "name", "namespace", "labelSelector", "annotationSelector"}
        unknown = set(data) - known
        if unknown:
            raise InputError(f"unknown field(s) in target selector: {', '.join(sorted(unknown))}", file=where)

        def text(key: str) -> str:
            value = data.get(key)
            return "" if value is None else str(value)

        return cls(text("group"), text("version"), text("kind"), text("name"), text("namespace"),
                   text("labelSelector"), text("annotationSelector"))

    def compile(self, where: str | None = None) -> "CompiledSelector":
        def rx(value: str, field_name: str) -> GoRegex | None:
            return anchored(value, what=f"target {field_name}", file=where)

        return CompiledSelector(
            self,
            rx(self.group, "group"),
            rx(self.version, "version"),
            rx(self.kind, "kind"),
            rx(self.name, "name"),
            rx(self.namespace, "namespace"),
            parse_label_selector(self.label_selector, where) if self.label_selector else [],
            parse_label_selector(self.annotation_selector, where) if self.annotation_selector else [],
        )

    def __str__(self) -> str:
        parts = [f"{k}={v}" for k, v in (
            ("group", self.group), ("version", self.version), ("kind", self.kind), ("name", self.name),
            ("namespace", self.namespace), ("labelSelector", self.label_selector),
            ("annotationSelector", self.annotation_selector)) if v]
        return "{" + ", ".join(parts) + "}"


@dataclass(frozen=True)
class CompiledSelector:
    selector: Selector
    group_re: GoRegex | None
    version_re: GoRegex | None
    kind_re: GoRegex | None
    name_re: GoRegex | None
    ns_re: GoRegex | None
    labels: list[Requirement]
    annotations: list[Requirement]

    def matches(self, res: Resource) -> bool:
        if self.ns_re is not None:
            org, cur = res.org_id, res.id
            if not self.ns_re.search(_effective_ns(org)) and not self.ns_re.search(_effective_ns(cur)):
                return False
        if self.name_re is not None:
            if not self.name_re.search(res.org_id.name) and not self.name_re.search(res.name):
                return False
        gvk = res.gvk  # group, version and kind are anchored regexes too (kustomize's SelectorRegex)
        for rx, value in ((self.group_re, gvk.group), (self.version_re, gvk.version), (self.kind_re, gvk.kind)):
            if rx is not None and not rx.search(value):
                return False
        meta = res.body.get("metadata") or {}
        if self.labels:
            labels = {str(k): str(v) for k, v in (meta.get("labels") or {}).items()}
            if not all(req(labels) for req in self.labels):
                return False
        if self.annotations:
            annos = {str(k): str(v) for k, v in (meta.get("annotations") or {}).items()}
            if not all(req(annos) for req in self.annotations):
                return False
        return True


def _effective_ns(rid: Any) -> str:
    from ..core.resource import CLUSTER_NS

    ns = rid.ns_key
    return "_non_namespaceable_" if ns == CLUSTER_NS else ns
