"""Argo CD's `spec.source.kustomize` options, applied as Argo CD applies them.

Argo CD (util/kustomize `Build`) turns the options into `kustomize edit` commands run in
the source directory, in this order, then builds:

1. `edit set nameprefix` / `set namesuffix`: the field is replaced;
2. `edit set image ARG...` (each ARG envsubst'd): ARG is `name=newName[:tag][@digest]`,
   `name:tag[@digest]` or `name@digest` (a bare `name` is refused); an existing `images`
   entry of that name is *replaced* (a `*` keeps its newName/newTag/digest), other
   entries stay; the list is then sorted by name (one entry per name, the last wins);
3. `edit set replicas name=count...`: entries of those names replaced, list sorted by name;
4. `edit add label [--force] [--without-selector] [--include-templates] k:v...` (values
   envsubst'd): into `commonLabels`, or with --without-selector into the first `labels`
   entry with includeSelectors false and the same includeTemplates (a new one if none);
   a key already there is an error unless --force;
5. `edit add annotation [--force] k:v...` into `commonAnnotations` (envsubst only with
   `commonAnnotationsEnvsubst`), same conflict rule;
6. `edit set namespace`;
7. `patches` appended to the kustomization's `patches` (a file rewrite, no edit command);
8. `edit add component PATH...`: each path is a glob relative to the kustomization
   directory (no match and no such path is an error; `ignoreMissingComponents` drops
   paths that do not exist first); paths already listed are not added twice.

Sluice does the same to the parsed kustomization in memory (the repository is never
written) and builds it through an overlay of the repository view. `version` (the
kustomize binary) is ignored; `kubeVersion`/`apiVersions` only reach Helm through
`kustomize build --enable-helm --helm-kube-version`, a knob sluice's kustomize engine
does not have: they are validated and otherwise ignored.
"""
from __future__ import annotations

import copy
import posixpath
import re
from typing import Any

from ..core.errors import InputError, OutOfReach
from ..core.fs import OverlayFS, RepoFS, join
from ..core.resource import Placed
from ..core.gomatch import glob_regex

STRING_FIELDS = ("namePrefix", "nameSuffix", "namespace", "version", "kubeVersion")
BOOL_FIELDS = ("forceCommonLabels", "forceCommonAnnotations", "commonAnnotationsEnvsubst", "ignoreMissingComponents",
               "labelWithoutSelector", "labelIncludeTemplates")
STRING_LIST_FIELDS = ("images", "components", "apiVersions")
MAP_FIELDS = ("commonLabels", "commonAnnotations")
KNOWN_FIELDS = frozenset((*STRING_FIELDS, *BOOL_FIELDS, *STRING_LIST_FIELDS, *MAP_FIELDS, "replicas", "patches"))
_PATCH_FIELDS = ("path", "patch", "target", "options")
_TARGET_FIELDS = ("group", "version", "kind", "name", "namespace", "annotationSelector", "labelSelector")
_PRESERVE = "*"


# -- validation -------------------------------------------------------------------------


def validate_options(options: Any, *, where: str, file: str | None, line: int | None = None) -> dict[str, Any]:
    """The `kustomize:` block checked against Argo CD's schema (ApplicationSourceKustomize),
    with empty values dropped (Go's omitempty): what the canonical JSON holds."""
    if not isinstance(options, dict):
        raise InputError(f"{where} must be a mapping", file=file, line=line)
    out: dict[str, Any] = {}

    def fail(key: str, what: str) -> InputError:
        return InputError(f"{where}.{key}: {what}", file=file, line=line)

    for key in sorted(options, key=str):
        value = options[key]
        if key not in KNOWN_FIELDS:
            raise fail(str(key), "unknown field (see Argo CD's ApplicationSourceKustomize)")
        if value is None:
            continue
        if key in STRING_FIELDS:
            if not isinstance(value, str):
                raise fail(key, f"must be a string, not {value!r}")
        elif key in BOOL_FIELDS:
            if not isinstance(value, bool):
                raise fail(key, f"must be true or false, not {value!r}")
        elif key in STRING_LIST_FIELDS:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise fail(key, "must be a list of strings")
        elif key in MAP_FIELDS:
            if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
                raise fail(key, "must be a mapping of strings to strings (quote numbers and booleans)")
        elif key == "replicas":
            value = [_replica(r, fail) for r in _list(value, key, fail)]
        elif key == "patches":
            value = [_patch(p, i, fail) for i, p in enumerate(_list(value, key, fail))]
        if value in ("", [], {}, False):
            continue
        out[key] = value
    if out.get("labelIncludeTemplates") and not out.get("labelWithoutSelector") and out.get("commonLabels"):
        raise fail("labelIncludeTemplates", "needs labelWithoutSelector (kustomize edit add label: --without-selector "
                   "flag must be specified for --include-templates to work)")
    return out


def _list(value: Any, key: str, fail: Any) -> list[Any]:
    if not isinstance(value, list):
        raise fail(key, "must be a list")
    return value


def _replica(item: Any, fail: Any) -> dict[str, Any]:
    """One `replicas` entry; `count` is an int or a string holding one (intstr, as Argo CD)."""
    if not isinstance(item, dict) or set(item) - {"name", "count"} or not isinstance(item.get("name"), str):
        raise fail("replicas", f"each entry must be {{name: string, count: integer}}, not {item!r}")
    count = item.get("count")
    if isinstance(count, str) and len(count) <= 20 and re.fullmatch(r"[+-]?[0-9]+", count):
        count = int(count)
    if not isinstance(count, int) or isinstance(count, bool):
        raise fail("replicas", f"expected integer value for count. Received: {count!r} (replica {item['name']!r})")
    if "=" in item["name"]:
        raise fail("replicas", f"invalid format of replica {item['name']}={count}, use the following format: <name>=<count>")
    return {"name": item["name"], "count": count}


def _patch(item: Any, index: int, fail: Any) -> dict[str, Any]:
    """One `patches` entry as Argo CD's typed KustomizePatch keeps it (empty fields dropped)."""
    key = f"patches[{index}]"
    if not isinstance(item, dict):
        raise fail(key, "must be a mapping")
    out: dict[str, Any] = {}
    for name in item:
        if name not in _PATCH_FIELDS:
            raise fail(f"{key}.{name}", "unknown field (a patch has path, patch, target, options)")
    for name in ("path", "patch"):
        if item.get(name) not in (None, ""):
            if not isinstance(item[name], str):
                raise fail(f"{key}.{name}", "must be a string")
            out[name] = item[name]
    target = item.get("target")
    if target is not None:
        if not isinstance(target, dict):
            raise fail(f"{key}.target", "must be a mapping")
        sel: dict[str, Any] = {}
        for name, value in target.items():
            if name not in _TARGET_FIELDS:
                raise fail(f"{key}.target.{name}", f"unknown field (one of {', '.join(_TARGET_FIELDS)})")
            if value in (None, ""):
                continue
            if not isinstance(value, str):
                raise fail(f"{key}.target.{name}", "must be a string")
            sel[name] = value
        if sel:
            out["target"] = sel
    options = item.get("options")
    if options is not None:
        if not isinstance(options, dict) or not all(isinstance(v, bool) for v in options.values()):
            raise fail(f"{key}.options", "must be a mapping of booleans")
        if options:
            out["options"] = {str(k): v for k, v in options.items()}
    return out


# -- envsubst ---------------------------------------------------------------------------

_SPECIAL = set("*#$@!?-0123456789")


def envsubst(text: str, env: dict[str, str]) -> str:
    """Argo CD's `Env.Envsubst`: Go's os.Expand (`$NAME`, `${NAME}`), unknown names empty,
    `$$` a literal `$`."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c != "$" or i + 1 >= n:
            out.append(c)
            i += 1
            continue
        rest = text[i + 1:]
        name, width = _shell_name(rest)
        if name == "" and width > 0:
            pass  # bad syntax ("${}" or an unclosed "${"): eaten
        elif name == "":
            out.append("$")
        else:
            out.append("$" if name == "$" else env.get(name, ""))
        i += 1 + width
    return "".join(out)


def _shell_name(s: str) -> tuple[str, int]:
    if s[0] == "{":
        if len(s) > 2 and s[1] in _SPECIAL and s[2] == "}":
            return s[1], 3
        end = s.find("}", 1)
        if end == 1:
            return "", 2
        if end < 0:
            return "", 1
        return s[1:end], end + 1
    if s[0] in _SPECIAL:
        return s[0], 1
    m = re.match(r"[A-Za-z0-9_]*", s)
    width = m.end() if m else 0
    return s[:width], width


# -- images -----------------------------------------------------------------------------


def split_image(image: str) -> tuple[str, str, str]:
    """kustomize's image split: (name, tag, digest); a ':' before the first '/' is a
    registry port, not a tag."""
    slash = image.find("/")
    offset = slash if slash > 0 else 0
    search = image[offset:]
    at, colon = search.find("@"), search.find(":")
    if colon < 0 and at < 0:
        return image, "", ""
    if at >= 0 and (at < colon or colon < 0):
        return image[:at + offset], "", image[at + offset + 1:]
    if at >= 0 and colon >= 0:
        return image[:colon + offset], image[colon + offset + 1:at + offset], image[at + offset + 1:]
    return image[:colon + offset], image[colon + offset + 1:], ""


def parse_image_arg(arg: str) -> dict[str, str]:
    """One `kustomize edit set image` argument as an `images` entry (empty fields left
    out). Raises ValueError for a form kustomize refuses (a bare name)."""
    key, sep, value = arg.partition("=")
    if not sep:
        key, value = "", arg
    name, tag, digest = split_image(value)
    if name == arg:
        raise ValueError(f"invalid format of image {arg!r}: use <image>=<newimage>[:<newtag>][@<digest>], "
                         "<image>:<newtag>[@<digest>] or <image>@<digest>")
    entry = {"name": key, "newName": name} if key else {"name": name}
    if tag:
        entry["newTag"] = tag
    if digest:
        entry["digest"] = digest
    return entry


def format_image_arg(entry: dict[str, str]) -> str:
    """The `set image` argument that yields `entry` (inverse of parse_image_arg)."""
    out = f"{entry['name']}={entry['newName']}" if entry.get("newName") else entry["name"]
    if entry.get("newTag"):
        out += ":" + entry["newTag"]
    if entry.get("digest"):
        out += "@" + entry["digest"]
    return out


def _set_images(kus: dict[str, Any], args: list[str], fail: Any) -> None:
    wanted: dict[str, dict[str, str]] = {}
    for arg in args:
        try:
            entry = parse_image_arg(arg)
        except ValueError as exc:
            raise fail("images", str(exc)) from None
        wanted[entry["name"]] = entry
    existing = list(kus.get("images") or []) + list(kus.pop("imageTags", None) or [])  # imageTags: the old spelling
    for image in existing:
        if not isinstance(image, dict):
            raise fail("images", f"the kustomization's images entry {image!r} is not a mapping")
        name = str(image.get("name") or "")
        if name in wanted:
            new = dict(wanted[name])
            for field in ("newName", "newTag", "digest"):
                if new.get(field) == _PRESERVE:
                    new[field] = image.get(field) or ""
            wanted[name] = new
        else:
            wanted[name] = image
    images = []
    for name in sorted(wanted):
        entry = dict(wanted[name])
        for field in ("newName", "newTag", "digest"):
            if entry.get(field) == _PRESERVE:
                entry[field] = ""
        images.append({k: v for k, v in entry.items() if v not in ("", None)})
    kus["images"] = images


# -- the edit sequence ------------------------------------------------------------------


def _edit_args(pairs: dict[str, str]) -> dict[str, str]:
    """`k:v` arguments as kustomize parses them back: split at the first ':', value
    unquoted; an empty key is an error (raised by the caller)."""
    out: dict[str, str] = {}
    for key in sorted(pairs):
        arg = f"{key}:{pairs[key]}"
        cut = arg.index(":")
        if cut == 0:
            raise ValueError(f"invalid {arg!r} (need k:v pair where v may be quoted)")
        value = arg[cut + 1:]
        if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
            value = value[1:-1]
        out[arg[:cut]] = value
    return out


def _write_entry(target: dict[str, Any], key: str, value: str, kind: str, force: bool, fail: Any, field: str) -> None:
    if key in target and not force:
        raise fail(field, f"{kind} {key} already in kustomization file. Use --force to override. "
                   f"(set {'forceCommonLabels' if kind == 'label' else 'forceCommonAnnotations'}: true)")
    target[key] = value


def edit_kustomization(kustomization: dict[str, Any], options: dict[str, Any], *, env: dict[str, str], where: str,
                       file: str | None) -> dict[str, Any]:
    """The kustomization after Argo CD's `kustomize edit` sequence for `options` (validated,
    components already resolved to paths): a new dict, the input is left alone."""
    kus = copy.deepcopy(kustomization)

    def fail(key: str, what: str) -> InputError:
        return InputError(f"{where}.{key}: {what}", file=file)

    if options.get("namePrefix"):
        kus["namePrefix"] = options["namePrefix"]
    if options.get("nameSuffix"):
        kus["nameSuffix"] = options["nameSuffix"]
    if options.get("images"):
        _set_images(kus, [envsubst(i, env) for i in options["images"]], fail)
    if options.get("replicas"):
        wanted = {r["name"]: dict(r) for r in options["replicas"]}
        for rep in kus.get("replicas") or []:
            if isinstance(rep, dict) and str(rep.get("name") or "") not in wanted:
                wanted[str(rep.get("name") or "")] = rep
        kus["replicas"] = [wanted[n] for n in sorted(wanted)]
    if options.get("commonLabels"):
        try:
            labels = _edit_args({k: envsubst(v, env) for k, v in options["commonLabels"].items()})
        except ValueError as exc:
            raise fail("commonLabels", f"invalid label {exc}") from None
        force = bool(options.get("forceCommonLabels"))
        if options.get("labelWithoutSelector"):
            templates = bool(options.get("labelIncludeTemplates"))
            found_labels = kus.get("labels")
            entries: list[Any] = found_labels if isinstance(found_labels, list) else []
            match = next((e for e in entries if isinstance(e, dict) and not e.get("includeSelectors")
                          and bool(e.get("includeTemplates")) == templates), None)
            if match is None:
                match = {"pairs": {}, **({"includeTemplates": True} if templates else {})}
                entries = [*entries, match]
            if not isinstance(match.get("pairs"), dict):
                match["pairs"] = {}
            for key, value in labels.items():
                _write_entry(match["pairs"], key, value, "label", force, fail, "commonLabels")
            kus["labels"] = entries
        else:
            found_common = kus.get("commonLabels")
            common: dict[str, Any] = found_common if isinstance(found_common, dict) else {}
            for key, value in labels.items():
                _write_entry(common, key, value, "label", force, fail, "commonLabels")
            kus["commonLabels"] = common
    if options.get("commonAnnotations"):
        raw = options["commonAnnotations"]
        if options.get("commonAnnotationsEnvsubst"):
            raw = {k: envsubst(v, env) for k, v in raw.items()}
        try:
            annotations = _edit_args(raw)
        except ValueError as exc:
            raise fail("commonAnnotations", f"invalid annotation {exc}") from None
        found_annotations = kus.get("commonAnnotations")
        annotated: dict[str, Any] = found_annotations if isinstance(found_annotations, dict) else {}
        for key, value in annotations.items():
            _write_entry(annotated, key, value, "annotation", bool(options.get("forceCommonAnnotations")), fail,
                         "commonAnnotations")
        kus["commonAnnotations"] = annotated
    if options.get("namespace"):
        kus["namespace"] = options["namespace"]
    if options.get("patches"):
        existing = kus.get("patches")
        if existing is not None and not isinstance(existing, list):
            raise fail("patches", "the kustomization's `patches` is not a list; cannot append to it")
        kus["patches"] = [*(existing or []), *copy.deepcopy(options["patches"])]
    if options.get("components"):
        found_components = kus.get("components")
        listed: list[Any] = found_components if isinstance(found_components, list) else []
        for component in options["components"]:
            if component not in listed:
                listed = [*listed, component]
        kus["components"] = listed
    return kus


# -- components -------------------------------------------------------------------------

_GLOB_META = re.compile(r"[*?\[\\]")


def _segment_regex(segment: str) -> re.Pattern[str]:
    """Go's filepath.Match for one path segment; a malformed pattern is kustomize's error."""
    regex = glob_regex(segment)
    if regex is None:
        raise ValueError("syntax error in pattern")
    return regex


def _glob(fs: RepoFS, directory: str, pattern: str) -> list[str]:
    """Go's filepath.Glob relative to `directory`: the matches, as paths relative to it."""
    if not _GLOB_META.search(pattern):
        path = join(directory, pattern)
        return [pattern] if not (path == ".." or path.startswith("../")) and fs.exists(path) else []
    head, _, tail = pattern.rpartition("/")
    parents = _glob(fs, directory, head) if head and _GLOB_META.search(head) else ([head] if head else [""])
    regex = _segment_regex(tail)
    found: list[str] = []
    for parent in parents:
        base = join(directory, parent or ".")
        if base == ".." or base.startswith("../") or not fs.is_dir(base):
            continue
        for name in fs.listdir(base):
            if regex.fullmatch(name):
                found.append(posixpath.normpath(posixpath.join(parent, name)) if parent else name)
    return found


def resolve_components(fs: RepoFS, directory: str, options: dict[str, Any], *, where: str,
                       file: str | None) -> dict[str, Any]:
    """`options` with `components` as `kustomize edit add component` lists them: missing
    ones dropped first under `ignoreMissingComponents` (as Argo CD), globs expanded, a path
    that matches nothing an error."""
    components = options.get("components") or []
    if not components:
        return options
    kept: list[str] = []
    for component in components:
        if options.get("ignoreMissingComponents"):
            path = join(directory, component)
            if path == ".." or path.startswith("../") or not fs.exists(path):
                continue
        if re.match(r"^[a-z][a-z0-9+.-]*://|^git@|^github\.com/", component):
            raise OutOfReach(f"{where}.components: remote component {component!r} is not fetched by sluice", file=file)
        try:
            matches = _glob(fs, directory, component)
        except ValueError as exc:
            raise InputError(f"{where}.components: {component!r}: {exc}", file=file) from None
        if not matches:
            raise InputError(f"{where}.components: {component} has no match: no such file or directory in "
                             f"{directory!r} (set ignoreMissingComponents: true to skip it)", file=file)
        kept.extend(matches)
    return {**options, "components": kept}


# -- rendering --------------------------------------------------------------------------


def build_env(*, app_name: str, namespace: str, project: str, repo_url: str, path: str, target_revision: str,
              revision: str = "") -> dict[str, str]:
    """Argo CD's build environment for envsubst (reposerver `newEnv`); the revision is not
    known offline and stays empty unless given."""
    return {
        "ARGOCD_APP_NAME": app_name,
        "ARGOCD_APP_NAMESPACE": namespace,
        "ARGOCD_APP_PROJECT_NAME": project,
        "ARGOCD_APP_REVISION": revision,
        "ARGOCD_APP_REVISION_SHORT": revision[:7],
        "ARGOCD_APP_REVISION_SHORT_8": revision[:8],
        "ARGOCD_APP_SOURCE_REPO_URL": repo_url,
        "ARGOCD_APP_SOURCE_PATH": path,
        "ARGOCD_APP_SOURCE_TARGET_REVISION": target_revision,
    }


def build_with_options(fs: RepoFS, path: str, options: dict[str, Any], *, env: dict[str, str], build_options: Any,
                       where: str, file: str | None) -> list[dict[str, Any]]:
    """The resources of the kustomization in `path` after the edits of `options`, built
    from an in-memory copy (a Builder of its own: the shared one memoises the real file)."""
    return [p.body for p in build_with_options_placed(fs, path, options, env=env, build_options=build_options,
                                                      where=where, file=file)]


def build_with_options_placed(fs: RepoFS, path: str, options: dict[str, Any], *, env: dict[str, str],
                              build_options: Any, where: str, file: str | None) -> list[Placed]:
    """`build_with_options`, each body with its origin (Builder.build_placed)."""
    from ..kustomize import Builder, BuildOptions, find_kustomization
    from ..core.yaml import dump_document

    name = find_kustomization(fs, path)
    if name is None:
        raise InputError(f"{where} is set but {path!r} has no kustomization file", file=file)
    kfile = join(path, name)
    docs = fs.load_yaml(kfile, dialect="config")
    kus = docs[0][0] if docs else None
    if kus is None:
        kus = {}
    if not isinstance(kus, dict):
        raise InputError("a kustomization must be a mapping", file=kfile)
    resolved = resolve_components(fs, path, options, where=where, file=file)
    edited = edit_kustomization(kus, resolved, env=env, where=where, file=file)
    overlay = OverlayFS(fs, {kfile: dump_document(edited)})
    return Builder(overlay, build_options or BuildOptions()).build_placed(path)
