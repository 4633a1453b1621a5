"""Origins: every rendered resource names the file and line it came from, tracked through
kustomize (patches, name transforms, generators, components, bases), Helm (templates of a
chart in the repository; the HelmRelease/Application for a chart of the chart cache), Flux
and Argo CD, across worker processes and the render cache, and `sluice verify` names them.

Bad resources (plaintext Secrets) are planted at known lines; the expected line is found in
the text the test wrote, so the fixture and the assertion cannot drift apart. kubectl with
`buildMetadata: [originAnnotations]` is the oracle for kustomize's own origin records."""
from __future__ import annotations

import io
import subprocess
import sys
import tarfile
import textwrap
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from renderer.core.errors import SluiceError
from renderer.core.fs import RepoFS
from renderer.core.resource import Origin
from renderer.core.yaml import dump_documents, load_documents, load_documents_with_lines
from renderer.helm.cachekey import chart_cache_key
from renderer.helm.origins import template_line
from renderer.kustomize import Builder
from renderer.verify import ERROR, verify_repo
from trees import write_tree

KUBECTL = Path(sys.executable).parent / "kubectl"
CHART_REPO = "https://charts.example.com/stable"


def line_of(root: Path, rel: str, marker: str) -> int:
    """The 1-based line of `rel` holding `marker` (exactly one)."""
    hits = [i for i, line in enumerate((root / rel).read_text().splitlines(), 1) if marker in line]
    assert len(hits) == 1, (rel, marker, hits)
    return hits[0]


# -- kustomize --------------------------------------------------------------------------------

OVERLAY = {
    "base/kustomization.yaml": """
        resources:
        - resources.yaml
        """,
    "base/resources.yaml": """
        # services first
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: web
        spec:
          ports: [{port: 80}]
        ---
        # the deployment, after a comment
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          template:
            spec:
              containers: [{name: web, image: web:1}]
        """,
    "comp/kustomization.yaml": """
        apiVersion: kustomize.config.k8s.io/v1alpha1
        kind: Component
        resources:
        - pdb.yaml
        patches:
        - patch: |-
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web}
            spec: {replicas: 2}
        """,
    "comp/pdb.yaml": """
        apiVersion: policy/v1
        kind: PodDisruptionBudget
        metadata:
          name: web
        spec:
          maxUnavailable: 1
        """,
    "overlay/kustomization.yaml": """
        namePrefix: prod-
        nameSuffix: -eu
        resources:
        - ../base
        - extra.yaml
        components:
        - ../comp
        configMapGenerator:
        - name: settings   # the generator entry
          literals: [a=b]
        - name: base-settings   # merged into below
          literals: [c=d]
        - name: base-settings   # merges into the one above
          behavior: merge
          literals: [e=f]
        secretGenerator:
        - name: creds
          literals: [password=hunter2]
        patches:
        - path: patch.yaml
        """,
    "overlay/extra.yaml": """
        apiVersion: v1
        kind: List
        items:
        - apiVersion: v1
          kind: ServiceAccount
          metadata: {name: runner}
        """,
    "overlay/patch.yaml": """
        apiVersion: v1
        kind: Service
        metadata:
          name: web
        spec:
          type: NodePort
        """,
}


def _overlay(root: Path, metadata: bool = False) -> Path:
    write_tree(root, OVERLAY)
    if metadata:
        kust = root / "overlay" / "kustomization.yaml"
        kust.write_text("buildMetadata: [originAnnotations]\n" + kust.read_text())
    return root


def test_kustomize_origins_through_patches_prefix_generators_components(tmp_path: Path) -> None:
    root = _overlay(tmp_path)
    placed = Builder(RepoFS(root)).build_placed("overlay")
    got = {(p.body["kind"], p.body["metadata"]["name"]): p.origin for p in placed}
    kust = "overlay/kustomization.yaml"
    settings_name = next(n for k, n in got if k == "ConfigMap" and n.startswith("prod-settings-eu-"))
    base_settings = next(n for k, n in got if k == "ConfigMap" and n.startswith("prod-base-settings-eu-"))
    creds = next(n for k, n in got if k == "Secret")
    assert got == {
        ("Service", "prod-web-eu"): Origin("base/resources.yaml", line_of(root, "base/resources.yaml", "kind: Service") - 1),
        ("Deployment", "prod-web-eu"): Origin("base/resources.yaml", line_of(root, "base/resources.yaml", "apps/v1")),
        ("ServiceAccount", "prod-runner-eu"): Origin("overlay/extra.yaml", 1),  # an item of a List: the List's line
        ("PodDisruptionBudget", "prod-web-eu"): Origin("comp/pdb.yaml", 1),
        ("ConfigMap", settings_name): Origin(kust, line_of(root, kust, "the generator entry")),
        # a merge keeps the origin of what it merges into
        ("ConfigMap", base_settings): Origin(kust, line_of(root, kust, "merged into below")),
        ("Secret", creds): Origin(kust, line_of(root, kust, "- name: creds")),
    }


def test_build_placed_output_equals_build(tmp_path: Path) -> None:
    root = _overlay(tmp_path)
    fs = RepoFS(root)
    assert [p.body for p in Builder(fs).build_placed("overlay")] == Builder(RepoFS(root)).build("overlay")


@pytest.mark.skipif(not KUBECTL.exists(), reason="needs kubectl (the kustomize oracle)")
def test_origin_annotations_match_kubectl_and_agree_with_tracked_origins(tmp_path: Path) -> None:
    """With `buildMetadata: [originAnnotations]` the output is kubectl's, byte for byte; and
    kustomize's own record (path from the build directory; configuredIn for a generator)
    names the same file sluice tracks out of band."""
    root = _overlay(tmp_path, metadata=True)
    expected = subprocess.run([str(KUBECTL), "kustomize", str(root / "overlay")], capture_output=True, text=True,
                              check=True).stdout
    placed = Builder(RepoFS(root)).build_placed("overlay")
    assert dump_documents([p.body for p in placed]) == expected
    for item in placed:
        record = load_documents(item.body["metadata"]["annotations"]["config.kubernetes.io/origin"], "origin")[0]
        named = record.get("path") or record["configuredIn"]
        assert str((root / "overlay" / named).resolve().relative_to(root.resolve())) == item.origin.file


# -- verify, end to end -------------------------------------------------------------------------

CHART = {
    "charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n",
    "charts/web/values.yaml": "password: hunter2\nreplicas: 2\n",
    "charts/web/templates/_helpers.tpl": '{{- define "web.name" -}}{{ .Release.Name }}{{- end }}\n',
    "charts/web/templates/config.yaml": """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: {{ include "web.name" . }}
        data: {replicas: "{{ .Values.replicas }}"}
        ---
        {{- if .Values.password }}
        apiVersion: v1
        kind: Secret   # the plaintext one
        metadata:
          name: {{ include "web.name" . }}-creds
        stringData:
          password: {{ .Values.password }}
        {{- end }}
        """,
}


def _archive(cache: Path, name: str, files: dict[str, str]) -> None:
    """A packaged chart in the chart cache, as `sluice helm pull` leaves it."""
    folder = cache / chart_cache_key(CHART_REPO)
    folder.mkdir(parents=True, exist_ok=True)
    with tarfile.open(folder / f"{name}-0.1.0.tgz", "w:gz") as tar:
        for rel, text in files.items():
            data = textwrap.dedent(text).lstrip("\n").encode()
            info = tarfile.TarInfo(f"{name}/{rel}")
            info.size, info.mtime = len(data), 0
            tar.addfile(info, io.BytesIO(data))


def _cached_chart(cache: Path) -> None:
    _archive(cache, "vault", {
        "Chart.yaml": "apiVersion: v2\nname: vault\nversion: 0.1.0\n",
        "templates/secret.yaml": """
            apiVersion: v1
            kind: Secret
            metadata: {name: vault-token}
            stringData: {token: s3cr3t}
            """,
    })


ARGO = {
    "sluice.yaml": "applications: [apps.yaml]\n",
    "apps.yaml": f"""
        apiVersion: argoproj.io/v1alpha1
        kind: Application
        metadata: {{name: shop, namespace: argocd}}
        spec:
          project: default
          source: {{repoURL: https://example.com/fleet.git, path: overlays/prod}}
          destination: {{name: in-cluster, namespace: shop}}
        ---
        apiVersion: argoproj.io/v1alpha1
        kind: Application
        metadata: {{name: web, namespace: argocd}}
        spec:
          project: default
          source: {{repoURL: https://example.com/fleet.git, path: charts/web}}
          destination: {{name: in-cluster, namespace: web}}
        ---
        apiVersion: argoproj.io/v1alpha1   # a chart of the chart cache
        kind: Application
        metadata: {{name: vault, namespace: argocd}}
        spec:
          project: default
          source: {{repoURL: {CHART_REPO}, chart: vault, targetRevision: 0.1.0}}
          destination: {{name: in-cluster, namespace: vault}}
        ---
        apiVersion: argoproj.io/v1alpha1
        kind: Application
        metadata: {{name: plain, namespace: argocd}}
        spec:
          project: default
          source: {{repoURL: https://example.com/fleet.git, path: plain, directory: {{recurse: true}}}}
          destination: {{name: in-cluster, namespace: plain}}
        """,
    "base/kustomization.yaml": "resources: [all.yaml]\n",
    "base/all.yaml": """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: shop}
        data: {a: b}
        ---
        apiVersion: v1
        kind: Secret
        metadata: {name: shop-db}   # planted in the base
        stringData: {password: hunter2}
        """,
    "overlays/prod/kustomization.yaml": """
        namePrefix: prod-
        resources: [../../base]
        secretGenerator:
        - name: api-key   # generated, plaintext
          literals: [key=abc]
        patches:
        - patch: |-
            apiVersion: v1
            kind: Secret
            metadata: {name: shop-db}
            stringData: {user: admin}
        """,
    "plain/nested/secret.yaml": """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: plain}
        ---
        apiVersion: v1
        kind: Secret
        metadata: {name: plain}   # in a directory source
        stringData: {a: b}
        """,
    **CHART,
}


def _secrets(result: Any) -> dict[tuple[str, str], tuple[str, int]]:
    return {(f.app, f.resource): (f.file, f.line) for f in result.findings if f.check == "secret"}


@pytest.fixture
def argo_repo(tmp_path: Path) -> tuple[Path, Path]:
    root = write_tree(tmp_path / "repo", ARGO)
    cache = tmp_path / "cache"
    _cached_chart(cache)
    return root, cache


def test_verify_names_files_and_lines_of_an_argo_fleet(argo_repo: tuple[Path, Path]) -> None:
    root, cache = argo_repo
    result = verify_repo(root, schemas=False, chart_cache=cache)
    template = "charts/web/templates/config.yaml"
    assert _secrets(result) == {
        ("shop", "Secret shop/prod-shop-db"): ("base/all.yaml", line_of(root, "base/all.yaml", "kind: Secret") - 1),
        ("shop", next(r for a, r in _secrets(result) if r.startswith("Secret shop/prod-api-key-"))):
            ("overlays/prod/kustomization.yaml", line_of(root, "overlays/prod/kustomization.yaml", "- name: api-key")),
        # a chart in the repository: its template, the line after the separator
        ("web", "Secret web/web-creds"): (template, line_of(root, template, "---") + 1),
        # a chart of the chart cache is no repository file: the Application asking for it
        ("vault", "Secret vault/vault-token"): ("apps.yaml", line_of(root, "apps.yaml", "a chart of the chart cache")),
        ("plain", "Secret plain/plain"): ("plain/nested/secret.yaml", 5),
    }
    assert all(f.severity == ERROR for f in result.findings if f.check == "secret")


def test_worker_processes_and_the_render_cache_carry_origins(argo_repo: tuple[Path, Path], tmp_path: Path) -> None:
    """Origins cross process boundaries (pickled) and the render cache (JSON) unchanged."""
    from renderer.fleet.pipeline import render_repo

    root, cache = argo_repo
    options: dict[str, Any] = {"write": False, "chart_cache": cache, "allow_plaintext_secrets": True}
    one = render_repo(root, **options)
    two = render_repo(root, jobs=2, **options)
    cached = [render_repo(root, cache_dir=tmp_path / "rc", **options) for _ in range(2)]
    want = [(a.app_dir, a.origins) for a in one.apps]
    assert all(a.origins for a in one.apps)
    for bundles in (two, *cached):
        assert [(a.app_dir, a.origins) for a in bundles.apps] == want
    assert verify_repo(root, schemas=False, chart_cache=cache, jobs=2).findings == \
        verify_repo(root, schemas=False, chart_cache=cache).findings


FLUX = {
    "clusters/dev/flux-system/gotk-sync.yaml": """
        apiVersion: source.toolkit.fluxcd.io/v1
        kind: GitRepository
        metadata: {name: flux-system, namespace: flux-system}
        spec: {interval: 1m, ref: {branch: main}, url: ssh://git@example.com/fleet.git}
        ---
        apiVersion: kustomize.toolkit.fluxcd.io/v1
        kind: Kustomization
        metadata: {name: flux-system, namespace: flux-system}
        spec:
          interval: 10m
          path: ./clusters/dev
          prune: true
          sourceRef: {kind: GitRepository, name: flux-system}
        """,
    "clusters/dev/flux-system/kustomization.yaml": "resources: [gotk-sync.yaml]\n",
    "clusters/dev/apps.yaml": """
        apiVersion: kustomize.toolkit.fluxcd.io/v1
        kind: Kustomization
        metadata: {name: apps, namespace: flux-system}
        spec:
          interval: 10m
          path: ./apps
          prune: true
          sourceRef: {kind: GitRepository, name: flux-system}
        """,
    "apps/repository.yaml": f"""
        apiVersion: source.toolkit.fluxcd.io/v1
        kind: HelmRepository
        metadata: {{name: stable, namespace: apps}}
        spec: {{url: {CHART_REPO}}}
        """,
    "apps/releases.yaml": """
        apiVersion: helm.toolkit.fluxcd.io/v2
        kind: HelmRelease
        metadata: {name: web, namespace: apps}
        spec:
          interval: 10m
          chart:
            spec:
              chart: ./charts/web
              sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}
        ---
        apiVersion: helm.toolkit.fluxcd.io/v2   # from the chart cache
        kind: HelmRelease
        metadata: {name: vault, namespace: apps}
        spec:
          interval: 10m
          install: {createNamespace: true}
          targetNamespace: vault
          chart:
            spec:
              chart: vault
              version: 0.1.0
              sourceRef: {kind: HelmRepository, name: stable}
        """,
    "apps/plain.yaml": """
        apiVersion: v1
        kind: Secret
        metadata: {name: plain, namespace: apps}   # a plain manifest
        stringData: {a: b}
        """,
    **CHART,
}


def test_verify_names_files_and_lines_of_a_flux_fleet(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", FLUX)
    cache = tmp_path / "cache"
    _cached_chart(cache)
    result = verify_repo(root, schemas=False, chart_cache=cache)
    template = "charts/web/templates/config.yaml"
    releases = "apps/releases.yaml"
    assert _secrets(result) == {
        ("apps", "Secret apps/web-creds"): (template, line_of(root, template, "---") + 1),
        ("apps", "Secret vault/vault-token"): (releases, line_of(root, releases, "from the chart cache")),
        ("apps", "Secret apps/plain"): ("apps/plain.yaml", 1),
    }
    # the Namespace install.createNamespace adds comes from its HelmRelease too
    from renderer.fleet.pipeline import render_repo

    app = next(a for a in render_repo(root, write=False, chart_cache=cache, allow_plaintext_secrets=True).apps
               if a.app_dir == "apps")
    namespace = next(i for i, r in enumerate(app.resources) if r["kind"] == "Namespace")
    assert app.origins[namespace] == Origin(releases, line_of(root, releases, "from the chart cache"))


def test_kustomize_helm_charts_name_their_templates(tmp_path: Path) -> None:
    """kustomize's helmCharts: documents come from the chart's templates in the repository."""
    from renderer.helm.engine import default_engine
    from renderer.helm.kustomize_adapter import KustomizeHelm
    from renderer.kustomize import BuildOptions

    root = write_tree(tmp_path, {
        **{f"app/{rel}": text for rel, text in CHART.items()},
        "app/kustomization.yaml": """
            namePrefix: x-
            helmCharts:
            - name: web
              releaseName: shop
            """,
    })
    options = BuildOptions(enable_helm=True, helm_engine=KustomizeHelm(default_engine()))
    placed = Builder(RepoFS(root), options).build_placed("app")
    template = "app/charts/web/templates/config.yaml"
    assert {p.body["metadata"]["name"]: p.origin for p in placed} == {
        "x-shop": Origin(template, 1),
        "x-shop-creds": Origin(template, line_of(root, template, "---") + 1),
    }


# -- Helm template lines ------------------------------------------------------------------------

def test_template_line_follows_literal_kinds_in_order() -> None:
    text = textwrap.dedent("""\
        {{- range .Values.jobs }}
        ---
        apiVersion: batch/v1
        kind: Job
        {{- end }}
        ---
        apiVersion: v1
        kind: "ConfigMap"
        ---
        apiVersion: v1
        kind: ConfigMap   # the second one
        ---
        kind: {{ .Values.kind }}
        """)
    assert template_line(text, "Job", 0) == template_line(text, "Job", 5) == 3  # a loop: its one document
    assert template_line(text, "ConfigMap", 0) == 7
    assert template_line(text, "ConfigMap", 1) == 10
    assert template_line(text, "Secret", 0) == 1  # a templated kind: the file's first line


# -- property: generated kustomizations ----------------------------------------------------------

_NAMES = st.lists(st.sampled_from(["alpha", "beta", "gamma", "delta", "omega", "sigma"]), min_size=1, max_size=4,
                  unique=True)
_KINDS = ("ConfigMap", "Service", "ServiceAccount")


@st.composite
def _trees(draw: Any) -> tuple[dict[str, str], str, str]:
    """A base of multi-document files (comments and blank lines between documents) and an
    overlay, optionally through a middle layer and a component, with generators, patches and
    a name prefix/suffix. Returns (files, prefix, suffix) where the affixes are the sum of
    every layer's."""
    files: dict[str, str] = {}
    base_resources = []
    names = draw(_NAMES)
    per_file = draw(st.integers(min_value=1, max_value=3))
    for i in range(0, len(names), per_file):
        docs = []
        for name in names[i:i + per_file]:
            kind = draw(st.sampled_from(_KINDS))
            lead = "".join(draw(st.lists(st.sampled_from(["# note\n", "\n"]), max_size=2)))
            docs.append(f"{lead}apiVersion: v1\nkind: {kind}\nmetadata:\n  name: {name}\n")
        rel = f"f{i}.yaml"
        files[f"base/{rel}"] = ("---\n" if draw(st.booleans()) else "") + "---\n".join(docs)
        base_resources.append(rel)
    gens = draw(st.lists(st.sampled_from(["gen-a", "gen-b", "gen-c"]), max_size=2, unique=True))
    files["base/kustomization.yaml"] = "resources:\n" + "".join(f"- {r}\n" for r in base_resources) + (
        "configMapGenerator:\n" + "".join(f"- name: {g}\n  literals: [k=v]\n" for g in gens) if gens else "")
    chain = ["base"]
    prefix = suffix = ""
    for layer in ("mid", "top")[: draw(st.integers(min_value=1, max_value=2))]:
        p, s = draw(st.sampled_from(["", f"{layer}-"])), draw(st.sampled_from(["", f"-{layer}"]))
        prefix, suffix = p + prefix, suffix + s
        lines = [f"resources: [../{chain[-1]}]"]
        if p:
            lines.append(f"namePrefix: {p}")
        if s:
            lines.append(f"nameSuffix: {s}")
        if draw(st.booleans()):
            lines.append(f"secretGenerator:\n- name: {layer}-secret\n  literals: [x=y]")
        if draw(st.booleans()):
            lines.append("labels:\n- pairs: {tier: web}")
        files[f"{layer}/kustomization.yaml"] = "\n".join(lines) + "\n"
        chain.append(layer)
    if draw(st.booleans()):
        files["comp/kustomization.yaml"] = ("apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n"
                                            "resources: [extra.yaml]\n")
        files["comp/extra.yaml"] = "# from a component\n\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: extra\n"
        files[f"{chain[-1]}/kustomization.yaml"] += "components: [../comp]\n"
    return files, prefix, suffix


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tree=_trees())
def test_every_origin_points_at_the_document_it_came_from(tmp_path_factory: pytest.TempPathFactory,
                                                          tree: tuple[dict[str, str], str, str]) -> None:
    """For each output resource, the origin file holds, at the origin line, a document (or a
    generator entry) of the same kind whose name, with the overlays' affixes (and a
    generated name's hash), is the output name."""
    files, prefix, suffix = tree
    root = tmp_path_factory.mktemp("prop")
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    top = "top" if "top/kustomization.yaml" in files else "mid"
    for item in Builder(RepoFS(root)).build_placed(top):
        kind, name = item.body["kind"], item.body["metadata"]["name"]
        origin = item.origin
        assert origin.line > 0, (kind, name, origin)
        text = (root / origin.file).read_text()
        if origin.file.endswith("kustomization.yaml"):  # a generator's entry
            entry = text.splitlines()[origin.line - 1]
            assert entry.startswith("- name: "), (origin, entry)
            written = entry.removeprefix("- name: ").strip()
            key = "configMapGenerator" if kind == "ConfigMap" else "secretGenerator"
            assert key in text[: text.index(entry)]
            affixed = _affixed(written, origin.file, prefix, suffix)
            assert name.startswith(affixed + "-") and len(name) == len(affixed) + 11, (name, affixed)
            continue
        docs = dict((line, doc) for doc, line in load_documents_with_lines(text, origin.file))
        assert origin.line in docs, (origin, sorted(docs))
        doc = docs[origin.line]
        assert doc["kind"] == kind
        expected = doc["metadata"]["name"] if kind == "Namespace" else _affixed(doc["metadata"]["name"], origin.file,
                                                                                prefix, suffix)
        assert name == expected


def _affixed(name: str, file: str, prefix: str, suffix: str) -> str:
    """`name` with the affixes of its own layer and those above it: the top layer's alone
    for what the top declares, every layer's for what lies below it."""
    if file.startswith("top/"):
        return ("top-" if prefix.startswith("top-") else "") + name + ("-top" if suffix.endswith("-top") else "")
    return prefix + name + suffix


_ITEM = st.sampled_from([
    "- name: a\n  literals: [k=v]\n", "- name: b   # note\n  literals:\n  - k=v\n", "  - indented.yaml\n",
    "- patch: |-\n    - op: add\n      path: /x\n", "- {name: flow}\n", "-\n  name: bare\n", "# a comment\n", "\n",
])
_VALUE = st.one_of(st.lists(_ITEM, min_size=1, max_size=4).map("".join).map(lambda t: "\n" + t),
                   st.sampled_from([" [a, b]\n", " {a: b}\n", " plain\n", "\n  nested: map\n", " |\n  - text\n"]))


@settings(max_examples=200, deadline=None)
@given(entries=st.lists(st.tuples(st.sampled_from(["resources", "configMapGenerator", "secretGenerator", "patches",
                                                   "namePrefix", "helmCharts"]), _VALUE),
                        min_size=1, max_size=5, unique_by=lambda e: e[0]))
def test_generator_entry_lines_read_from_text_agree_with_the_parser(entries: list[tuple[str, str]]) -> None:
    """The text scan that finds generator entries (no parse per overlay) answers as the
    YAML parser's events do, or leaves the answer to them."""
    from renderer.core.yaml import _block_item_lines, _parsed_item_lines, top_level_item_lines

    text = "".join(f"{key}:{value}" for key, value in entries)
    try:
        load_documents(text, "kustomization.yaml", dialect="config")
    except SluiceError:
        assume(False)  # the loader refuses it before any origin is placed
    parsed = _parsed_item_lines(text)
    for key, _ in entries:
        fast = _block_item_lines(text, key)
        if fast is not None:
            assert fast == parsed[key.lower()], (text, key)
        assert top_level_item_lines(text, key) == parsed.get(key.lower(), [])
