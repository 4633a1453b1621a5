"""Rendering an ApplicationSet's template with one parameter set, as the controller does.

Two modes (`spec.goTemplate`):

- fasttemplate (default): every string (values and map keys) has each `{{ tag }}` replaced
  by the parameter named by the tag with surrounding whitespace trimmed, when that
  parameter exists and is a string; other tags stay exactly as written.
- goTemplate: every string is a Go text/template executed against the parameters, with
  `spec.goTemplateOptions` (e.g. `missingkey=error`).

Then the controller's additions: the `resources-finalizer.argocd.argoproj.io` finalizer
when the template has none and `syncPolicy.preserveResourcesOnDeletion` is not set, the
rendered `templatePatch` (a strategic merge patch onto the Application), and the
ApplicationSet's namespace.
"""
from __future__ import annotations

import copy
import json
from typing import Any

from renderer.core.regex import compile_user_regex
from renderer.gotemplate import Template, TemplateError

RESOURCES_FINALIZER = "resources-finalizer.argocd.argoproj.io"

_TEMPLATED_PATTERN = r"\{\{.*\}\}"  # Go's `.*{{.*}}.*`: `.` stops at newlines; RE2: linear on long values


class TemplateRenderError(Exception):
    """A template could not be rendered with a parameter set; the message says why."""


def fasttemplate(text: str, params: dict[str, Any]) -> str:
    """valyala/fasttemplate with `{{` `}}`, as Argo CD's Replace calls it."""
    if "{{" not in text or not compile_user_regex(_TEMPLATED_PATTERN).search(text):
        return text
    out: list[str] = []
    i = 0
    while True:
        j = text.find("{{", i)
        if j < 0:
            out.append(text[i:])
            break
        k = text.find("}}", j + 2)
        if k < 0:
            raise TemplateRenderError(f"invalid template: cannot find end tag='}}}}' in the template={text!r} starting from {text[j + 2:]!r}")
        out.append(text[i:j])
        tag = text[j + 2 : k]
        key = tag.strip()
        value = params.get(key)
        if key and isinstance(value, str):
            out.append(value)
        else:
            out.append("{{" + tag + "}}")
        i = k + 2
    return "".join(out)


def _shown(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} characters)"


def replace(text: str, params: dict[str, Any], go_template: bool, options: list[str] | tuple[str, ...] = ()) -> str:
    """Argo CD's Render.Replace: one string rendered with one parameter set."""
    if go_template:
        try:
            tmpl = Template(text, options=options)
        except TemplateError as e:
            raise TemplateRenderError(f"failed to parse template {_shown(text)}: {e}") from None
        try:
            return tmpl.execute(params)
        except TemplateError as e:
            raise TemplateRenderError(f"failed to execute go template {_shown(text)}: {e}") from None
    return fasttemplate(text, params)


MAX_RENDERED_CHARS = 256 * 1024 * 1024
"""Characters the templates of one ApplicationSet may render in all: a 2 MB parameter
written into 3000 fields, or into each of 3000 generated Applications, is 6 GB."""


class RenderBudget:
    """What an ApplicationSet's templates may still render (shared by all its Applications)."""

    def __init__(self, limit: int = MAX_RENDERED_CHARS) -> None:
        self.limit = self.left = limit

    def spend(self, text: str) -> str:
        self.left -= len(text)
        if self.left < 0:
            raise TemplateRenderError(f"the templates render more than {self.limit} characters in all (a large "
                                      "parameter written into many fields or Applications?)")
        return text


def deep_replace(value: Any, params: dict[str, Any], go_template: bool, options: list[str] | tuple[str, ...] = (),
                 budget: RenderBudget | None = None) -> Any:
    """Every string in `value` (mapping keys too) rendered; other scalars kept. `budget`
    bounds what they render in all (a fresh MAX_RENDERED_CHARS when not given)."""
    budget = budget if budget is not None else RenderBudget()
    if isinstance(value, str):
        return budget.spend(replace(value, params, go_template, options))
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            if v is None:
                continue
            nv = deep_replace(v, params, go_template, options, budget)
            nk = budget.spend(replace(k, params, go_template, options)) if isinstance(k, str) else k
            out[nk] = nv
        return out
    if isinstance(value, list):
        return [deep_replace(v, params, go_template, options, budget) for v in value]
    return value


def merge_template(generator_template: dict[str, Any] | None, base: dict[str, Any]) -> dict[str, Any]:
    """A generator's `template` over the ApplicationSet's (mergo.Merge: the generator's set
    fields win, the base fills what the generator leaves empty, maps merged deeply)."""
    if not generator_template:
        return copy.deepcopy(base)
    out = copy.deepcopy(generator_template)
    _fill(out, base)
    return out


def _is_empty(v: Any) -> bool:
    return v is None or v == "" or v == [] or v == {} or v is False or (isinstance(v, (int, float)) and not isinstance(v, bool) and v == 0)


def _fill(dst: dict[str, Any], src: dict[str, Any]) -> None:
    for k, v in src.items():
        if k not in dst or _is_empty(dst[k]):
            dst[k] = copy.deepcopy(v)
        elif isinstance(dst[k], dict) and isinstance(v, dict):
            _fill(dst[k], v)


def template_application(template: dict[str, Any]) -> dict[str, Any]:
    """The Application a template describes, before rendering (GetTempApplication)."""
    meta_in = template.get("metadata") or {}
    meta: dict[str, Any] = {}
    for key in ("name", "namespace", "labels", "annotations", "finalizers"):
        if meta_in.get(key) not in (None, "", {}, []):
            meta[key] = copy.deepcopy(meta_in[key])
    return {"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": meta, "spec": copy.deepcopy(template.get("spec") or {})}


def render_application(
    template: dict[str, Any],
    params: dict[str, Any],
    *,
    go_template: bool,
    options: list[str] | tuple[str, ...] = (),
    sync_policy: dict[str, Any] | None = None,
    template_patch: str | None = None,
    namespace: str | None = None,
    budget: RenderBudget | None = None,
) -> dict[str, Any]:
    """One Application from the (merged) template and one parameter set; `budget` is shared
    by the Applications of one ApplicationSet."""
    budget = budget if budget is not None else RenderBudget()
    app = template_application(template)
    if params:
        app = {
            "apiVersion": app["apiVersion"],
            "kind": app["kind"],
            "metadata": deep_replace(app["metadata"], params, go_template, options, budget),
            "spec": deep_replace(app["spec"], params, go_template, options, budget),
        }
    meta = app["metadata"]
    if not (sync_policy or {}).get("preserveResourcesOnDeletion") and not meta.get("finalizers"):
        meta["finalizers"] = [RESOURCES_FINALIZER]
    if template_patch is not None:
        rendered = budget.spend(replace(template_patch, params, go_template, options))
        app = apply_template_patch(app, rendered)
    if namespace:
        app["metadata"]["namespace"] = namespace
    else:
        app["metadata"].pop("namespace", None)
    return app


def apply_template_patch(app: dict[str, Any], patch_text: str) -> dict[str, Any]:
    """A strategic merge patch onto the Application. The Application type's lists carry no
    merge keys except `metadata.finalizers` (a set), so lists replace, maps merge, and a
    null deletes."""
    from renderer.core.errors import SluiceError
    from renderer.core.yaml import load_documents

    text = patch_text.strip()
    try:
        if text.startswith("{"):
            patch = json.loads(text)
        else:
            docs = load_documents(patch_text, "<templatePatch>", dialect="config")
            patch = docs[0] if docs else {}
    except (SluiceError, json.JSONDecodeError) as e:
        raise TemplateRenderError(f"error while converting templatePatch to json: {e}") from None
    if patch is None:
        patch = {}
    if not isinstance(patch, dict):
        raise TemplateRenderError(f"invalid templatePatch {json.dumps(patch)}: it must be a mapping")
    for key in patch:
        if key not in ("apiVersion", "kind", "metadata", "spec", "operation", "status"):
            raise TemplateRenderError(f'invalid templatePatch: unknown field "{key}"')
    return _smp(app, patch, ())


def _smp(base: Any, patch: Any, path: tuple[str, ...]) -> Any:
    if not isinstance(patch, dict) or not isinstance(base, dict):
        return copy.deepcopy(patch)
    out = dict(base)
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        elif path + (k,) == ("metadata", "finalizers") and isinstance(v, list) and isinstance(out.get(k), list):
            merged = list(out[k])
            merged += [x for x in v if x not in merged]
            out[k] = merged
        elif isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _smp(out[k], v, path + (k,))
        else:
            out[k] = copy.deepcopy(v)
    return out
