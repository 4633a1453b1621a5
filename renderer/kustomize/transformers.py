"""The builtin transformers: namespace, name prefix/suffix, labels, annotations, images, replicas.

Each is a function over a list of resources that edits bodies in place through field
specs (see fieldspecs.py), recording previous ids where kustomize does so that name
references and patches still find renamed resources.
"""
from __future__ import annotations

from typing import Any, Iterable, Sequence

from ..core.errors import InputError, RenderError
from ..core.resource import Resource, ResourceList
from .regex import GoRegex, compile_go
from .fieldspecs import KEEP, FieldSpec, apply_fieldspec


HELM_GENERATED = "kustomize.config.k8s.io/helm-generated"  # set on resources inflated from charts


def _scalar_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# -- namespace ------------------------------------------------------------------------------

def set_namespace(
    resources: ResourceList,
    namespace: str,
    specs: Sequence[FieldSpec],
    *,
    subjects_mode: str = "defaultOnly",
    unset_only: bool = False,
) -> None:
    if not namespace:
        return
    if subjects_mode not in ("defaultOnly", "allServiceAccounts", "none"):
        raise InputError(f"invalid value {subjects_mode!r} for setRoleBindingSubjects")

    def setter(value: Any) -> Any:
        if unset_only and value not in (None, ""):
            return KEEP
        return namespace

    for res in resources:
        if ((res.body.get("metadata") or {}).get("annotations") or {}).get(HELM_GENERATED) == "true":
            continue
        res.record_rename()
        gvk = res.gvk
        body = res.body
        if not gvk.cluster_scoped:
            apply_fieldspec(body, FieldSpec("metadata/namespace", create=True), setter, create_leaf=lambda: None)
        use = [
            fs for fs in specs
            if fs.path != "metadata/namespace" and not (fs.path == "metadata/name" and gvk.api_version != "v1")
        ]
        if gvk.kind in ("RoleBinding", "ClusterRoleBinding"):
            use = [fs for fs in use if not (fs.kind in ("RoleBinding", "ClusterRoleBinding") and fs.path == "subjects/namespace")]
            _set_subjects(body, subjects_mode, setter)
        for fs in use:
            if fs.selects(gvk):
                apply_fieldspec(body, fs, setter, create_leaf=lambda: None)
    resources.reindex()


def _set_subjects(body: dict[str, Any], mode: str, setter: Any) -> None:
    if mode == "none":
        return
    subjects = body.get("subjects")
    if not isinstance(subjects, list):
        return
    for subject in subjects:
        if not isinstance(subject, dict):
            continue
        if mode == "defaultOnly" and subject.get("name") != "default":
            continue
        if mode == "allServiceAccounts" and subject.get("kind") != "ServiceAccount":
            continue
        new = setter(subject.get("namespace"))
        if new is not KEEP:
            subject["namespace"] = new


# -- prefix / suffix ----------------------------------------------------------------------

_PREFIX_SKIP = (("", "CustomResourceDefinition"), ("apiregistration.k8s.io", "APIService"), ("", "Namespace"))


def _skip_rename(res: Resource) -> bool:
    org = res.org_id.gvk
    return any(org.selected_by(group=g, kind=k) for g, k in _PREFIX_SKIP)


MAX_NAME = 253
"""The longest Kubernetes object name (a DNS subdomain)."""


def add_name_affix(resources: ResourceList, affix: str, specs: Sequence[FieldSpec], *, suffix: bool,
                   where: str | None = None) -> None:
    """namePrefix (suffix=False) or nameSuffix (suffix=True) over the name field specs. An
    affix longer than any name can be is refused: written into every name and every
    reference to it, 2 MB of prefix over 3000 resources is gigabytes."""
    if not affix:
        return
    if len(affix) > MAX_NAME:
        raise InputError(f"{'nameSuffix' if suffix else 'namePrefix'} is {len(affix)} characters long; no name can "
                         f"hold it (a Kubernetes name is at most {MAX_NAME})", file=where)
    key = "suffixes" if suffix else "prefixes"

    def setter(value: Any) -> Any:
        text = _scalar_text(value)
        return text + affix if suffix else affix + text

    for res in resources:
        if _skip_rename(res):
            continue
        org_gvk = res.org_id.gvk
        for fs in specs:
            if not org_gvk.selected_by(fs.group, fs.version, fs.kind):
                continue
            if fs.path == "metadata/name":
                res.extra[key] = [*res.extra.get(key, []), affix]
                res.record_rename()
            if fs.selects(res.gvk):
                apply_fieldspec(res.body, fs, setter, create_leaf=lambda: None)
    resources.reindex()


# -- labels and annotations -----------------------------------------------------------------

def add_map_entries(resources: Iterable[Resource], entries: dict[str, str], specs: Sequence[FieldSpec]) -> None:
    """Set key/value pairs in the maps the specs point at (labels, selectors, annotations)."""
    if not entries:
        return
    items = sorted(entries.items())

    def setter(value: Any) -> Any:
        if value is None:
            value = {}
        if not isinstance(value, dict):
            raise RenderError("labels and annotations must target mapping fields")
        for k, v in items:
            value[k] = v
        return value

    for res in resources:
        gvk = res.gvk
        for fs in specs:
            if fs.selects(gvk):
                apply_fieldspec(res.body, fs, setter, create_leaf=dict)


# -- images ------------------------------------------------------------------------------------

def split_image(image: str) -> tuple[str, str, str]:
    """'reg:5000/app:v1@sha256:..' -> (name, tag, digest), as kustomize splits it."""
    slash = image.find("/")
    search = image[slash:] if slash > 0 else image
    offset = slash if slash > 0 else 0
    at = search.find("@")
    colon = search.find(":")
    if colon < 0 and at < 0:
        return image, "", ""
    if at >= 0 and (at < colon or colon < 0):
        at += offset
        return image[:at], "", image[at + 1:]
    if at >= 0 and colon >= 0:
        at += offset
        colon += offset
        return image[:colon], image[colon + 1:at], image[at + 1:]
    colon += offset
    return image[:colon], image[colon + 1:], ""


def _image_matcher(name: str) -> GoRegex | None:
    """kustomize matches image names as a regular expression (unescaped), on RE2; a name Go
    cannot compile matches nothing."""
    try:
        return compile_go(
            "^" + name + r"(:[a-zA-Z0-9_.{}-]*)?(@[a-zA-Z0-9]+([.+_-][a-zA-Z0-9]+)*:[a-zA-Z0-9_.{}-]*)?$",
            what="images", file=None,
        )
    except InputError:
        return None


def update_image(value: str, image: dict[str, Any], pattern: GoRegex | None) -> str | None:
    if pattern is None or not pattern.search(value):
        return None
    name, tag, digest = split_image(value)
    new_name = _scalar_text(image.get("newName"))
    new_tag = _scalar_text(image.get("newTag"))
    new_digest = _scalar_text(image.get("digest"))
    tag_suffix = _scalar_text(image.get("tagSuffix"))
    if new_name:
        name = new_name
    if new_tag and new_digest:
        tag, digest = new_tag, new_digest
    elif new_tag:
        tag, digest = new_tag, ""
    elif new_digest:
        tag, digest = "", new_digest
    elif tag_suffix:
        tag, digest = tag + tag_suffix, ""
    if tag:
        name += ":" + tag
    if digest:
        name += "@" + digest
    return name


MAX_IMAGE_PART = 512
"""Longer than any image name, tag or digest (a repository name stays under 256
characters, a tag under 129): each is written into every matching container."""


def set_image(resources: Iterable[Resource], image: dict[str, Any], specs: Sequence[FieldSpec],
              where: str | None = None) -> None:
    for key in ("newName", "newTag", "digest", "tagSuffix"):
        if len(_scalar_text(image.get(key))) > MAX_IMAGE_PART:
            raise InputError(f"images: {key} is {len(_scalar_text(image.get(key)))} characters long, longer than any "
                             f"image reference part ({MAX_IMAGE_PART}); it would be written into every matching container",
                             file=where)
    pattern = _image_matcher(_scalar_text(image.get("name")))

    def setter(value: Any) -> Any:
        if value is None:
            return KEEP
        if isinstance(value, (dict, list)):
            raise RenderError("image field specs must target scalar fields")
        new = update_image(_scalar_text(value), image, pattern)
        return KEEP if new is None else new

    for res in resources:
        if res.kind == "CustomResourceDefinition":
            continue
        _legacy_images(res.body, image, pattern)
        gvk = res.gvk
        for fs in specs:
            if fs.selects(gvk):
                apply_fieldspec(res.body, fs, setter, create_leaf=None)


def _legacy_images(node: Any, image: dict[str, Any], pattern: GoRegex | None) -> None:
    """Kustomize also rewrites `image` in any `containers`/`initContainers` list, anywhere."""
    if isinstance(node, dict):
        for key, value in node.items():
            _legacy_images(value, image, pattern)
            if key in ("containers", "initContainers") and isinstance(value, list):
                for container in value:
                    if isinstance(container, dict) and container.get("image") is not None:
                        current = container["image"]
                        if isinstance(current, (dict, list)):
                            continue
                        new = update_image(_scalar_text(current), image, pattern)
                        if new is not None:
                            container["image"] = new
    elif isinstance(node, list):
        for elem in node:
            _legacy_images(elem, image, pattern)


# -- replicas ----------------------------------------------------------------------------------

def set_replicas(resources: ResourceList, replica: dict[str, Any], specs: Sequence[FieldSpec], where: str) -> None:
    name = _scalar_text(replica.get("name"))
    count = replica.get("count")
    if isinstance(count, bool) or not isinstance(count, int):
        raise InputError(f"replicas: count for {name!r} must be an integer, got {count!r}", file=where)
    found = False
    for fs in specs:
        for res in resources:
            if not any(rid.name == name and rid.gvk.selected_by(fs.group, fs.version, fs.kind) for rid in res.all_ids()):
                continue
            found = True
            if fs.selects(res.gvk):
                apply_fieldspec(res.body, fs, lambda _v: count, create_leaf=lambda: None)
    if not found:
        gvks = ", ".join(f"{fs.group}_{fs.version}_{fs.kind}" for fs in specs)
        raise RenderError(f"resource with name {name} does not match a config with the following GVK [{gvks}]", file=where)
