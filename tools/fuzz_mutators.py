"""Structured mutations of a dry repository for tools/fuzz_cli.py.

Each mutator takes the repository, a seeded `random.Random` and the `Tree` index of what the
repository holds (kustomizations, charts, Flux and Argo objects, sluice.yaml) and edits the
files in place, returning a one-line description (kept in the case record, so a failure
reads as the list of edits that produced it). Everything is a function of the generator's
state: the same seed yields the same repository, byte for byte.

The markers are what the checks look for: OUTSIDE (a file beside the repository), the
token in .git/config, /etc/passwd's first line, an environment variable only readable
through /proc/self/environ, and the planted Secret values.
"""
from __future__ import annotations

import base64
import os
import random
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import yaml

OUTSIDE_MARKER = "OUTSIDEMARK9q7z"
TOKEN = "ghs_FUZZTOKEN0123456789abcdef"
ENV_MARKER = "ENVMARK4k2w"
SECRET_MARKER = "s3cretVALx8"  # every planted Secret value holds it
PASSWD_LINE = "root:x:0:0:"
RAW = "__FUZZRAW{}__"  # placeholder replaced by raw YAML text after dumping

YAML_EXT = (".yaml", ".yml")


def secret_value(n: int) -> str:
    return f"{SECRET_MARKER}-{n:03d}-pw"


def base64_cores(marker: str) -> list[str]:
    """Substrings that every base64 encoding of any text holding `marker` contains, one per
    alignment of the marker within the 3-byte groups."""
    cores = []
    raw = marker.encode()
    for pad in range(3):
        enc = base64.b64encode(b"\0" * pad + raw + b"\0\0\0").decode()
        start = -(-pad * 4 // 3) + 1  # skip the characters the padding bytes touch
        end = ((pad + len(raw)) // 3) * 4 - 1
        if end - start >= 8:
            cores.append(enc[start:end])
    return cores


@dataclass
class Tree:
    """What the repository holds, by role (repo-relative POSIX paths)."""
    root: Path
    yamls: list[str] = field(default_factory=list)
    kustomizations: list[str] = field(default_factory=list)
    charts: list[str] = field(default_factory=list)  # chart directories
    templates: list[str] = field(default_factory=list)
    values: list[str] = field(default_factory=list)
    helmreleases: list[str] = field(default_factory=list)
    flux_kustomizations: list[str] = field(default_factory=list)
    appsets: list[str] = field(default_factory=list)
    applications: list[str] = field(default_factory=list)
    secrets: list[str] = field(default_factory=list)
    flux_clusters: list[str] = field(default_factory=list)
    dirs: list[str] = field(default_factory=list)

    @classmethod
    def scan(cls, root: Path) -> "Tree":
        tree = cls(root)
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if d != ".git")
            rel_dir = os.path.relpath(dirpath, root).replace(os.sep, "/")
            rel_dir = "" if rel_dir == "." else rel_dir
            tree.dirs.append(rel_dir or ".")
            if os.path.basename(dirpath) == "flux-system":
                tree.flux_clusters.append(os.path.dirname(rel_dir) or ".")
            for name in sorted(filenames):
                rel = f"{rel_dir}/{name}" if rel_dir else name
                full = Path(dirpath, name)
                if full.is_symlink() or not full.is_file():
                    continue
                if name == "Chart.yaml":
                    tree.charts.append(rel_dir or ".")
                if "/templates/" in f"/{rel}" and (name.endswith(YAML_EXT) or name.endswith(".tpl")):
                    tree.templates.append(rel)
                if not name.endswith(YAML_EXT) or full.stat().st_size > 2_000_000:
                    continue
                tree.yamls.append(rel)
                if name in ("kustomization.yaml", "kustomization.yml", "Kustomization"):
                    tree.kustomizations.append(rel)
                if name.startswith("values") and "/templates/" not in f"/{rel}":
                    tree.values.append(rel)
                try:
                    text = full.read_text(encoding="utf-8", errors="replace")
                except OSError:
                    continue
                for kind, bucket in (("HelmRelease", tree.helmreleases), ("ApplicationSet", tree.appsets),
                                     ("Application", tree.applications), ("Secret", tree.secrets)):
                    if f"kind: {kind}\n" in text:
                        bucket.append(rel)
                if "kustomize.toolkit.fluxcd.io" in text:
                    tree.flux_kustomizations.append(rel)
        return tree


# -- YAML as data ------------------------------------------------------------------------

class _Loader(yaml.SafeLoader):
    """pyyaml's safe loader, but keys of any shape load (as text) so that a tree holding
    odd keys can still be mutated."""


def load_docs(path: Path) -> list[Any] | None:
    try:
        return list(yaml.load_all(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader))
    except Exception:  # noqa: BLE001 - a file the mutators cannot parse gets text mutations
        return None


def dump_docs(docs: list[Any], raws: dict[str, str]) -> str:
    text = yaml.safe_dump_all(docs, allow_unicode=True, sort_keys=False, explicit_start=len(docs) > 1, width=10_000)
    for key, raw in raws.items():
        text = text.replace(f"'{key}'", raw).replace(key, raw)
    return text


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in list(node.items())[:50]:
            out += _paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node[:50]):
            out += _paths(v, prefix + (i,))
    return out


def _get(node: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        node = node[part]
    return node


def _set(node: Any, path: tuple[Any, ...], value: Any) -> None:
    _get(node, path[:-1])[path[-1]] = value


def _del(node: Any, path: tuple[Any, ...]) -> None:
    parent = _get(node, path[:-1])
    del parent[path[-1]]


class Raw:
    """Raw YAML text to splice into a dumped document (anchors, tags, flow nesting)."""

    def __init__(self) -> None:
        self.snippets: dict[str, str] = {}

    def __call__(self, text: str) -> str:
        key = RAW.format(len(self.snippets))
        self.snippets[key] = text
        return key


def billion_laughs(levels: int = 9) -> str:
    parts = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, levels):
        parts.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    return "{" + ", ".join(parts) + "}"


def odd_scalar(rng: random.Random, raw: Raw, outside: str) -> Any:
    """A value of another type or shape than the field expects."""
    choices: list[Callable[[], Any]] = [
        lambda: None, lambda: True, lambda: 0, lambda: -1, lambda: 2**63, lambda: -(2**64) - 1,
        lambda: 1.5, lambda: float("inf"), lambda: float("nan"), lambda: "", lambda: " ",
        lambda: [], lambda: {}, lambda: [None], lambda: {"": None}, lambda: [[[]]], lambda: {"a": {"b": {"c": []}}},
        lambda: "x" * rng.choice([300, 70_000, 3_000_000]),
        lambda: "\u202e\u200b\ufeff\U0001f600 é ñ ß \u0130",
        lambda: "a\nb\r\nc\td",
        lambda: "../" * rng.randint(1, 8),
        lambda: "../../outside/secret.txt", lambda: outside + "/secret.txt", lambda: outside,
        lambda: "/etc/passwd", lambda: "file:///etc/passwd", lambda: f"file://{outside}/secret.txt",
        lambda: "/proc/self/environ", lambda: ".git/config", lambda: "../.git/config", lambda: "~/.ssh/id_rsa",
        lambda: "/dev/zero", lambda: "/dev/stdin", lambda: ".", lambda: "/", lambda: "//", lambda: "./././",
        lambda: "https://example.com/x.git", lambda: "git::https://example.com/x//p?ref=v1", lambda: "oci://example.com/c",
        lambda: "{{ .x }}", lambda: "{{", lambda: "}}{{", lambda: "$(VAR)", lambda: "${VAR}", lambda: "${VAR:=x}",
        lambda: "(a|aa)+$", lambda: "*a*a*a*a*a*a*a*c", lambda: "[", lambda: "**", lambda: "*", lambda: "\\",
        lambda: "1" * 5000, lambda: "0x" + "f" * 40, lambda: "1e999", lambda: "-0", lambda: "v1.2.3-rc.1+build",
        lambda: raw("\"\\ud800\""), lambda: raw("\"\\x00\\x01\""), lambda: raw("\"\\U0010FFFF\\u2028\\x85\""),
        lambda: raw("9" * 5000), lambda: raw("0b" + "1" * 200), lambda: raw("0o777777777777777777777777"),
        lambda: raw("1_000_000"), lambda: raw(".nan"), lambda: raw("-.inf"), lambda: raw("1e400"), lambda: raw("0x_ff"),
        lambda: raw("!!binary aGVsbG8="), lambda: raw("!!set {a, b}"), lambda: raw("!!omap [{a: 1}, {b: 2}]"),
        lambda: raw("!!timestamp 2001-12-14t21:59:43.10-05:00"), lambda: raw("2001-12-14"), lambda: raw("!custom x"),
        lambda: raw("!!python/object/apply:os.system [echo PWNED]"), lambda: raw("!!int 'x'"), lambda: raw("!!float '1'"),
        lambda: raw("!!str 123"), lambda: raw("!<tag:example.com,2000:x> y"), lambda: raw("yes"), lambda: raw("off"),
        lambda: raw("~"), lambda: raw("{[a, b]: c}"), lambda: raw("{? {a: 1} : x}"), lambda: raw("{<<: {a: 1}, b: 2}"),
        lambda: raw("{<<: [{a: 1}, {b: 2}], c: 3}"), lambda: raw("{<<: 5}"), lambda: raw("{a: 1, a: 2}"),
        lambda: raw(billion_laughs(rng.choice([4, 7, 9]))),
        lambda: raw("[" * 3000 + "]" * 3000), lambda: raw("{a: " * 2000 + "1" + "}" * 2000),
        lambda: raw("&anc [1, 2]"), lambda: raw("*undefined_alias"), lambda: raw("=1"), lambda: raw("<<"),
        lambda: raw("|\n  block\n  text"), lambda: raw(">-\n  folded"),
    ]
    return rng.choice(choices)()


# -- generic YAML mutations --------------------------------------------------------------

def _pick(rng: random.Random, items: list[str]) -> str | None:
    return rng.choice(items) if items else None


def mutate_yaml_structure(repo: Path, rng: random.Random, tree: Tree, rel: str | None = None) -> str:
    """Replace a node by another type, delete, rename or duplicate a key, or add one."""
    rel = rel or _pick(rng, tree.yamls)
    if rel is None:
        return "no yaml"
    path = repo / rel
    docs = load_docs(path)
    if not docs or all(d is None for d in docs):
        return mutate_yaml_text(repo, rng, tree, rel)
    raw = Raw()
    outside = str(repo.parent / "outside")
    edits = []
    for _ in range(rng.randint(1, 3)):
        idx = rng.randrange(len(docs))
        if not isinstance(docs[idx], (dict, list)):
            docs[idx] = odd_scalar(rng, raw, outside)
            edits.append(f"doc{idx}=odd")
            continue
        paths = _paths(docs[idx])
        if isinstance(docs[idx], dict) and docs[idx].get("kind") == "Secret":  # a Secret stays one (see change_kind)
            paths = [p for p in paths if p[:1] not in (("kind",), ("apiVersion",))]
        target = rng.choice(paths[1:] or paths)
        op = rng.choice(["replace", "replace", "replace", "delete", "rename", "add", "wrap", "dupdoc", "nulldoc"])
        try:
            if op == "replace" and target:
                _set(docs[idx], target, odd_scalar(rng, raw, outside))
            elif op == "delete" and target:
                _del(docs[idx], target)
            elif op == "rename" and target and isinstance(target[-1], str):
                parent = _get(docs[idx], target[:-1])
                new = rng.choice([target[-1].upper(), target[-1] + "s", "", "\u0430" + target[-1][1:], "<<", "?", "-"])
                parent[new] = parent.pop(target[-1])
            elif op == "add":
                node = _get(docs[idx], target)
                key = rng.choice(["unknownField", "$patch", "$setElementOrder/x", "__proto__", "metadata", "spec",
                                  "kind", "apiVersion", "name", "items", "<<"])
                if isinstance(node, dict):
                    node[key] = odd_scalar(rng, raw, outside)
                elif isinstance(node, list):
                    node.append(odd_scalar(rng, raw, outside))
            elif op == "wrap" and target:
                _set(docs[idx], target, rng.choice([[_get(docs[idx], target)], {"x": _get(docs[idx], target)}]))
            elif op == "dupdoc":
                docs.append(docs[idx])
            elif op == "nulldoc":
                docs.insert(rng.randint(0, len(docs)), rng.choice([None, "text", 1, []]))
        except (KeyError, IndexError, TypeError):
            continue
        edits.append(f"{op} {'/'.join(map(str, target))[:60]}")
    try:
        path.write_text(dump_docs(docs, raw.snippets), encoding="utf-8", errors="surrogatepass")
    except (yaml.YAMLError, RecursionError, ValueError) as exc:
        return f"yaml-struct {rel}: dump failed {type(exc).__name__}"
    return f"yaml-struct {rel}: {'; '.join(edits)}"


def mutate_yaml_text(repo: Path, rng: random.Random, tree: Tree, rel: str | None = None) -> str:
    """Edits below the data model: truncation, bad bytes, duplicate keys, directives,
    document markers, tabs, BOMs and other encodings."""
    rel = rel or _pick(rng, tree.yamls)
    if rel is None:
        return "no yaml"
    path = repo / rel
    data = path.read_bytes()
    lines = data.split(b"\n")
    op = rng.choice(["truncate", "bytes", "dupkey", "dupline", "directive", "docmarks", "tabs", "bom16", "crlf",
                     "nonutf8", "control", "indent", "anchor", "bomb", "deep", "empty", "hugeline", "nul"])
    i = rng.randrange(max(1, len(lines)))
    if op == "truncate":
        data = data[: rng.randrange(max(1, len(data)))]
    elif op == "bytes":
        pos = rng.randrange(max(1, len(data)))
        data = data[:pos] + bytes(rng.randrange(256) for _ in range(rng.randint(1, 8))) + data[pos:]
    elif op in ("dupkey", "dupline"):
        lines.insert(i, lines[i] if op == "dupline" else (lines[0] if lines else b"a: 1"))
        data = b"\n".join(lines)
    elif op == "directive":
        data = rng.choice([b"%YAML 1.1\n---\n", b"%YAML 9.9\n---\n", b"%TAG ! tag:evil.com,2000:\n---\n",
                           b"%FOO bar\n---\n"]) + data
    elif op == "docmarks":
        lines.insert(i, rng.choice([b"---", b"...", b"--- !!map", b"--- |", b"---\n---\n---", b"--- >\n x"]))
        data = b"\n".join(lines)
    elif op == "tabs":
        data = data.replace(b"  ", b"\t", rng.randint(1, 5))
    elif op == "bom16":
        data = data.decode("utf-8", "replace").encode(rng.choice(["utf-16", "utf-32", "utf-16-be"]))
    elif op == "crlf":
        data = data.replace(b"\n", rng.choice([b"\r\n", b"\r", b"\x85", "\u2028".encode()]))
    elif op == "nonutf8":
        data = data + b"\nk: \xff\xfe\xc3\x28\xed\xa0\x80\n"
    elif op == "control":
        data = data + b"\nk: \"a\x00b\x1bc\x7f\"\n"
    elif op == "indent":
        lines[i] = b" " * rng.randint(1, 7) + lines[i]
        data = b"\n".join(lines)
    elif op == "anchor":
        data = b"x: &top\n  - *top\n" + data if rng.random() < 0.5 else data + b"\nextra: *nowhere\n"
    elif op == "bomb":
        data = ("bomb: " + billion_laughs(9) + "\n").encode() + data
    elif op == "deep":
        depth = rng.choice([200, 1500, 20000])
        data = data + ("\ndeep: " + "[" * depth + "]" * depth + "\n").encode()
    elif op == "empty":
        data = rng.choice([b"", b"\n", b"---\n", b"null\n", b"~\n", b"[]\n", b"'just a string'\n", b"42\n"])
    elif op == "hugeline":
        data = data + b"\nhuge: " + b"y" * rng.choice([1 << 16, 1 << 22, 30_000_000]) + b"\n"
    elif op == "nul":
        data = data.replace(b":", b"\x00:", 1)
    path.write_bytes(data)
    return f"yaml-text {rel}: {op}@{i}"


def change_kind(repo: Path, rng: random.Random, tree: Tree) -> str:
    rel = _pick(rng, tree.yamls)
    if rel is None:
        return "no yaml"
    docs = load_docs(repo / rel)
    if not docs:
        return f"change-kind {rel}: unparsable"
    doc = rng.choice(docs)
    if not isinstance(doc, dict):
        return f"change-kind {rel}: not a mapping"
    if doc.get("kind") == "Secret":  # its values would then be another kind's data, shown by design
        return f"change-kind {rel}: a Secret left alone"
    kinds = [("v1", "Secret"), ("v1", "ConfigMap"), ("v1", "List"), ("argoproj.io/v1alpha1", "Application"),
             ("argoproj.io/v1alpha1", "ApplicationSet"), ("argoproj.io/v1alpha1", "AppProject"),
             ("helm.toolkit.fluxcd.io/v2", "HelmRelease"), ("kustomize.toolkit.fluxcd.io/v1", "Kustomization"),
             ("kustomize.config.k8s.io/v1beta1", "Kustomization"), ("kustomize.config.k8s.io/v1alpha1", "Component"),
             ("source.toolkit.fluxcd.io/v1", "GitRepository"), ("source.toolkit.fluxcd.io/v1", "HelmRepository"),
             ("source.toolkit.fluxcd.io/v1beta2", "OCIRepository"), ("apiextensions.k8s.io/v1", "CustomResourceDefinition"),
             ("fluxcd.controlplane.io/v1", "FluxInstance"), ("v1", ""), ("", "Deployment"), ("x/y/z", "Weird")]
    doc["apiVersion"], doc["kind"] = rng.choice(kinds)
    (repo / rel).write_text(dump_docs(docs, {}), encoding="utf-8")
    return f"change-kind {rel}: {doc['apiVersion']}/{doc['kind']}"


# -- kustomize ------------------------------------------------------------------------

ODD_PATHS = ["../../outside", "../../outside/plain", "../../outside/secret.txt", "/etc/passwd", "/etc",
             "file:///etc/passwd", "OUTSIDE/dir", "OUTSIDE/plain/cm.yaml", ".git", "../.git/config", ".", "./", "..",
             "missing.yaml", "https://example.com/x.yaml", "github.com/org/repo//base?ref=v1", "git@example.com:o/r.git",
             "/dev/zero", "/proc/self/environ", "", "kustomization.yaml", "a/../../b", "*.yaml", "fifo", "loop",
             "\x00", "é/ñ", "x" * 300, "a\nb", "link-out", "link-passwd", "link-git"]


def _outside_path(p: str, repo: Path) -> str:
    return p.replace("OUTSIDE", str(repo.parent / "outside"))


def mutate_kustomization(repo: Path, rng: random.Random, tree: Tree) -> str:
    rel = _pick(rng, tree.kustomizations)
    if rel is None:
        return mutate_yaml_structure(repo, rng, tree)
    docs = load_docs(repo / rel)
    if not docs or not isinstance(docs[0], dict):
        return mutate_yaml_text(repo, rng, tree, rel)
    k = docs[0]
    raw = Raw()
    outside = str(repo.parent / "outside")
    odd = lambda: _outside_path(rng.choice(ODD_PATHS), repo)  # noqa: E731
    op = rng.choice(["resources", "components", "patches", "patch-target", "generator-files", "generator-envs",
                     "generator-literals", "replacements", "helmCharts", "images", "replicas", "namespace", "prefix",
                     "crds", "openapi", "plugins", "labels", "json6902", "psm", "vars", "self-cycle", "buildMetadata",
                     "configurations", "sortOptions", "generatorOptions", "odd-field"])
    if op == "resources":
        k.setdefault("resources", [])
        if not isinstance(k["resources"], list):
            k["resources"] = []
        k["resources"].append(odd())
    elif op == "components":
        k["components"] = [odd(), rng.choice(["../", ".", "comp"])]
    elif op == "self-cycle":
        k["resources"] = list(k.get("resources") or []) + ["../" + os.path.basename(os.path.dirname(rel) or ".")]
    elif op == "patches":
        k["patches"] = [rng.choice([
            {"path": odd()},
            {"patch": odd_scalar(rng, raw, outside)},
            {"patch": "- op: add\n  path: /metadata/labels/x\n  value: y\n", "target": {"kind": odd_scalar(rng, raw, outside)}},
            {"patch": "- op: move\n  from: /spec\n  path: /spec/x\n", "target": {"kind": ".*"}},
            {"patch": "- op: copy\n  from: /metadata\n  path: /metadata/a/b/c\n"},
            {"patch": "- op: test\n  path: /a~2b\n  value: 1\n", "target": {"name": "(a|aa)+$"}},
            {"patch": "- op: replace\n  path: /spec/containers/999999999999999999999\n  value: 1\n", "target": {"kind": "Deployment"}},
            {"patch": "- op: remove\n  path: /spec/template/spec/containers/-\n", "target": {"kind": "Deployment"}},
            {"patch": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  $patch: delete\n"},
            {"patch": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: '*'}\nspec:\n  template:\n    spec:\n      containers:\n      - $patch: replace\n      - name: a\n        $retainKeys: [x]\n"},
            {"patch": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n  k: patched\n", "target": {"kind": "Secret"}},
            {"patch": "kind: Secret\nmetadata: {name: '*'}\ndata: {password: 1234}\n", "target": {"kind": "Secret"}},
            {"patch": "[", "target": {"labelSelector": "a in (b, c), !d, e notin (" + "f," * 500 + ")"}},
            {"patch": "- op: add\n  path: /x\n  value: 1\n", "target": {"annotationSelector": "a=b=c"}},
            {"target": {"version": "v1", "group": "[", "kind": "(?P<x>", "namespace": "\\"}, "patch": "{}"},
            {"patch": "- op: add\n  path: ''\n  value: []\n", "options": {"allowNameChange": "yes", "allowKindChange": 1}},
        ])]
    elif op == "patch-target":
        for p in k.get("patches") or []:
            if isinstance(p, dict):
                p["target"] = odd_scalar(rng, raw, outside) if rng.random() < 0.3 else {
                    rng.choice(["kind", "name", "namespace", "group", "version", "labelSelector"]): odd_scalar(rng, raw, outside)}
    elif op in ("generator-files", "generator-envs", "generator-literals"):
        gen = rng.choice(["configMapGenerator", "secretGenerator"])
        entry: dict[str, Any] = {"name": rng.choice(["gen", "", "x" * 300, "UPPER", "a/b"])}
        if op == "generator-files":
            entry["files"] = [rng.choice([odd(), "key=" + odd(), "=" + odd(), "k=", "big.bin", "fifo", "bad.env",
                                          "dir-here", "nonutf8.txt"])]
        elif op == "generator-envs":
            entry["envs"] = [rng.choice([odd(), "bad.env", "nonutf8.txt", "big.bin", "fifo"])]
        else:
            value = secret_value(91) if gen == "secretGenerator" else "plainvalue"
            entry["literals"] = [rng.choice([f"password={value}", "novalue", "=x", f"k={'v' * 100000}",
                                             f"dup={value}", "é=ñ", "a=b=c", "", f"{value}"])] * rng.randint(1, 2)
            if gen == "secretGenerator" and rng.random() < 0.5:
                entry["type"] = odd_scalar(rng, raw, outside)
        if rng.random() < 0.3:
            entry["behavior"] = rng.choice(["merge", "replace", "create", "bogus", 1])
        if rng.random() < 0.3:
            entry["options"] = {"disableNameSuffixHash": odd_scalar(rng, raw, outside), "labels": odd_scalar(rng, raw, outside)}
        k.setdefault(gen, [])
        if isinstance(k[gen], list):
            k[gen].append(entry)
        else:
            k[gen] = [entry]
        d = (repo / rel).parent
        value = secret_value(93) if gen == "secretGenerator" else "plainvalue"  # the marker only where it is a Secret's
        (d / "bad.env").write_bytes(rng.choice([b"NOEQUALS\n", b"=x\n", b"A=1\nA=2\n", b"\xff\xfe=1\n", b"export A=1\n",
                                                 f"SECRET={value}\nBAD LINE\n".encode(), b"A=\x00\n", f"K={value}\n".encode()]))
        (d / "nonutf8.txt").write_bytes(b"\xff\xfe\xfd" + value.encode())
        (d / "dir-here").mkdir(exist_ok=True)
    elif op == "replacements":
        k["replacements"] = [rng.choice([
            {"path": odd()},
            {"source": {"kind": "ConfigMap", "fieldPath": rng.choice(["data.[=]", "a.b.c.d.e.f.g", "*", "metadata.name.[name=x].y",
                                                                      "spec.template.spec.containers.[name=*].image", "[", "data.\\",
                                                                      "..", "", "data." + "x." * 2000])},
             "targets": [{"select": {"kind": odd_scalar(rng, raw, outside)},
                          "fieldPaths": [rng.choice(["spec.replicas", "metadata.labels.[a=b]", "x.-1", "data.*", "a.[0]"])],
                          "options": {"delimiter": rng.choice(["", ".", "\x00", "a" * 1000]),
                                      "index": rng.choice([-1, 0, 2**63, "x", 999999]), "create": odd_scalar(rng, raw, outside)}}]},
            {"source": {"kind": "Secret", "fieldPath": "data.password"},
             "targets": [{"select": {"kind": "ConfigMap"}, "fieldPaths": ["data.leak"], "options": {"create": True}}]},
            {"source": odd_scalar(rng, raw, outside), "targets": odd_scalar(rng, raw, outside)},
        ])]
    elif op == "helmCharts":
        k["helmCharts"] = [{
            "name": rng.choice(["web", "..", "/etc", "x" * 200, odd()]),
            "repo": rng.choice([None, "https://example.com/charts", odd(), "oci://example.com/c"]),
            "version": odd_scalar(rng, raw, outside) if rng.random() < 0.5 else "0.1.0",
            "releaseName": rng.choice(["r", "", "R" * 100, "a_b"]),
            "valuesFile": odd() if rng.random() < 0.5 else None,
            "valuesInline": odd_scalar(rng, raw, outside),
            "includeCRDs": odd_scalar(rng, raw, outside),
            "apiVersions": odd_scalar(rng, raw, outside),
        }]
        if rng.random() < 0.5:
            k["helmGlobals"] = {"chartHome": odd(), "configHome": odd()}
    elif op == "images":
        k["images"] = [{"name": rng.choice(["(a|aa)+", "*", "nginx", "", "a" * 500]),
                        "newName": odd_scalar(rng, raw, outside), "newTag": odd_scalar(rng, raw, outside),
                        "digest": rng.choice(["sha256:" + "0" * 64, "sha256:x", 1])}]
    elif op == "replicas":
        k["replicas"] = [{"name": rng.choice(["*", "web", ""]), "count": odd_scalar(rng, raw, outside)}]
    elif op == "namespace":
        k["namespace"] = odd_scalar(rng, raw, outside)
    elif op == "prefix":
        k[rng.choice(["namePrefix", "nameSuffix"])] = odd_scalar(rng, raw, outside)
    elif op == "crds":
        k["crds"] = [odd()]
    elif op == "openapi":
        k["openapi"] = rng.choice([{"path": odd()}, {"version": "v9"}, odd_scalar(rng, raw, outside)])
    elif op == "plugins":
        k[rng.choice(["generators", "transformers", "validators"])] = [rng.choice([
            odd(),
            "apiVersion: builtin\nkind: PrefixSuffixTransformer\nmetadata: {name: x}\nprefix: p-\nfieldSpecs: [{path: '" + "a/" * 500 + "'}]\n",
            "apiVersion: someteam.example.com/v1\nkind: ChartInflator\nmetadata: {name: x}\n",
            "apiVersion: builtin\nkind: HelmChartInflationGenerator\nmetadata: {name: x}\nname: c\nchartHome: /etc\n",
            "apiVersion: builtin\nkind: SecretGenerator\nmetadata: {name: s}\nfiles: [/etc/passwd]\n",
            "apiVersion: builtin\nkind: ReplacementTransformer\nmetadata: {name: r}\nreplacements: [{path: /etc/passwd}]\n",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  annotations:\n    config.kubernetes.io/function: |\n      exec: {path: /bin/sh}\n",
        ])]
    elif op == "labels":
        k[rng.choice(["labels", "commonLabels", "commonAnnotations"])] = rng.choice([
            [{"pairs": odd_scalar(rng, raw, outside), "includeSelectors": True, "fields": [{"path": "a/b/c", "create": True}]}],
            {odd_scalar(rng, raw, outside) if False else "k": odd_scalar(rng, raw, outside)}, odd_scalar(rng, raw, outside)])
    elif op == "json6902":
        k["patchesJson6902"] = [{"target": {"kind": "Deployment", "name": "*"}, "path": odd()}]
    elif op == "psm":
        k["patchesStrategicMerge"] = [rng.choice([odd(), "a: [", "apiVersion: v1\nkind: Secret\nmetadata: {name: x}\n"])]
    elif op == "vars":
        k["vars"] = [{"name": "V", "objref": {"kind": "Secret", "name": "s", "apiVersion": "v1"},
                      "fieldref": {"fieldpath": rng.choice(["data.password", "[", "metadata.name"])}}]
    elif op == "buildMetadata":
        k["buildMetadata"] = rng.choice([["originAnnotations", "managedByLabel"], ["bogus"], "x"])
    elif op == "configurations":
        k["configurations"] = [odd()]
    elif op == "sortOptions":
        k["sortOptions"] = {"order": rng.choice(["fifo", "legacy", "x"]), "legacySortOptions": odd_scalar(rng, raw, outside)}
    elif op == "generatorOptions":
        k["generatorOptions"] = {"disableNameSuffixHash": odd_scalar(rng, raw, outside), "immutable": odd_scalar(rng, raw, outside)}
    else:
        k[rng.choice(["apiVersion", "kind", "metadata", "bases", "inventory", "resources"])] = odd_scalar(rng, raw, outside)
    try:
        (repo / rel).write_text(dump_docs(docs, raw.snippets), encoding="utf-8", errors="surrogatepass")
    except (yaml.YAMLError, RecursionError, ValueError) as exc:
        return f"kustomize {rel}: dump failed {type(exc).__name__}"
    return f"kustomize {rel}: {op}"


# -- Helm ----------------------------------------------------------------------------

BAD_TEMPLATES = [
    '{{ define "loop" }}{{ include "loop" . }}{{ end }}{{ include "loop" . }}',
    '{{ define "t" }}{{ template "t" . }}{{ end }}{{ template "t" . }}',
    "{{ tpl (toYaml .Values) . }}",
    '{{ tpl "{{ tpl \\"{{ .Template.Name }}\\" . }}" . }}',
    "{{ range until 10000000 }}{{ . }}{{ end }}",
    "{{ range $i := until 100000 }}{{ range until 100000 }}x{{ end }}{{ end }}",
    '{{ repeat 1000000000 "a" }}',
    '{{ printf "%0999999999d" 1 }}',
    '{{ printf "%*d" 2000000000 1 }}',
    '{{ .Files.Get "../../outside/secret.txt" }}',
    '{{ .Files.Get "/etc/passwd" }}',
    '{{ .Files.Get ".git/config" }}',
    '{{ range $p, $_ := .Files.Glob "**" }}{{ $p }}: {{ $.Files.Get $p | quote }}\n{{ end }}',
    '{{ (.Files.Glob "../**").AsConfig }}',
    '{{ .Files.Lines "/proc/self/environ" }}',
    '{{ required "need x" .Values.nope }}',
    '{{ fail "boom" }}',
    "{{ .Values.a.b.c.d }}",
    "{{ index .Values 1 }}",
    "{{ .Values.x | toYaml | fromYaml | toJson | fromJson }}",
    '{{ "a: &a [*a]" | fromYaml }}',
    '{{ regexMatch "(a|aa)+$" (repeat 50 "a") }}',
    '{{ regexReplaceAll "(" "x" "y" }}',
    '{{ lookup "v1" "Secret" "ns" "x" }}',
    '{{ genPrivateKey "rsa" }}',
    '{{ b64dec "!!!" }}',
    '{{ include "missing" . }}',
    "{{ .Capabilities.KubeVersion.Version | semver }}",
    '{{ semverCompare ">1" "x" }}',
    "{{ now | date \"2006\" }}",
    "{{ toYaml .Values.huge }}",
    "{{ $x := dict }}{{ $_ := set $x \"a\" $x }}{{ toJson $x }}",
    "{{ $l := list }}{{ range until 25 }}{{ $l = concat $l $l (list 1) }}{{ end }}{{ len $l }}",
    "{{ $l := list 1 }}{{ range until 34 }}{{ $l = concat $l $l }}{{ end }}{{ len $l }}",
    '{{ indent 2000000000 "a" | len }}',
    '{{ $s := "ab" }}{{ range until 40 }}{{ $s = print $s $s }}{{ end }}{{ len $s }}',
    "{{ .Release.Name | trunc -5 }}",
    "{{ substr 5 1 \"abc\" }}",
    "{{ until -1 }}",
    "{{ seq 1 2000000000 }}",
    "{{ 1 }}{{",
    "{{ end }}",
    "{{/* unterminated",
    "{{ .Values.secret | b64enc }}",
    "{{ $.Files.Get (printf \"%s\" \"..\") }}",
    "{{ include (print \"a\" \"b\") . | indent 1000000000 }}",
    "{{ randAlpha 100000000 }}",
    "{{ sha256sum (repeat 100000000 \"a\") }}",
    "apiVersion: v1\nkind: Secret\nmetadata:\n  name: tpl-secret\nstringData:\n  pw: {{ .Values.fuzzPassword | default \"" + "S" + "\" }}\n",
]


def mutate_helm(repo: Path, rng: random.Random, tree: Tree) -> str:
    chart = _pick(rng, tree.charts)
    if chart is None:
        return mutate_yaml_structure(repo, rng, tree)
    base = repo / chart
    outside = str(repo.parent / "outside")
    raw = Raw()
    op = rng.choice(["template", "template", "template", "chart-yaml", "dependencies", "values", "schema", "helmignore",
                     "subchart-link", "requirements", "files-link", "crds", "notes", "huge-values"])
    if op == "template":
        name = rng.choice(["fuzz.yaml", "_helpers.tpl", "deep/x.yaml", "fuzz.txt"])
        body = rng.choice(BAD_TEMPLATES)
        if rng.random() < 0.3 and tree.templates:
            victim = rng.choice([t for t in tree.templates if t.startswith(chart + "/")] or tree.templates)
            text = (repo / victim).read_text(encoding="utf-8", errors="replace")
            pos = rng.randrange(max(1, len(text)))
            (repo / victim).write_text(text[:pos] + body + text[pos:], encoding="utf-8")
            return f"helm {victim}: insert {body[:50]!r}"
        (base / "templates" / name).parent.mkdir(parents=True, exist_ok=True)
        (base / "templates" / name).write_text(body + "\n", encoding="utf-8")
        return f"helm {chart}/templates/{name}: {body[:50]!r}"
    if op == "chart-yaml":
        return mutate_yaml_structure(repo, rng, tree, f"{chart}/Chart.yaml".lstrip("./"))
    if op == "dependencies":
        docs = load_docs(base / "Chart.yaml") or [{}]
        doc = docs[0] if isinstance(docs[0], dict) else {}
        doc["dependencies"] = [{
            "name": rng.choice(["sub", "..", "x" * 100, "", odd_scalar(rng, raw, outside)]),
            "version": rng.choice(["*", ">=0", "0.1.0", "[", odd_scalar(rng, raw, outside)]),
            "repository": rng.choice(["file://../../outside/dir", f"file://{outside}/dir", "file:///etc", "file://.",
                                      "file://..", "file://../" + os.path.basename(chart), "https://example.com/charts",
                                      "oci://example.com/charts", "@stable", "alias:x", "", odd_scalar(rng, raw, outside)]),
            "condition": odd_scalar(rng, raw, outside), "alias": rng.choice([None, "a", "../x", "A B"]),
            "import-values": odd_scalar(rng, raw, outside), "tags": odd_scalar(rng, raw, outside),
        }]
        (base / "Chart.yaml").write_text(dump_docs([doc], raw.snippets), encoding="utf-8", errors="surrogatepass")
        return f"helm {chart}/Chart.yaml: dependencies {doc['dependencies'][0]['repository']!r}"[:200]
    if op == "values":
        vals = [v for v in tree.values if v.startswith(chart + "/") or chart == "."] or [f"{chart}/values.yaml".lstrip("./")]
        rel = rng.choice(vals)
        if not (repo / rel).exists():
            (repo / rel).write_text("a: 1\n")
        return mutate_yaml_structure(repo, rng, tree, rel)
    if op == "schema":
        (base / "values.schema.json").write_text(rng.choice([
            '{"$ref": "file:///etc/passwd"}', '{"$ref": "../../outside/secret.txt"}', '{"$ref": "#"}',
            '{"$ref": "https://example.com/s.json"}', '{"type": "object", "required": ["nope"]}',
            '{"$id": "file:///etc/", "properties": {"a": {"$ref": "passwd"}}}', '{"$schema": "file:///etc/passwd"}',
            '{"properties": {"a": {"pattern": "(a|aa)+$"}}}', "{", '{"$defs": {"a": {"$ref": "#/$defs/a"}}, "$ref": "#/$defs/a"}',
            '{"type": "string"}', "[]", '{"$schema": "http://json-schema.org/draft-99/schema#"}',
        ]), encoding="utf-8")
        return f"helm {chart}/values.schema.json"
    if op == "helmignore":
        (base / ".helmignore").write_text(rng.choice(["*\n!templates\n", "[\n", "**/**/**/**\n", "\x00\n", "../\n"]))
        return f"helm {chart}/.helmignore"
    if op == "subchart-link":
        (base / "charts").mkdir(exist_ok=True)
        link = base / "charts" / rng.choice(["sub", "loop", "git"])
        if not os.path.lexists(link):
            link.symlink_to(rng.choice([f"{outside}/dir", "..", ".", "/etc", "../../.git", "../../" + os.path.basename(chart)]))
        return f"helm {chart}/charts/{link.name} -> {os.readlink(link)}"
    if op == "requirements":
        (base / "requirements.yaml").write_text(f"dependencies:\n- name: sub\n  version: 0.1.0\n  repository: file://{outside}/dir\n")
        return f"helm {chart}/requirements.yaml"
    if op == "files-link":
        (base / "files").mkdir(exist_ok=True)
        link = base / "files" / rng.choice(["a.txt", "b.txt", "etc"])
        if not os.path.lexists(link):
            link.symlink_to(rng.choice([f"{outside}/secret.txt", "/etc/passwd", "/proc/self/environ", "/etc", "../../../.git/config"]))
        (base / "templates" / "files.yaml").parent.mkdir(parents=True, exist_ok=True)
        (base / "templates" / "files.yaml").write_text(
            'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: files}\ndata:\n{{ (.Files.Glob "files/**").AsConfig | indent 2 }}\n')
        return f"helm {chart}/files/{link.name} -> {os.readlink(link)}"
    if op == "crds":
        (base / "crds").mkdir(exist_ok=True)
        (base / "crds" / "c.yaml").write_text(rng.choice(["a: [", "{{ .Values }}", "kind: CustomResourceDefinition\n",
                                                         "apiVersion: v1\nkind: Secret\nmetadata: {name: crdsec}\nstringData: {p: " + secret_value(95) + "}\n"]))
        return f"helm {chart}/crds/c.yaml"
    if op == "notes":
        (base / "templates").mkdir(exist_ok=True)
        (base / "templates" / "NOTES.txt").write_text(rng.choice(BAD_TEMPLATES))
        return f"helm {chart}/templates/NOTES.txt"
    (base / "values.yaml").write_text("huge: " + billion_laughs(rng.choice([5, 8])) + "\nfuzzPassword: " + secret_value(96) + "\n")
    return f"helm {chart}/values.yaml: laughs"


# -- Flux and Argo CD -------------------------------------------------------------------

def _edit_first(repo: Path, rng: random.Random, rel: str, kind: str, fn: Callable[[dict[str, Any], Raw], str]) -> str:
    docs = load_docs(repo / rel)
    if not docs:
        return f"{kind} {rel}: unparsable"
    mine = [d for d in docs if isinstance(d, dict) and d.get("kind") == kind]
    if not mine:
        return f"{kind} {rel}: none"
    raw = Raw()
    what = fn(rng.choice(mine), raw)
    try:
        (repo / rel).write_text(dump_docs(docs, raw.snippets), encoding="utf-8", errors="surrogatepass")
    except (yaml.YAMLError, RecursionError, ValueError) as exc:
        return f"{kind} {rel}: dump failed {type(exc).__name__}"
    return f"{kind} {rel}: {what}"


def mutate_flux(repo: Path, rng: random.Random, tree: Tree) -> str:
    outside = str(repo.parent / "outside")
    if tree.helmreleases and (not tree.flux_kustomizations or rng.random() < 0.5):
        rel = rng.choice(tree.helmreleases)

        def hr(doc: dict[str, Any], raw: Raw) -> str:
            spec = doc.setdefault("spec", {}) if isinstance(doc.get("spec", {}), dict) else {}
            op = rng.choice(["valuesFrom", "chart", "values", "postRenderers", "chartRef", "misc"])
            if op == "valuesFrom":
                spec["valuesFrom"] = [rng.choice([
                    {"kind": "Secret", "name": rng.choice(["fuzz-secret", "missing", odd_scalar(rng, raw, outside)]),
                     "valuesKey": rng.choice(["password", "values.yaml", "..", odd_scalar(rng, raw, outside)]),
                     "targetPath": rng.choice(["a.b", "a[0]", "a\\.b", "[", "a.b.c.d.e.f.g.h.i" * 30, odd_scalar(rng, raw, outside)])},
                    {"kind": "ConfigMap", "name": "x", "optional": odd_scalar(rng, raw, outside)},
                    {"kind": "Bogus", "name": "x"}, odd_scalar(rng, raw, outside)])]
            elif op == "chart":
                spec["chart"] = {"spec": {"chart": rng.choice(["../../outside/dir", outside + "/dir", "/etc", ".", "..",
                                                               "./" + rng.choice(tree.charts or ["c"]), odd_scalar(rng, raw, outside)]),
                                          "version": odd_scalar(rng, raw, outside),
                                          "sourceRef": rng.choice([{"kind": "GitRepository", "name": "flux-system", "namespace": "flux-system"},
                                                                   {"kind": "HelmRepository", "name": "x"}, odd_scalar(rng, raw, outside)]),
                                          "valuesFiles": [rng.choice(ODD_PATHS)]}}
            elif op == "values":
                spec["values"] = odd_scalar(rng, raw, outside)
            elif op == "postRenderers":
                spec["postRenderers"] = [{"kustomize": {"patches": [{"patch": odd_scalar(rng, raw, outside), "target": {"kind": "(a|aa)+"}}],
                                                        "images": odd_scalar(rng, raw, outside)}}]
            elif op == "chartRef":
                spec["chartRef"] = {"kind": rng.choice(["OCIRepository", "HelmChart", "X"]), "name": odd_scalar(rng, raw, outside)}
            else:
                spec[rng.choice(["releaseName", "targetNamespace", "storageNamespace", "dependsOn", "install", "driftDetection"])] = odd_scalar(rng, raw, outside)
            return op
        return _edit_first(repo, rng, rel, "HelmRelease", hr)
    rel = _pick(rng, tree.flux_kustomizations)
    if rel is None:
        return mutate_sluice_yaml(repo, rng, tree)

    def ks(doc: dict[str, Any], raw: Raw) -> str:
        spec = doc.setdefault("spec", {}) if isinstance(doc.get("spec", {}), dict) else {}
        op = rng.choice(["path", "path", "substitute", "substituteFrom", "dependsOn", "sourceRef", "patches", "components", "misc"])
        if op == "path":
            spec["path"] = rng.choice(["../../outside/plain", outside + "/plain", "/etc", "..", "./.git", "./", "",
                                       "./" + rng.choice(tree.dirs), "./clusters/../../..", odd_scalar(rng, raw, outside)])
        elif op == "substitute":
            spec.setdefault("postBuild", {})["substitute"] = rng.choice([
                {"VAR": odd_scalar(rng, raw, outside)}, {"": "x"}, {"a-b": "x"}, {"X": "${X}"}, {"X": "$" * 10000},
                odd_scalar(rng, raw, outside)])
        elif op == "substituteFrom":
            spec.setdefault("postBuild", {})["substituteFrom"] = [{"kind": rng.choice(["Secret", "ConfigMap", "X"]),
                                                                   "name": rng.choice(["fuzz-secret", "missing"]),
                                                                   "optional": odd_scalar(rng, raw, outside)}]
        elif op == "dependsOn":
            spec["dependsOn"] = [{"name": doc.get("metadata", {}).get("name", "x") if isinstance(doc.get("metadata"), dict) else "x"},
                                 odd_scalar(rng, raw, outside)]
        elif op == "sourceRef":
            spec["sourceRef"] = rng.choice([{"kind": "OCIRepository", "name": "x"}, {"kind": "Bucket", "name": "b"},
                                            {"kind": "GitRepository", "name": odd_scalar(rng, raw, outside)}, odd_scalar(rng, raw, outside)])
        elif op == "patches":
            spec["patches"] = [{"patch": odd_scalar(rng, raw, outside), "target": odd_scalar(rng, raw, outside)}]
        elif op == "components":
            spec["components"] = [rng.choice(ODD_PATHS)]
        else:
            spec[rng.choice(["targetNamespace", "namePrefix", "images", "commonMetadata", "prune", "interval"])] = odd_scalar(rng, raw, outside)
        return op
    return _edit_first(repo, rng, rel, "Kustomization", ks)


def mutate_argo(repo: Path, rng: random.Random, tree: Tree) -> str:
    outside = str(repo.parent / "outside")
    if tree.appsets and (not tree.applications or rng.random() < 0.6):
        rel = rng.choice(tree.appsets)

        def aset(doc: dict[str, Any], raw: Raw) -> str:
            spec = doc.setdefault("spec", {}) if isinstance(doc.get("spec", {}), dict) else {}
            op = rng.choice(["generator", "generator", "template", "goTemplate", "templatePatch", "strategy", "misc"])
            if op == "generator":
                spec["generators"] = [rng.choice([
                    {"list": {"elements": [{"cluster": odd_scalar(rng, raw, outside), "url": "https://kubernetes.default.svc"}] * rng.randint(1, 3)}},
                    {"list": {"elementsYaml": rng.choice(["- a: 1", "[", billion_laughs(6), "{{ .x }}"])}},
                    {"git": {"repoURL": "https://example.com/r.git", "revision": "HEAD",
                             "files": [{"path": rng.choice(["../../outside/*", "/etc/*", "**/*.json", ".git/*", "**", "[", "{a,b"])}]}},
                    {"git": {"repoURL": "https://example.com/r.git", "revision": "HEAD",
                             "directories": [{"path": rng.choice(["*", "../*", "/", "**/**/**", ".git"]), "exclude": odd_scalar(rng, raw, outside)}]}},
                    {"clusters": {"selector": {"matchExpressions": [{"key": "a", "operator": rng.choice(["In", "Bogus", "Exists"]),
                                                                      "values": odd_scalar(rng, raw, outside)}],
                                               "matchLabels": odd_scalar(rng, raw, outside)}}},
                    {"matrix": {"generators": [{"list": {"elements": [{"a": str(i)} for i in range(200)]}},
                                               {"list": {"elements": [{"b": str(i)} for i in range(200)]}}]}},
                    {"matrix": {"generators": [{"matrix": {"generators": [{"list": {"elements": [{}]}}] * 3}}] * 2}},
                    {"merge": {"mergeKeys": odd_scalar(rng, raw, outside), "generators": [{"list": {"elements": [{"a": 1}]}}] * 2}},
                    {"scmProvider": {"github": {"organization": "x"}}}, {"pullRequest": {}}, {"plugin": {"configMapRef": {"name": "x"}}},
                    {"clusterDecisionResource": {"configMapRef": "x"}}, {"bogus": {}}, odd_scalar(rng, raw, outside),
                ])]
            elif op == "template":
                tmpl = spec.setdefault("template", {}) if isinstance(spec.get("template", {}), dict) else {}
                md = tmpl.setdefault("metadata", {}) if isinstance(tmpl.get("metadata", {}), dict) else {}
                md["name"] = rng.choice(["{{ .name }}", "{{name}}", "{{", "{{ .a.b.c }}", '{{ index . "x" }}', "{{ range until 1000000 }}x{{ end }}",
                                         "{{ template \"t\" }}", '{{ define "t" }}{{ template "t" }}{{ end }}{{ template "t" }}',
                                         "{{ regexReplaceAll \"(a|aa)+\" (repeat 40 \"a\") \"b\" }}", "{{ repeat 100000000 \"x\" }}",
                                         "{{ toJson . }}", "{{ .path.path | base }}", "{{ printf \"%*d\" 1000000000 1 }}",
                                         odd_scalar(rng, raw, outside)])
            elif op == "goTemplate":
                spec["goTemplate"] = odd_scalar(rng, raw, outside) if rng.random() < 0.5 else True
                spec["goTemplateOptions"] = rng.choice([["missingkey=error"], ["missingkey=bogus"], odd_scalar(rng, raw, outside)])
            elif op == "templatePatch":
                spec["templatePatch"] = rng.choice(["spec:\n  source:\n    path: {{ .x }}\n", "[", "{{ range until 1000000 }}a: 1\n{{ end }}",
                                                    "spec: {project: '{{ toJson . }}'}", odd_scalar(rng, raw, outside)])
                spec["goTemplate"] = True
            elif op == "strategy":
                spec["strategy"] = {"type": "RollingSync", "rollingSync": {"steps": [{"matchExpressions": [{"key": "env", "operator": "In", "values": odd_scalar(rng, raw, outside)}],
                                                                                      "maxUpdate": odd_scalar(rng, raw, outside)}]}}
            else:
                spec[rng.choice(["syncPolicy", "preservedFields", "ignoreApplicationDifferences", "template"])] = odd_scalar(rng, raw, outside)
            return op
        return _edit_first(repo, rng, rel, "ApplicationSet", aset)
    rel = _pick(rng, tree.applications)
    if rel is None:
        return mutate_sluice_yaml(repo, rng, tree)

    def app(doc: dict[str, Any], raw: Raw) -> str:
        spec = doc.setdefault("spec", {}) if isinstance(doc.get("spec", {}), dict) else {}
        src = spec.get("source") if isinstance(spec.get("source"), dict) else spec.setdefault("source", {})
        op = rng.choice(["path", "repoURL", "helm", "kustomize", "directory", "sources", "destination", "plugin", "misc"])
        if op == "path":
            src["path"] = rng.choice(ODD_PATHS)
        elif op == "repoURL":
            src["repoURL"] = rng.choice(["file:///etc", f"file://{outside}", "/etc", "../outside", "", "https://example.com/other.git",
                                         odd_scalar(rng, raw, outside)])
        elif op == "helm":
            src["helm"] = {"valueFiles": [rng.choice(ODD_PATHS + ["$values/../../outside/values.yaml", "$nope/x"])],
                           "values": rng.choice(["a: [", "{{ .x }}", billion_laughs(6), "fuzzPassword: " + secret_value(97)]),
                           "valuesObject": odd_scalar(rng, raw, outside), "parameters": [{"name": rng.choice(["a.b[0].c", "[", "a\\,b", "x" * 1000]),
                                                                                          "value": odd_scalar(rng, raw, outside), "forceString": True}],
                           "fileParameters": [{"name": "f", "path": rng.choice(ODD_PATHS)}], "releaseName": odd_scalar(rng, raw, outside),
                           "kubeVersion": odd_scalar(rng, raw, outside), "apiVersions": odd_scalar(rng, raw, outside)}
        elif op == "kustomize":
            src["kustomize"] = {rng.choice(["namePrefix", "images", "patches", "components", "replicas", "commonLabels", "namespace",
                                            "version", "forceCommonLabels", "labelWithoutSelector"]): odd_scalar(rng, raw, outside)}
        elif op == "directory":
            src["directory"] = {"recurse": odd_scalar(rng, raw, outside), "include": rng.choice(["{a,b", "*a*a*a*a*c", "**", odd_scalar(rng, raw, outside)]),
                                "exclude": odd_scalar(rng, raw, outside), "jsonnet": {"libs": [outside]}}
        elif op == "sources":
            spec["sources"] = [dict(src, ref="values"), {"repoURL": src.get("repoURL"), "path": rng.choice(ODD_PATHS), "ref": odd_scalar(rng, raw, outside)}]
        elif op == "destination":
            spec["destination"] = rng.choice([{"name": odd_scalar(rng, raw, outside)}, {"server": "https://x", "name": "in-cluster"}, odd_scalar(rng, raw, outside)])
        elif op == "plugin":
            src["plugin"] = {"name": "x", "env": [{"name": "A", "value": "$(cat /etc/passwd)"}]}
        else:
            spec[rng.choice(["project", "syncPolicy", "ignoreDifferences", "info", "sourceHydrator"])] = odd_scalar(rng, raw, outside)
        return op
    return _edit_first(repo, rng, rel, "Application", app)


def mutate_sluice_yaml(repo: Path, rng: random.Random, tree: Tree) -> str:
    path = repo / "sluice.yaml"
    docs = load_docs(path) if path.exists() else [{}]
    doc = docs[0] if docs and isinstance(docs[0], dict) else {}
    raw = Raw()
    outside = str(repo.parent / "outside")
    key = rng.choice(["repositories", "limits", "output", "applications", "clusters", "fluxClusters", "exclude", "kubeVersion",
                      "apiVersions", "childApplications", "helmReleases", "clusterScopedKinds", "preserve", "helm",
                      "substitutions", "substitutionsFile", "repoURL", "inClusterEnabled", "unknown"])
    value: Any
    if key == "repositories":
        value = {rng.choice(["https://example.com/other.git", doc.get("repoURL", "x"), ""]): rng.choice(
            [outside, "../outside", "/etc", "~", "~root", ".git", "..", ".", "$HOME", "link-out", odd_scalar(rng, raw, outside)])}
    elif key == "limits":
        value = {rng.choice(["generatedApplications", "helmRenderSeconds", "helmOutputBytes", "templateSteps", "bogus"]):
                 rng.choice([0, -1, 2**64, 1e308, "x", None, 1, odd_scalar(rng, raw, outside)])}
    elif key == "output":
        value = {"dir": rng.choice(["link-out", "../outside", "/tmp/x", ".git", ".git/hooks", "apps", ".", "out/../..", "sluice.yaml",
                                    odd_scalar(rng, raw, outside)]),
                 "branchTemplate": rng.choice(["hydrated/{cluster}", "{cluster}/../..", "{nope}", "{cluster", "", "a..b", "x" * 300,
                                               "refs/heads/{cluster}", "-{cluster}", odd_scalar(rng, raw, outside)])}
    elif key in ("applications", "clusters", "fluxClusters", "exclude", "preserve", "apiVersions", "clusterScopedKinds"):
        value = [rng.choice(["**", "*", "[", "{a,b", "../**", "/etc/*", ".git/**", "**/**/**/**/**", "link-out/*", "", "\\",
                             odd_scalar(rng, raw, outside)]) for _ in range(rng.randint(1, 3))]
    elif key == "substitutionsFile":
        value = rng.choice(["../outside/values.yaml", "/etc/passwd", "link-out/values.yaml", ".git/config", "fifo", "missing.yaml"])
    elif key == "substitutions":
        value = {"*": {"Secret/flux-system/x": {"VAR": odd_scalar(rng, raw, outside)}}} if rng.random() < 0.5 else odd_scalar(rng, raw, outside)
    elif key == "helm":
        value = {"engine": rng.choice(["cli", "in-process", "bogus", odd_scalar(rng, raw, outside)])}
    else:
        value = odd_scalar(rng, raw, outside)
    doc[key] = value
    try:
        path.write_text(dump_docs([doc], raw.snippets), encoding="utf-8", errors="surrogatepass")
    except (yaml.YAMLError, RecursionError, ValueError) as exc:
        return f"sluice.yaml: dump failed {type(exc).__name__}"
    return f"sluice.yaml: {key}={str(value)[:80]!r}"


# -- the file system ---------------------------------------------------------------------

def mutate_fs(repo: Path, rng: random.Random, tree: Tree) -> str:
    outside = repo.parent / "outside"
    d = repo / rng.choice(tree.dirs or ["."])
    op = rng.choice(["link-file", "link-file", "link-dir", "link-loop", "fifo", "huge", "sparse", "deep", "nonutf8-name",
                     "odd-names", "file-dir-swap", "link-yaml", "unreadable", "gitfile", "submodule-git", "dev"])
    if op in ("link-file", "link-yaml"):
        rel = rng.choice(tree.yamls) if (op == "link-yaml" and tree.yamls) else None
        target = rng.choice([f"{outside}/secret.txt", f"{outside}/plain/cm.yaml", f"{outside}/values.yaml", "/etc/passwd",
                             "/proc/self/environ", f"{repo}/.git/config", "../" * 12 + "etc/passwd", "/dev/zero", "/dev/urandom"])
        link = repo / rel if rel else d / rng.choice(["link.yaml", "values.yaml", "kustomization.yaml", "cm.yaml", "link-passwd"])
        if link.exists() or link.is_symlink():
            link.unlink()
        link.symlink_to(target)
        return f"fs link {link.relative_to(repo)} -> {target}"
    if op == "link-dir":
        link = d / rng.choice(["link-out", "link-git", "sub", "charts"])
        if not os.path.lexists(link):
            link.symlink_to(rng.choice([str(outside), str(outside / "dir"), "/etc", "/", f"{repo}/.git", "..", "../" * 10]))
        return f"fs link-dir {link.relative_to(repo)} -> {os.readlink(link)}"
    if op == "link-loop":
        a, b = d / "loop", d / "loop2"
        for p in (a, b):
            if os.path.lexists(p):
                return "fs loop exists"
        a.symlink_to("loop2")
        b.symlink_to("loop")
        (d / "self").symlink_to(".") if not os.path.lexists(d / "self") else None
        return f"fs loops in {d.relative_to(repo)}"
    if op == "fifo":
        name = rng.choice(["fifo", "fifo.yaml", "values.yaml", "kustomization.yaml", "cm.yaml"])
        p = d / name
        if os.path.lexists(p):
            p.unlink() if not p.is_dir() else None
        if not os.path.lexists(p):
            os.mkfifo(p)
        return f"fs fifo {p.relative_to(repo)}"
    if op == "huge":
        p = d / rng.choice(["big.yaml", "big.bin", "huge.yaml"])
        with open(p, "wb") as f:
            f.write(b"a: " + b"b" * rng.choice([5 << 20, 40 << 20]) + b"\n")
        return f"fs huge {p.relative_to(repo)}"
    if op == "sparse":
        p = d / rng.choice(["sparse.yaml", "big.bin", "values.yaml"])
        if p.exists() and not p.is_file():
            return "fs sparse skip"
        with open(p, "wb") as f:
            f.truncate(rng.choice([300 << 20, 2 << 30]))
        return f"fs sparse {p.relative_to(repo)}"
    if op == "deep":
        depth = rng.choice([100, 400])
        p = d
        for _ in range(depth):
            p = p / "d"
        try:
            p.mkdir(parents=True)
            (p / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\n")
        except OSError as exc:
            return f"fs deep failed {exc.errno}"
        return f"fs deep {depth} under {d.relative_to(repo)}"
    if op == "nonutf8-name":
        name = rng.choice([b"\xff\xfe.yaml", b"caf\xe9.yaml", b"a\nb.yaml", b"-rf.yaml", b" .yaml", b"x:y.yaml", b"\xed\xa0\x80.yaml"])
        p = os.path.join(os.fsencode(d), name)
        with open(p, "wb") as f:
            f.write(b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: odd}\n")
        return f"fs name {name!r} in {d.relative_to(repo)}"
    if op == "odd-names":
        for name in ["kustomization.yml", "Kustomization", "KUSTOMIZATION.YAML", "Chart.yaml", "values.yml", "sluice.yml"]:
            if rng.random() < 0.3 and not (d / name).exists():
                (d / name).write_text(rng.choice(["resources: [../../outside]\n", "apiVersion: v2\nname: x\nversion: 1\n", "a: [\n", ""]))
        return f"fs odd-names in {d.relative_to(repo)}"
    if op == "file-dir-swap":
        rel = rng.choice(tree.yamls) if tree.yamls else None
        if rel is None:
            return "fs swap none"
        p = repo / rel
        p.unlink()
        p.mkdir()
        (p / "inner.yaml").write_text("a: 1\n")
        return f"fs swap {rel} -> directory"
    if op == "unreadable":
        rel = rng.choice(tree.yamls) if tree.yamls else None
        if rel:
            os.chmod(repo / rel, 0)
        return f"fs chmod 0 {rel}"
    if op == "gitfile":
        (d / ".git").write_text(f"gitdir: {repo}/.git\n") if not (d / ".git").exists() else None
        return f"fs .git file in {d.relative_to(repo)}"
    if op == "submodule-git":
        (repo / ".gitmodules").write_text(f'[submodule "x"]\n\tpath = {d.relative_to(repo)}\n\turl = {outside}\n')
        return "fs .gitmodules"
    p = d / "dev.yaml"
    if not os.path.lexists(p):
        p.symlink_to(rng.choice(["/dev/zero", "/dev/random", "/dev/stdin", "/dev/tty", "/proc/self/fd/0", "/proc/self/mem"]))
    return f"fs dev link {p.relative_to(repo)} -> {os.readlink(p)}"


def mutate_secret(repo: Path, rng: random.Random, tree: Tree) -> str:
    """Break a Secret where its values are: wrong types, a string for the map, values that
    are not base64, the Secret inside a List, a last-applied annotation that copies it."""
    rel = _pick(rng, tree.secrets)
    if rel is None:
        return mutate_yaml_structure(repo, rng, tree)
    docs = load_docs(repo / rel)
    if not docs:
        return mutate_yaml_text(repo, rng, tree, rel)
    secrets = [d for d in docs if isinstance(d, dict) and d.get("kind") == "Secret"]
    if not secrets:
        return f"secret {rel}: none"
    doc = rng.choice(secrets)
    if _cluster_secret(doc):
        return f"secret {rel}: cluster Secret left alone"
    field_ = rng.choice(["data", "stringData"])
    section = doc.get(field_) if isinstance(doc.get(field_), dict) else {}
    key = rng.choice(sorted(section) or ["password"])
    value = section.get(key, secret_value(6))
    op = rng.choice(["wrap-list", "wrap-map", "number", "section-string", "not-base64", "list-kind", "last-applied",
                     "dup-secret", "key-odd", "type", "immutable"])
    if op == "wrap-list":
        section[key] = [value]
    elif op == "wrap-map":
        section[key] = {"nested": value}
    elif op == "number":
        section[key] = rng.choice([12345, 1.5, True, None])
    elif op == "section-string":
        doc[field_] = f"{secret_value(7)}"
    elif op == "not-base64":
        doc.setdefault("data", {})
        if isinstance(doc["data"], dict):
            doc["data"][key] = f"{secret_value(8)}!!*"
    elif op == "list-kind":
        docs[docs.index(doc)] = {"apiVersion": "v1", "kind": rng.choice(["List", "SecretList"]), "items": [doc, doc]}
    elif op == "last-applied":
        meta = doc.setdefault("metadata", {}) if isinstance(doc.get("metadata", {}), dict) else {}
        meta.setdefault("annotations", {})["kubectl.kubernetes.io/last-applied-configuration"] = str(doc)
    elif op == "dup-secret":
        docs.append(doc)
    elif op == "key-odd":
        section[rng.choice(["", "a b", "../x", "é"])] = value
    elif op == "type":
        doc["type"] = rng.choice(["kubernetes.io/tls", "kubernetes.io/dockerconfigjson", "bootstrap.kubernetes.io/token", 5])
    else:
        doc["immutable"] = rng.choice(["yes", 1, None])
    if section and field_ not in ("section-string",) and op not in ("section-string", "not-base64"):
        doc[field_] = section
    (repo / rel).write_text(dump_docs(docs, {}), encoding="utf-8")
    return f"secret {rel}: {op} {field_}.{key}"


def _cluster_secret(doc: dict[str, Any]) -> bool:
    meta = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
    labels = meta.get("labels") if isinstance(meta.get("labels"), dict) else {}
    return labels.get("argocd.argoproj.io/secret-type") in ("cluster", "repository", "repo-creds")


def gentle_secret(repo: Path, rng: random.Random, tree: Tree) -> str:
    """A change a render still accepts, so that diff, report and verify see both sides of a
    Secret: values replaced, keys added or dropped, data moved to stringData, a
    last-applied annotation copying the values, the Secret inside a List."""
    rel = _pick(rng, tree.secrets)
    docs = load_docs(repo / rel) if rel else None
    if not rel or not docs:
        return "gentle: no secret"
    secrets = [d for d in docs if isinstance(d, dict) and d.get("kind") == "Secret"]
    if not secrets:
        return f"gentle {rel}: none"
    doc = rng.choice(secrets)
    if _cluster_secret(doc):  # its name and server are the cluster's identity, shown by design
        return f"gentle {rel}: cluster Secret left alone"
    n = rng.randint(10, 89)
    op = rng.choice(["value", "value", "add-key", "drop-key", "to-stringData", "last-applied", "list", "rename",
                     "annotation-value", "label"])
    data = doc.get("data") if isinstance(doc.get("data"), dict) else {}
    string = doc.get("stringData") if isinstance(doc.get("stringData"), dict) else {}
    if op == "value" and (data or string):
        section = rng.choice([x for x in (data, string) if x])
        key = rng.choice(sorted(section))
        section[key] = base64.b64encode(secret_value(n).encode()).decode() if section is data else secret_value(n)
    elif op == "add-key":
        string[f"new-{n}"] = secret_value(n) + "\nmultiline " + secret_value(n + 1)
    elif op == "drop-key" and (data or string):
        section = rng.choice([x for x in (data, string) if x])
        del section[rng.choice(sorted(section))]
    elif op == "to-stringData":
        for k, v in list(data.items()):
            try:
                string[k] = base64.b64decode(str(v)).decode()
            except (ValueError, UnicodeDecodeError):
                continue
            del data[k]
    elif op == "last-applied":
        meta = doc.setdefault("metadata", {})
        meta.setdefault("annotations", {})["kubectl.kubernetes.io/last-applied-configuration"] = (
            '{"apiVersion":"v1","kind":"Secret","stringData":{"password":"' + secret_value(n) + '"}}')
    elif op == "list":
        docs[docs.index(doc)] = {"apiVersion": "v1", "kind": "List", "items": [doc]}
    elif op == "rename":
        doc.setdefault("metadata", {})["name"] = f"renamed-{n}"
    elif op == "annotation-value":
        doc.setdefault("metadata", {}).setdefault("annotations", {})["note"] = "not a secret value"
    else:
        doc.setdefault("metadata", {}).setdefault("labels", {})["tier"] = f"t{n}"
    if data:
        doc["data"] = data
    if string:
        doc["stringData"] = string
    (repo / rel).write_text(dump_docs(docs, {}), encoding="utf-8")
    return f"gentle {rel}: {op}"


def gentle_value(repo: Path, rng: random.Random, tree: Tree) -> str:
    """A plain value changed in place (a string, a number), the shape left alone."""
    rel = _pick(rng, tree.yamls)
    docs = load_docs(repo / rel) if rel else None
    if not rel or not docs:
        return "gentle: no yaml"
    idx = rng.randrange(len(docs))
    if not isinstance(docs[idx], (dict, list)):
        return f"gentle {rel}: scalar doc"
    leaves = [p for p in _paths(docs[idx]) if p and isinstance(_get(docs[idx], p), (str, int)) and not isinstance(_get(docs[idx], p), bool)
              and p[-1] not in ("apiVersion", "kind")]
    if not leaves:
        return f"gentle {rel}: no leaves"
    path = rng.choice(leaves)
    old = _get(docs[idx], path)
    _set(docs[idx], path, old + rng.randint(1, 3) if isinstance(old, int) else old + rng.choice(["-x", "2", ".example"]))
    (repo / rel).write_text(dump_docs(docs, {}), encoding="utf-8")
    return f"gentle {rel}: {'/'.join(map(str, path))[:60]}"


def amplify(repo: Path, rng: random.Random, tree: Tree) -> str:
    """A small input that writes one large value many times: by reference (annotations,
    replacements, aliases, vars) or by concatenation (prefixes, images, substitutions,
    templates). Every such path must be bounded."""
    size = rng.choice([200_000, 2_000_000])
    count = rng.choice([300, 3000])
    big = "x" * size
    rel = _pick(rng, tree.kustomizations)
    d = (repo / rel).parent if rel else repo / "amp"
    d.mkdir(parents=True, exist_ok=True)
    many = "".join(f"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: amp{i}}}\ndata: {{a: b}}\n" for i in range(count))
    (d / "amp-many.yaml").write_text(many)
    (d / "amp-big.yaml").write_text(f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: ampbig}}\ndata: {{big: {big}}}\n")
    op = rng.choice(["annotations", "prefix", "replacements", "alias", "patch-copy", "images", "labels", "flux", "appset"])
    head = "resources: [amp-many.yaml, amp-big.yaml]\n"
    if op == "annotations":
        body = head + f"commonAnnotations: {{big: {big}}}\n"
    elif op == "prefix":
        body = head + f"namePrefix: {big}\n"
    elif op == "labels":
        body = head + f"labels: [{{pairs: {{big: {big}}}, includeTemplates: true}}]\n"
    elif op == "replacements":
        paths = "".join(f"      - data.k{i}\n" for i in range(count))
        body = head + ("replacements:\n- source: {kind: ConfigMap, name: ampbig, fieldPath: data.big}\n  targets:\n"
                       "  - select: {kind: ConfigMap, name: amp0}\n    options: {create: true}\n    fieldPaths:\n" + paths)
    elif op == "alias":
        (d / "amp-many.yaml").write_text(f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: amp}}\ndata:\n  k: &big {big}\n"
                                         + "".join(f"  k{i}: *big\n" for i in range(count)))
        body = head
    elif op == "patch-copy":
        body = head + "patches:\n- target: {kind: ConfigMap, name: amp0}\n  patch: |\n" + "".join(
            f"    - {{op: copy, from: /data, path: /data/k{i}}}\n" for i in range(40))
    elif op == "images":
        (d / "amp-many.yaml").write_text("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: amp}\nspec:\n  template:\n"
                                         "    spec:\n      containers:\n" + "".join(f"      - {{name: c{i}, image: nginx}}\n" for i in range(count)))
        body = head + f"images: [{{name: nginx, newName: {big}}}]\n"
    elif op == "flux":
        ks = _pick(rng, tree.flux_kustomizations)
        if ks is None:
            return "amplify: no Flux Kustomization"
        docs = load_docs(repo / ks) or []
        for doc in docs:
            if isinstance(doc, dict) and doc.get("kind") == "Kustomization" and isinstance(doc.get("spec"), dict):
                doc["spec"].setdefault("postBuild", {})["substitute"] = {"BIG": big}
        (repo / ks).write_text(dump_docs(docs, {}), encoding="utf-8")
        (d / "amp-many.yaml").write_text("".join(f"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: amp{i}}}\n"
                                                 f"data: {{a: '${{BIG}}'}}\n" for i in range(count)))
        return f"amplify {ks}: flux substitute x{count} of {size}"
    else:
        elements = ", ".join(f"{{i: '{i}'}}" for i in range(count))
        (repo / "amp-set.yaml").write_text(
            "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {name: amp, namespace: argocd}\nspec:\n"
            "  goTemplate: true\n  generators:\n  - matrix:\n      generators:\n"
            f"      - list: {{elements: [{{big: {big}}}]}}\n      - list: {{elements: [{elements}]}}\n"
            "  template:\n    metadata: {name: 'amp-{{.i}}', annotations: {a: 'p{{.big}}'}}\n"
            "    spec: {project: default, source: {repoURL: 'https://example.com/x.git', path: '.'}, "
            "destination: {name: in-cluster, namespace: a}}\n")
        return f"amplify amp-set.yaml: appset x{count} of {size}"
    if rel is None:
        return "amplify: no kustomization"
    (repo / rel).write_text(body)
    return f"amplify {rel}: {op} x{count} of {size}"


GENTLE: list[tuple[Callable[[Path, random.Random, Tree], str], int]] = [(gentle_secret, 3), (gentle_value, 2)]

MUTATORS: list[tuple[Callable[[Path, random.Random, Tree], str], int]] = [
    (mutate_secret, 3), (amplify, 2),
    (mutate_yaml_structure, 5), (mutate_yaml_text, 3), (change_kind, 1), (mutate_kustomization, 5), (mutate_helm, 4),
    (mutate_flux, 3), (mutate_argo, 4), (mutate_sluice_yaml, 2), (mutate_fs, 4),
]


def mutate(repo: Path, rng: random.Random) -> list[str]:
    """Apply 1–4 mutations; the tree is rescanned after each (a mutation may add files).
    A quarter of the cases are gentle (changes a render accepts), so that diff and report
    run on both sides of a change as often as on a refused input."""
    done = []
    funcs, weights = zip(*(GENTLE if rng.random() < 0.25 else MUTATORS))
    for _ in range(rng.choice([1, 1, 2, 2, 3, 4])):
        tree = Tree.scan(repo)
        fn = rng.choices(funcs, weights)[0]
        try:
            done.append(fn(repo, rng, tree))
        except (OSError, RecursionError, ValueError) as exc:
            done.append(f"{fn.__name__}: skipped ({type(exc).__name__}: {exc})"[:200])
    return done


def make_unreadable_safe(repo: Path) -> None:
    """Give every file back its read bit (so the case directory can be removed)."""
    for dirpath, _dirs, files in os.walk(repo):
        for name in files:
            p = os.path.join(dirpath, name)
            if not os.path.islink(p):
                try:
                    os.chmod(p, stat.S_IRUSR | stat.S_IWUSR)
                except OSError:
                    pass
