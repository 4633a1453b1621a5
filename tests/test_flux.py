"""Flux Kustomizations (kustomize.toolkit.fluxcd.io/v1): post-build substitution, the
generated kustomization, the in-place overlay fields, and expanding a cluster directory."""
from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from renderer.core.errors import InputError
from renderer.flux import (
    SKIP,
    SubstitutionError,
    dry_repo_sources,
    envsubst,
    expand_flux_tree,
    generate_kustomization,
    load_variables,
    postbuild,
    render_flux_kustomization,
    root_kustomization,
)
from renderer.flux.artifact import ArtifactFS
from renderer.kustomize.conformance import default_realworld
from renderer.core.fs import RepoFS
from renderer.helm.release import objects_resolver

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "flux"
REALWORLD = default_realworld()

VARS = {"a": "hello", "n": "3", "empty": "", "p": "path/to/file.tar.gz", "x": "a/b/c"}


# -- envsubst ---------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("${a}", "hello"),
        ("pre-${a}-post", "pre-hello-post"),
        ("$a", "$a"),  # no braces: not an expression
        ("$${a}", "${a}"),  # escape
        ("x$$y", "x$y"),
        ("$$$${a}", "$${a}"),
        ("cost: $5", "cost: $5"),
        ("trailing $", "trailing $"),
        ("${a:=dflt}", "hello"),
        ("${missing:=dflt}", "dflt"),
        ("${missing=dflt}", "dflt"),
        ("${missing:-dflt}", "dflt"),
        ("${empty:-dflt}", "dflt"),
        ("${empty:=dflt}", "dflt"),
        ("${empty=dflt}", "dflt"),  # every default operator also replaces an empty value
        ("${a:+alt}", "hello"),  # parsed, acts as :-
        ("${missing:?msg}", "msg"),
        ("${missing:=}", ""),
        ("${missing:=${a}}", "hello"),
        ("${missing:-pre${a}post}", "prehellopost"),
        ("${missing:=$${a}}", "$hello"),  # no escapes inside a default: "$" then ${a}
        ("${#a}", "5"),
        ("${a^}", "Hello"),
        ("${a^^}", "HELLO"),
        ("${a,}", "hello"),
        ("${a,,}", "hello"),
        ("${a:1}", "ello"),
        ("${a:1:3}", "ell"),
        ("${a:10}", ""),
        ("${p#*/}", "to/file.tar.gz"),
        ("${p##*.}", "path/to/file.tar.gz"),  # '*' does not cross '/' (Go path.Match)
        ("${p%.*}", "path/to/file.tar"),
        ("${p%%.*}", "path/to/file"),
        ("${a/l/L}", "heLlo"),
        ("${a//l/L}", "heLLo"),
        ("${a//l/}", "heo"),
        ("${a/#h/H}", "Hello"),
        ("${a/%o/O}", "hellO"),
        ("${x//\\//-}", "a-b-c"),  # \/ escapes a slash in a replace pattern
        ("${n}${n}", "33"),
    ],
)
def test_envsubst_forms(text: str, expected: str) -> None:
    assert envsubst(text, VARS) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("${missing}", 'variable not set (strict mode): "missing"'),
        ("${#missing}", 'variable not set (strict mode): "missing"'),
        ("${missing^^}", 'variable not set (strict mode): "missing"'),
        ("${missing:=${also_missing}}", 'variable not set (strict mode): "also_missing"'),
        ("${a-default}", "missing closing brace"),  # `-` without `:` is not supported by Flux
        ("${a+alt}", "missing closing brace"),
        ("${a", "missing closing brace"),
        ("${}", "unable to parse variable name"),
        ("${#}", "bad substitution"),
        ("${a:}", "unable to parse substitution within function"),
        ("${a//l}", "bad substitution"),  # a replace needs its second slash
    ],
)
def test_envsubst_errors(text: str, message: str) -> None:
    with pytest.raises(SubstitutionError) as err:
        envsubst(text, VARS)
    assert message in str(err.value)


def test_envsubst_non_strict_empties_undefined() -> None:
    assert envsubst("[${missing}]", {}, strict=False) == "[]"


# -- post-build on resources ------------------------------------------------------------------

def _ks(post: dict | None, **spec: object) -> dict:
    body: dict = {
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": {"name": "demo", "namespace": "flux-system"},
        "spec": {"path": "./", "sourceRef": {"kind": "GitRepository", "name": "flux-system"}, **spec},
    }
    if post is not None:
        body["spec"]["postBuild"] = post
    return body


DEPLOY = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "web", "annotations": {"note": "${note}"}},
    "spec": {"replicas": "${replicas}", "paused": "${paused:=false}", "template": {"spec": {"containers": [{"name": "c", "image": "img:${tag}"}]}}},
}


def test_postbuild_re_resolves_types() -> None:
    out = postbuild(_ks({"substitute": {"replicas": "3", "tag": "1.0", "note": "'quoted'"}}), [DEPLOY], None)
    spec = out[0]["spec"]
    assert spec["replicas"] == 3 and spec["paused"] is False
    assert spec["template"]["spec"]["containers"][0]["image"] == "img:1.0"
    assert out[0]["metadata"]["annotations"]["note"] == "quoted"
    assert DEPLOY["spec"]["replicas"] == "${replicas}"  # the input is not mutated


def test_postbuild_strict_error_names_variable_and_resource() -> None:
    with pytest.raises(InputError) as err:
        postbuild(_ks({"substitute": {"tag": "1", "note": "n"}}), [DEPLOY], None)
    text = str(err.value)
    assert '"replicas"' in text and "Deployment/web" in text and "Kustomization flux-system/demo" in text


def test_postbuild_skipped_without_postbuild_or_variables() -> None:
    assert postbuild(_ks(None), [DEPLOY], None) == [DEPLOY]
    assert postbuild(_ks({"substitute": {}}), [DEPLOY], None) == [DEPLOY]  # WithVariables: none defined
    with pytest.raises(SubstitutionError):  # Always: substitutes (strict) even with no variables
        postbuild(_ks({"substituteStrategy": "Always"}), [DEPLOY], None)
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"k": "${v:=d}"}}
    assert postbuild(_ks({"substituteStrategy": "Always"}), [cm], None)[0]["data"] == {"k": "d"}


@pytest.mark.parametrize("where", ["labels", "annotations"])
def test_postbuild_opt_out(where: str) -> None:
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", where: {"kustomize.toolkit.fluxcd.io/substitute": "disabled"}},
          "data": {"script": "echo ${HOME}"}}
    assert postbuild(_ks({"substitute": {"x": "1"}}), [cm], None)[0]["data"]["script"] == "echo ${HOME}"


def test_variables_precedence_and_sources() -> None:
    cm1 = {"kind": "ConfigMap", "metadata": {"name": "one", "namespace": "flux-system"}, "data": {"a": "cm1", "b": "cm1", "c": "cm1"}}
    secret = {"kind": "Secret", "metadata": {"name": "two", "namespace": "flux-system"},
              "data": {"b": base64.b64encode(b"secret\n").decode(), "c": base64.b64encode(b"secret").decode()}}
    objects = objects_resolver([cm1, secret])
    ks = _ks({"substitute": {"c": "inline"},
              "substituteFrom": [{"kind": "ConfigMap", "name": "one"}, {"kind": "Secret", "name": "two"},
                                 {"kind": "Secret", "name": "absent", "optional": True}]})
    assert load_variables(ks, objects) == {"a": "cm1", "b": "secret", "c": "inline"}  # later wins, inline last; newlines dropped
    with pytest.raises(InputError, match="substitute from 'ConfigMap/absent'"):
        load_variables(_ks({"substituteFrom": [{"kind": "ConfigMap", "name": "absent"}]}), objects)
    with pytest.raises(InputError, match="var name is invalid"):
        load_variables(_ks({"substitute": {"bad-name": "x"}}), None)


# -- one Kustomization --------------------------------------------------------------------------

def test_generated_kustomization_lists_yaml_files_and_kustomization_dirs() -> None:
    fs = ArtifactFS(RepoFS(FIXTURES / "cluster"))
    kfile, kus = generate_kustomization(_ks(None, path="./infra"), fs, "infra")
    assert kfile == "infra/kustomization.yaml"
    # .sops.yaml is excluded (source-controller's default ignore), notes.txt is not YAML,
    # kustom/ has its own kustomization: listed as a directory, not descended into
    assert kus["resources"] == ["./cluster-vars.yaml", "./kustom", "./namespace.yaml", "./sub/deeper/limits.yaml", "./sub/quota.yml"]


def test_generated_kustomization_fields_in_place() -> None:
    fs = RepoFS(FIXTURES / "cluster")
    ks = _ks(None, path="./infra/kustom", targetNamespace="ns", namePrefix="p-",
             images=[{"name": "web", "newTag": "2"}], components=["../missing"], ignoreMissingComponents=True)
    kfile, kus = generate_kustomization(ks, fs, "infra/kustom")
    assert kfile == "infra/kustom/kustomization.yaml"
    assert kus["namespace"] == "ns" and kus["namePrefix"] == "p-" and kus["resources"] == ["sa.yaml"]
    assert kus["images"] == [{"name": "web", "newTag": "2"}] and "components" not in kus


def test_render_one_kustomization_without_kustomization_file() -> None:
    fs = RepoFS(FIXTURES / "cluster")
    ks = _ks(None, path="./infra", targetNamespace="ops", commonMetadata={"labels": {"kustomize.toolkit.fluxcd.io/name": "x"}})
    out = render_flux_kustomization(ks, fs, None)
    names = [(r["kind"], r["metadata"]["name"], r["metadata"].get("namespace")) for r in out]
    assert ("ServiceAccount", "k-deployer", "ops") in names and ("Namespace", "ops", None) in names  # kustomize renames Namespaces
    for r in out:
        # commonMetadata is applied after the owner labels, so it wins on a clash
        assert r["metadata"]["labels"] == {"kustomize.toolkit.fluxcd.io/name": "x", "kustomize.toolkit.fluxcd.io/namespace": "flux-system"}
    assert "infra/kustomization.yaml" not in fs.reads  # nothing was written or read there


def test_render_errors_name_the_kustomization() -> None:
    fs = RepoFS(FIXTURES / "cluster")
    with pytest.raises(InputError, match="Kustomization flux-system/demo"):
        render_flux_kustomization(_ks(None, path="./nowhere"), fs, None)
    with pytest.raises(InputError, match="not supported"):
        render_flux_kustomization(_ks(None, sourceRef={"kind": "HelmChart", "name": "x"}), fs, None)


# -- a cluster directory ----------------------------------------------------------------------

def test_expand_cluster_fixture() -> None:
    fs = RepoFS(FIXTURES / "cluster")
    tree = expand_flux_tree(fs, "clusters/dev")
    assert [ks["metadata"]["name"] for ks, _ in tree] == ["flux-system", "infra", "apps"]  # apps dependsOn infra
    root, infra, apps = (res for _, res in tree)
    assert sorted(r["metadata"]["name"] for r in root if r["kind"] == "Kustomization") == ["apps", "flux-system", "infra"]
    assert len(infra) == 6
    by_kind = {r["kind"]: r for r in apps}
    deploy = by_kind["Deployment"]
    meta = deploy["metadata"]
    assert meta["name"] == "web-dev" and meta["namespace"] == "team-a"  # nameSuffix, targetNamespace
    assert deploy["spec"]["replicas"] == 3  # a patch wrote ${replicas}; substituted after the build, an int
    assert meta["annotations"] == {
        "region": "overridden-inline",  # inline substitute wins over substituteFrom
        "tier": "platinum",  # the Secret (later in substituteFrom) wins over the ConfigMap
        "cluster": "dev-cluster",  # default
        "literal": "${not_a_var}",  # $$ escape
        "bare": "$env",  # no braces, untouched
        "owner": "team-a@example.com",  # commonMetadata
    }
    assert meta["labels"] == {"app": "web", "monitoring": "enabled", "team": "a",
                              "kustomize.toolkit.fluxcd.io/name": "apps", "kustomize.toolkit.fluxcd.io/namespace": "flux-system"}
    container = deploy["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == "web:1.2.3" and container["env"] == [{"name": "ENVIRONMENT", "value": "DEV"}]
    assert by_kind["Service"]["spec"]["type"] == "NodePort"  # JSON 6902 patch with a kind target
    assert by_kind["ConfigMap"]["data"]["run.sh"] == "echo ${HOME} ${undefined_in_strict_mode}"  # opted out


def test_expand_is_deterministic() -> None:
    fs = RepoFS(FIXTURES / "cluster")
    assert expand_flux_tree(fs, "clusters/dev") == expand_flux_tree(RepoFS(FIXTURES / "cluster"), "clusters/dev")


def test_root_is_synthesized_without_gotk_sync() -> None:
    fs = RepoFS(FIXTURES / "cycle")
    root = root_kustomization(fs, "clusters/loop")
    assert root["metadata"] == {"name": "flux-system", "namespace": "flux-system"}
    assert root["spec"]["path"] == "./clusters/loop"


def test_depends_on_cycle_is_an_error() -> None:
    fs = RepoFS(FIXTURES / "cycle")
    with pytest.raises(InputError, match=r"dependsOn cycle between Flux Kustomizations: flux-system/a -> flux-system/b -> flux-system/a"):
        expand_flux_tree(fs, "clusters/loop")


def test_skipped_sources() -> None:
    fs = RepoFS(FIXTURES / "cluster")
    tree = expand_flux_tree(fs, "clusters/dev", source_fs=lambda ref, src: SKIP if src is not None else None)
    # the root's GitRepository is only known once the root has rendered: later ones skip
    assert [(ks["metadata"]["name"], len(res)) for ks, res in tree] == [("flux-system", 4), ("infra", 0), ("apps", 0)]


def test_kustomization_of_the_repository_root_leaves_git_out(tmp_path: Path) -> None:
    """`path: ./` without a kustomization file at the root: Flux generates one over the
    artifact, which never holds `.git` (and a render never reads it)."""
    import subprocess

    (tmp_path / "clusters" / "dev").mkdir(parents=True)
    everything = _ks(None, path="./")
    everything["metadata"]["name"] = "all"
    (tmp_path / "clusters" / "dev" / "all.yaml").write_text(json.dumps(everything) + "\n")
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\n")
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    fs = RepoFS(tmp_path)
    tree = expand_flux_tree(fs, "clusters/dev", source_fs=dry_repo_sources())
    assert [(ks["metadata"]["name"], sorted(r["kind"] for r in res)) for ks, res in tree] == [
        ("flux-system", ["Kustomization"]), ("all", ["ConfigMap", "Kustomization"])]
    assert not any(path.split("/")[0] == ".git" for path in fs.reads)


# -- real-world repositories (read-only) ------------------------------------------------------

def _realworld(name: str) -> Path:
    path = REALWORLD / name
    if not path.is_dir():
        pytest.skip(f"{path} is absent (real-world corpus not mounted)")
    return path


@pytest.mark.parametrize("cluster", ["staging", "production"])
def test_realworld_kustomize_helm_example(cluster: str) -> None:
    fs = RepoFS(_realworld("fluxcd__flux2-kustomize-helm-example"))
    tree = expand_flux_tree(fs, f"clusters/{cluster}", source_fs=dry_repo_sources())
    names = [ks["metadata"]["name"] for ks, _ in tree]
    assert names == ["flux-system", "infra-controllers", "infra-configs", "apps"]
    kinds = [r["kind"] for _, res in tree for r in res]
    assert kinds.count("HelmRelease") == 3  # left for the HelmRelease inflater
    issuer = next(r for _, res in tree for r in res if r["kind"] == "ClusterIssuer")
    server = issuer["spec"]["acme"]["server"]
    assert ("staging" in server) == (cluster == "staging")  # the Kustomization's JSON patch applied


@pytest.mark.parametrize("cluster", ["staging", "production"])
def test_realworld_multi_tenancy(cluster: str) -> None:
    base = _realworld("fluxcd__flux2-multi-tenancy")
    dev_team = REALWORLD / "fluxcd__flux2-multi-tenancy@dev-team"
    fs = RepoFS(base)
    other = RepoFS(dev_team) if dev_team.is_dir() else None

    def sources(ref: dict, src: dict | None) -> object:
        if ref.get("name") == "dev-team" and other is not None:
            return other
        return dry_repo_sources()(ref, src)

    tree = expand_flux_tree(fs, f"clusters/{cluster}", source_fs=sources)
    names = [ks["metadata"]["name"] for ks, _ in tree]
    assert names == ["flux-system", "kyverno", "kyverno-policies", "tenants", "kyverno-controller", "dev-team"]
    sizes = dict((ks["metadata"]["name"], len(res)) for ks, res in tree)
    assert sizes["kyverno-controller"] == 0  # a vendor OCI artifact: skipped offline
    if other is not None:
        assert sizes["dev-team"] > 0
        assert all(r["metadata"]["labels"]["kustomize.toolkit.fluxcd.io/namespace"] == "apps" for _, res in tree[-1:] for r in res)


def test_flux_build_cli_prints_every_kustomization_in_dependency_order(capsys) -> None:  # type: ignore[no-untyped-def]
    from renderer.cli import main

    cluster = Path(__file__).resolve().parent.parent / "fixtures" / "flux" / "cluster"
    code = main(["flux", "build", str(cluster / "clusters" / "dev"), "--repo", str(cluster), "--output", "summary"])
    out, err = capsys.readouterr()
    assert code == 0, err
    rows = json.loads(out)
    names = [r["kustomization"] for r in rows]
    assert names.index("flux-system/infra") < names.index("flux-system/apps")
    assert all(r["objects"] >= 0 for r in rows)


def test_flux_build_cli_names_what_it_skips_and_maps_repositories(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """A Kustomization whose source is out of reach is said (stderr and the summary), never an
    empty result without a word; --repository maps a tenant's GitRepository as render does."""
    from renderer.cli import main

    def ks(name: str, kind: str, source: str, path: str = "./") -> dict:
        body = _ks(None, path=path, sourceRef={"kind": kind, "name": source})
        body["metadata"]["name"] = name
        return body

    tenant_repo = {"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
                   "metadata": {"name": "tenant", "namespace": "flux-system"},
                   "spec": {"url": "https://git.example.com/tenant.git", "ref": {"branch": "main"}}}
    vendor = {"apiVersion": "source.toolkit.fluxcd.io/v1beta2", "kind": "OCIRepository",
              "metadata": {"name": "vendor", "namespace": "flux-system"}, "spec": {"url": "oci://example.com/vendor"}}
    docs = [tenant_repo, vendor, ks("tenant", "GitRepository", "tenant", "./deploy"), ks("vendor", "OCIRepository", "vendor")]
    dry = tmp_path / "dry"
    (dry / "clusters" / "dev").mkdir(parents=True)
    (dry / "clusters" / "dev" / "sources.yaml").write_text("---\n".join(json.dumps(d) + "\n" for d in docs))
    checkout = tmp_path / "tenant" / "deploy"
    checkout.mkdir(parents=True)
    (checkout / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: tenant}\n")

    code = main(["flux", "build", str(dry / "clusters" / "dev"), "--repo", str(dry), "-o", "summary"])
    out, err = capsys.readouterr()
    assert code == 0, err
    rows = {r["kustomization"]: r for r in json.loads(out)}
    assert set(rows["flux-system/flux-system"]) == {"kustomization", "objects", "skipped"}
    assert rows["flux-system/flux-system"]["skipped"] is None
    assert rows["flux-system/vendor"]["objects"] == 0 and "cannot fetch offline" in rows["flux-system/vendor"]["skipped"]
    assert rows["flux-system/tenant"]["objects"] == 0 and "--repository URL=PATH" in rows["flux-system/tenant"]["skipped"]
    skipped = sorted(line for line in err.splitlines() if line.startswith("skipped: "))
    assert [line.split(":")[1].strip() for line in skipped] == ["Kustomization flux-system/tenant",
                                                                "Kustomization flux-system/vendor"]

    code = main(["flux", "build", str(dry / "clusters" / "dev"), "--repo", str(dry),
                 "--repository", f"https://git.example.com/tenant.git={tmp_path / 'tenant'}"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "name: tenant" in out and "Kustomization flux-system/tenant" not in err

    assert main(["flux", "build", str(dry / "nowhere")]) == 2
    assert f"directory not found: {dry / 'nowhere'}" in capsys.readouterr().err


_HR = ("apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: h, namespace: x}\n"
       "spec: {chart: {spec: {chart: c, sourceRef: {kind: HelmRepository, name: r}}}}\n")
_KS = ("apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: k, namespace: flux-system}\n"
       "spec: {path: ./d, sourceRef: {kind: GitRepository, name: flux-system}}\n")


@pytest.mark.parametrize(("doc", "message"), [
    (_KS.replace("path: ./d", "path: 5"), "c/k.yaml:1: Kustomization flux-system/k: spec.path must be a string, not 5"),
    (_KS.replace("sourceRef: {kind: GitRepository, name: flux-system}", "sourceRef: x"),
     "c/k.yaml:1: Kustomization flux-system/k: spec.sourceRef must be a mapping, not 'x'"),
    ("---\n" + _KS.replace("}}\n", "}, dependsOn: [infra]}\n"),
     "c/k.yaml:2: Kustomization flux-system/k: spec.dependsOn[0] must be a mapping, not 'infra'"),
    (_HR.replace("spec: {chart:", "spec: {values: [1], chart:"), "c/k.yaml:1: HelmRelease x/h: spec.values must be a mapping, not [1]"),
    (_HR.replace("{chart: {spec: {chart: c, sourceRef: {kind: HelmRepository, name: r}}}}", "5"),
     "c/k.yaml:1: HelmRelease x/h: spec must be a mapping, not 5"),
    (_HR + "---\napiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata: {name: r, namespace: x}\nspec: [1]\n",
     "HelmRepository x/r (the chart source of HelmRelease x/h): spec must be a mapping, not [1]"),
    (_KS.replace("}}\n", "}, postBuild: {substituteFrom: [{kind: ConfigMap, name: v}]}}\n")
     + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: v, namespace: flux-system}\ndata: x\n",
     "ConfigMap flux-system/v (substituteFrom of Kustomization flux-system/k): data must be a mapping, not 'x'"),
])
def test_malformed_flux_objects_are_input_errors(doc: str, message: str, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """Wrong types in the fields sluice reads: one line naming the object and the field, exit 2,
    never a traceback (render, flux build and get alike)."""
    from renderer.cli import main

    (tmp_path / "c").mkdir()
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: z}\n")
    (tmp_path / "sluice.yaml").write_text("fluxClusters: [c]\nhelmReleases: auto\n")
    (tmp_path / "c" / "k.yaml").write_text(doc)
    for args in (["render", str(tmp_path), "--out", str(tmp_path / "out")], ["flux", "build", str(tmp_path / "c"),
                                                                            "--repo", str(tmp_path), "--inflate-helm"]):
        assert main(args) == 2
        err = capsys.readouterr().err
        assert err.startswith("error: ") and message in err and "Traceback" not in err, err
    assert not (tmp_path / "out").exists()
