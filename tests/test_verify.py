"""`sluice verify`: secret guard, AppProject policy and schema validation on fixture
repositories (fixtures/verify/<scenario>/), the clean demo fleet, and `--changed`."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from renderer.cli import main
from renderer.verify import ERROR, WARNING, report_markdown, report_text, verify_repo
from renderer.verify.index import load_index
from renderer.verify.policy import Project, destination_permitted, glob_match, kind_permitted, source_permitted
from renderer.verify.secrets import plaintext_secret_problem
from gitrepos import FIXED_DATE, DEMO_FILES, demo_repo, git, isolated_git_env  # noqa: F401 - fixtures

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = REPO_ROOT / "fixtures" / "verify"
DEMO = DEMO_FILES
DATE = FIXED_DATE







def found(result, check: str) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    return [(f.app, f.resource, f.severity) for f in result.findings if f.check == check]


# -- the demo fleet is clean ---------------------------------------------------------------


def test_demo_fleet_has_no_findings(demo_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = verify_repo(demo_repo)
    assert result.findings == (), report_text(result)
    assert result.ok and len(result.targets) >= 8 and result.kubernetes_version
    assert main(["verify", str(demo_repo)]) == 0
    assert "0 error(s), 0 warning(s)" in capsys.readouterr().out


# -- secrets ------------------------------------------------------------------------------


def test_secret_guard() -> None:
    result = verify_repo(FIXTURES / "secrets")
    assert found(result, "secret") == [("secrets", "Secret app/base64", ERROR), ("secrets", "Secret app/plain", ERROR)]
    finding = next(f for f in result.findings if f.check == "secret")
    assert finding.cluster == "in-cluster" and finding.file == "deploy/secrets.yaml" and finding.line > 0 and finding.origin == "apps.yaml"
    assert "hunter2" not in report_text(result) and "aGVudGVyMg" not in report_text(result)
    assert not result.ok
    allowed = verify_repo(FIXTURES / "secrets", allow_secrets=True)
    assert found(allowed, "secret") == [] and allowed.ok
    # SealedSecret and ExternalSecret pass through, checked against the vendored CRD schemas
    assert allowed.findings == ()


@pytest.mark.parametrize(
    ("body", "leaks"),
    [
        ({"apiVersion": "v1", "kind": "Secret", "stringData": {"a": "b"}}, True),
        ({"apiVersion": "v1", "kind": "Secret", "data": {}}, False),
        ({"apiVersion": "v1", "kind": "Secret", "data": {"a": "YQ=="}, "sops": {"enc": "x"}}, False),
        ({"apiVersion": "v1", "kind": "Secret", "data": {"a": "ENC[AES256_GCM,data:x,iv:y,tag:z,type:str]", "b": "plain"}}, True),
        ({"apiVersion": "v1", "kind": "ConfigMap", "data": {"a": "b"}}, False),
        ({"apiVersion": "bitnami.com/v1alpha1", "kind": "SealedSecret", "spec": {"encryptedData": {"a": "b"}}}, False),
    ],
)
def test_plaintext_secret_rule(body: dict, leaks: bool) -> None:  # type: ignore[type-arg]
    assert (plaintext_secret_problem(body) is not None) is leaks


# -- policy --------------------------------------------------------------------------------


def test_appproject_policy_findings() -> None:
    result = verify_repo(FIXTURES / "policy", schemas=False)
    messages = {(f.app, f.resource): f.message for f in result.findings}
    assert set(messages) == {
        ("denied-dest", ""),
        ("stray", "ConfigMap team-secret/elsewhere"),
        ("kinds", "ClusterRole.rbac.authorization.k8s.io reader"),
        ("kinds", "ResourceQuota team-b/quota"),
        ("wrong-source", ""),
        ("wrong-source", "Namespace team-a"),
    }, report_text(result)
    assert "destination" in messages[("denied-dest", "")] and "sourceRepos" in messages[("wrong-source", "")]
    assert all(f.check == "policy" and f.severity == ERROR for f in result.findings)
    assert not any(f.app == "ok" for f in result.findings)


def _project(**kw) -> Project:  # type: ignore[no-untyped-def]
    base = dict(name="p", file="f", line=1, source_repos=(), destinations=(), cluster_whitelist=(), cluster_blacklist=(),
                namespace_whitelist=(), namespace_blacklist=())
    base.update(kw)
    return Project(**base)  # type: ignore[arg-type]


def test_policy_matching_rules() -> None:
    assert glob_match("team-*", "team-a") and not glob_match("team-*", "other")
    assert glob_match("!kube-*", "default") and not glob_match("!kube-*", "kube-system")
    assert glob_match("{a,b}-x", "b-x") and glob_match("*", "")
    p = _project(source_repos=("https://github.com/org/*", "!https://github.com/org/secret"))
    assert source_permitted(p, "git@github.com:org/app.git")
    assert not source_permitted(p, "https://github.com/org/secret.git")
    assert source_permitted(p, "https://github.com/other/x")  # as Argo CD: an unmatched deny pattern counts as a match
    assert not source_permitted(_project(source_repos=("https://github.com/org/*",)), "https://github.com/org/a/b")  # `*` stops at '/'
    assert source_permitted(_project(source_repos=("https://github.com/org/**",)), "https://github.com/org/a/b")
    d = _project(destinations=(("https://k8s", "", "*"), ("*", "", "!kube-system")))
    assert destination_permitted(d, "https://k8s", "prod", "apps")
    assert not destination_permitted(d, "https://k8s", "prod", "kube-system")
    by_name = _project(destinations=(("", "prod", "apps"),))
    assert destination_permitted(by_name, "https://x", "prod", "apps") and not destination_permitted(by_name, "https://x", "dev", "apps")
    k = _project(cluster_whitelist=(("*", "*"),), cluster_blacklist=(("rbac.authorization.k8s.io", "Cluster*"),),
                 namespace_whitelist=(("", "ConfigMap"), ("apps", "*")))
    assert kind_permitted(k, "", "Namespace", False) and not kind_permitted(k, "rbac.authorization.k8s.io", "ClusterRole", False)
    assert kind_permitted(k, "apps", "Deployment", True) and not kind_permitted(k, "", "Secret", True)
    assert not kind_permitted(_project(), "", "Namespace", False) and kind_permitted(_project(), "", "Secret", True)


# -- schemas -------------------------------------------------------------------------------


def test_schema_findings() -> None:
    result = verify_repo(FIXTURES / "schemas")
    got = sorted((f.resource, f.severity, f.message.split(":")[0]) for f in result.findings if f.check == "schema")
    assert got == [
        ("Deployment.apps app/broken", ERROR, "spec.replicas"),
        ("Deployment.apps app/broken", ERROR, "spec.template.spec"),
        ("Gadget.example.com app/unknown", WARNING, "unknown kind Gadget.example.com/v1"),
        ("Widget.example.com app/bad-widget", ERROR, "spec.size"),
        ("Widget.example.com app/future-widget", ERROR, "version 'v2' of Widget.example.com is not defined by its CustomResourceDefinition"),
    ], report_text(result)
    assert "contaner" in report_text(result)
    assert verify_repo(FIXTURES / "schemas", kubernetes_version="1.30").kubernetes_version == "1.30"


# -- CLI and reporters ------------------------------------------------------------------------


def test_cli_exit_codes_and_formats(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", str(FIXTURES / "secrets")]) == 1
    out = capsys.readouterr().out
    assert "error [secret] in-cluster/secrets Secret app/plain (deploy/secrets.yaml:" in out
    assert main(["verify", str(FIXTURES / "secrets"), "--allow-secrets", "--no-schemas"]) == 0
    capsys.readouterr()
    assert main(["verify", str(FIXTURES / "policy"), "--output", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is False and data["summary"]["errors"] == 6
    assert {"cluster", "app", "resource", "check", "severity", "message", "file", "origin"} <= set(data["findings"][0])
    assert main(["verify", str(FIXTURES / "schemas"), "--output", "markdown"]) == 1
    md = capsys.readouterr().out
    assert "| severity | check |" in md and "| warning | schema |" in md
    assert main(["verify", str(FIXTURES / "schemas"), "--kubernetes-version", "0.1"]) == 2
    assert "no Kubernetes schemas" in capsys.readouterr().err
    assert main(["verify", str(FIXTURES / "secrets"), "--color", "always"]) == 1
    assert "\x1b[" in capsys.readouterr().out
    result = verify_repo(FIXTURES / "secrets")
    assert report_markdown(result).startswith("### sluice verify")


def test_render_error_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = tmp_path / "bad"
    shutil.copytree(FIXTURES / "secrets", repo)
    (repo / "apps.yaml").write_text((repo / "apps.yaml").read_text().replace("path: deploy", "path: missing"))
    assert main(["verify", str(repo)]) == 2
    assert "error:" in capsys.readouterr().err


# -- --changed -------------------------------------------------------------------------------


def test_changed_renders_only_affected_targets(demo_repo: Path) -> None:
    first = verify_repo(demo_repo, changed=True)  # no cache yet: everything, and the cache is written
    assert len(first.targets) >= 8 and first.skipped == () and first.findings == ()
    index = load_index(demo_repo)
    staging_web = index.reads(index.targets["staging/web"].reads)
    assert "overlays/staging/web/kustomization.yaml" in staging_web and "base/web/deployment.yaml" in staging_web
    assert "apps/staging/web.yaml" in staging_web
    assert git("status", "--porcelain", cwd=demo_repo) == ""  # .sluice ignores itself

    unchanged = verify_repo(demo_repo, changed=True)
    assert unchanged.targets == () and len(unchanged.skipped) == len(first.targets)

    overlay = demo_repo / "overlays/staging/web/kustomization.yaml"
    overlay.write_text(overlay.read_text().replace("newTag: 1.1.0-rc.2", "newTag: 1.2.0"))
    assert verify_repo(demo_repo, changed=True).targets == ("staging/web",)
    assert verify_repo(demo_repo, changed=True).targets == ("staging/web",)  # still differs from HEAD

    git("checkout", "--", ".", cwd=demo_repo)
    base = demo_repo / "base/web/deployment.yaml"
    base.write_text(base.read_text().replace("value: http://api", "value: http://api:80"))
    assert verify_repo(demo_repo, changed=True).targets == ("production/web", "staging/web")

    git("checkout", "--", ".", cwd=demo_repo)  # back to HEAD: differs from the recorded digests once
    assert verify_repo(demo_repo, changed=True).targets == ("production/web", "staging/web")
    (demo_repo / "notes.yaml").write_text("unrelated: true\n")  # untracked, read by no target
    assert verify_repo(demo_repo, changed=True).targets == ()

    secret = demo_repo / "overlays/staging/api/secret.yaml"
    secret.write_text("apiVersion: v1\nkind: Secret\nmetadata:\n  name: leak\nstringData:\n  k: v\n")
    kust = demo_repo / "overlays/staging/api/kustomization.yaml"
    kust.write_text(kust.read_text().replace("resources:", "resources:\n  - secret.yaml"))
    result = verify_repo(demo_repo, changed=True)
    assert result.targets == ("staging/api",)
    assert [(f.check, f.resource) for f in result.findings] == [("secret", "Secret shop-staging/leak")]


def test_changed_sees_a_new_argocd_source_override(demo_repo: Path) -> None:
    """An override file an Application's source directory did not have (`.argocd-source-<app>.yaml`,
    as argocd-image-updater writes) was looked for at render time: appearing, it makes the
    target stale."""
    assert verify_repo(demo_repo, changed=True).skipped == ()
    index = load_index(demo_repo)
    assert index.reads(index.targets["staging/web"].reads)["overlays/staging/web/.argocd-source-staging-web.yaml"] is None
    assert verify_repo(demo_repo, changed=True).targets == ()
    (demo_repo / "overlays/staging/web/.argocd-source-staging-web.yaml").write_text("kustomize:\n  namePrefix: canary-\n")
    assert verify_repo(demo_repo, changed=True).targets == ("staging/web",)


def test_changed_cli(demo_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", str(demo_repo), "--changed"]) == 0
    assert main(["verify", str(demo_repo), "--changed"]) == 0
    assert "0 target(s) checked" in capsys.readouterr().out


def test_sluice_yaml_can_opt_in_to_plaintext_secrets(tmp_path: Path) -> None:
    import shutil

    repo = tmp_path / "secrets"
    shutil.copytree(FIXTURES / "secrets", repo)
    config = repo / "sluice.yaml"
    text = config.read_text() if config.exists() else ""
    config.write_text(text + "allowPlaintextSecrets: true\n")
    result = verify_repo(repo)
    assert found(result, "secret") == [] and result.ok


def test_children_of_an_app_of_apps_are_checked_with_their_own_project(tmp_path: Path) -> None:
    """App of apps: the Applications a root renders are verified too, each against the
    AppProject it names (not the root's): a plaintext Secret in a child and a child whose
    project forbids its destination are both found."""
    from trees import write_tree

    write_tree(tmp_path, {
        "root.yaml": """
            apiVersion: argoproj.io/v1alpha1
            kind: Application
            metadata: {name: root, namespace: argocd}
            spec:
              project: default
              source: {repoURL: https://example.com/fleet.git, path: children}
              destination: {name: in-cluster, namespace: argocd}
            ---
            apiVersion: argoproj.io/v1alpha1
            kind: AppProject
            metadata: {name: team, namespace: argocd}
            spec:
              sourceRepos: ['*']
              destinations: [{server: https://kubernetes.default.svc, namespace: 'team-*'}]
            """,
        "children/team.yaml": """
            apiVersion: argoproj.io/v1alpha1
            kind: Application
            metadata: {name: team}
            spec:
              project: team
              source: {repoURL: https://example.com/fleet.git, path: team}
              destination: {name: in-cluster, namespace: kube-system}
            """,
        "team/secret.yaml": "apiVersion: v1\nkind: Secret\nmetadata: {name: creds}\nstringData: {password: hunter2}\n",
        "sluice.yaml": "applications: [root.yaml]\n",
    })
    result = verify_repo(tmp_path, schemas=False)
    assert result.targets == ("in-cluster/root", "in-cluster/team")
    found = sorted((f.app, f.check) for f in result.findings if f.severity == ERROR)
    assert found == [("team", "policy"), ("team", "secret")]


@pytest.mark.skipif(not (Path(__file__).resolve().parents[2] / "shared" / "realworld").is_dir(), reason="../shared is absent")
def test_verify_a_flux_repository() -> None:
    """Flux Kustomizations are checked (secrets, schemas) without AppProject policy, which is Argo CD's."""
    repo = Path(__file__).resolve().parents[2] / "shared" / "realworld" / "fluxcd__flux2-multi-tenancy"
    result = verify_repo(repo, schemas=False)
    assert len(result.targets) == 8 and not [f for f in result.findings if f.severity == ERROR]
    # dev-team (another repository) and kyverno-controller (an OCI artifact) per cluster: noted, not empty
    assert sum("not rendered: its source" in n for n in result.notes) == 4


def test_changed_sees_what_an_applicationset_generates(tmp_path: Path, isolated_git_env: Path) -> None:  # noqa: F811
    """A git files generator reads config.json: changing it changes the generated
    Application (here its destination namespace) without changing a file the target reads;
    the target's planned form is part of its record, so it renders again."""
    from trees import write_tree

    repo = write_tree(tmp_path / "dry", {
        "appsets/teams.yaml": """
            apiVersion: argoproj.io/v1alpha1
            kind: ApplicationSet
            metadata: {name: teams, namespace: argocd}
            spec:
              goTemplate: true
              generators:
              - git:
                  repoURL: https://example.com/fleet.git
                  revision: main
                  files: [{path: "teams/*/config.json"}]
              template:
                metadata: {name: 'team-{{.path.basename}}'}
                spec:
                  project: default
                  source: {repoURL: https://example.com/fleet.git, path: 'teams/{{.path.basename}}/app'}
                  destination: {name: in-cluster, namespace: '{{.namespace}}'}
            """,
        "teams/a/config.json": '{"namespace": "team-a"}\n',
        "teams/a/app/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
        "teams/b/config.json": '{"namespace": "team-b"}\n',
        "teams/b/app/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n",
        "sluice.yaml": "repoURL: https://example.com/fleet.git\n",
    })
    git("init", "-q", "-b", "main", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", "teams", cwd=repo)
    assert verify_repo(repo, changed=True, schemas=False).targets == ("in-cluster/team-a", "in-cluster/team-b")
    assert verify_repo(repo, changed=True, schemas=False).targets == ()
    (repo / "teams/b/config.json").write_text('{"namespace": "team-b-prod"}\n')
    assert verify_repo(repo, changed=True, schemas=False).targets == ("in-cluster/team-b",)


def test_verify_says_what_the_render_left_out_as_render_does(demo_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An Application out of reach is `skipped:` in verify's text as in render's, listed under
    `leftOut` in -o json, and said by `--changed` (the pre-commit hook) too."""
    (demo_repo / "apps" / "elsewhere.yaml").write_text(
        "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {name: elsewhere, namespace: argocd}\n"
        "spec:\n  generators: [{list: {elements: [{name: ext}]}}]\n  template:\n    metadata: {name: '{{name}}'}\n"
        "    spec:\n      project: shop\n      source: {repoURL: 'https://git.example.com/other.git', path: ext}\n"
        "      destination: {name: staging, namespace: ext}\n")
    git("add", "-A", cwd=demo_repo)
    git("commit", "-q", "-m", "an app out of reach", cwd=demo_repo)
    assert main(["render", str(demo_repo), "--out", str(demo_repo / "out")]) == 0
    (line,) = [l for l in capsys.readouterr().err.splitlines() if l.startswith("skipped: ")]
    assert "Application ext (ApplicationSet elsewhere) not rendered" in line

    assert main(["verify", str(demo_repo)]) == 0
    assert line in capsys.readouterr().out.splitlines()
    assert main(["verify", str(demo_repo), "-o", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["leftOut"] == [line.removeprefix("skipped: ")] and report["summary"]["leftOut"] == 1
    assert report["skipped"] == [] and report["summary"]["skipped"] == 0  # --changed's unchanged targets
    assert main(["verify", str(demo_repo), "--changed"]) == 0
    assert line in capsys.readouterr().out.splitlines()


def test_verify_changed_says_what_its_renders_left_out(tmp_path: Path, isolated_git_env: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    """A HelmRelease kept for Flux (its chart is not cached) is decided while rendering: the
    pre-commit hook's renders say it once, as a full verify does."""
    repo = tmp_path / "flux"
    (repo / "clusters" / "dev").mkdir(parents=True)
    (repo / "sluice.yaml").write_text("fluxClusters: [clusters/dev]\n")
    (repo / "clusters" / "dev" / "podinfo.yaml").write_text(
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata: {name: podinfo, namespace: flux-system}\n"
        "spec: {url: 'https://charts.example.com/podinfo', interval: 1h}\n---\n"
        "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: podinfo, namespace: flux-system}\n"
        "spec:\n  interval: 1h\n  chart:\n    spec: {chart: podinfo, version: '6.x', sourceRef: {kind: HelmRepository, name: podinfo}}\n")
    git("init", "-q", "-b", "main", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", "fleet", cwd=repo)
    assert main(["verify", str(repo)]) == 0
    full = [l for l in capsys.readouterr().out.splitlines() if l.startswith("skipped: ")]
    assert len(full) == 1 and "1 HelmRelease(s) kept for Flux" in full[0]
    assert main(["verify", str(repo), "--changed"]) == 0  # a cold index: everything renders
    assert [l for l in capsys.readouterr().out.splitlines() if l.startswith("skipped: ")] == full


def test_malformed_app_project_is_an_input_error(demo_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An AppProject whose lists are not lists: exit 2 naming it, its file and line (not a
    traceback, and not silently no policy)."""
    (demo_repo / "apps" / "project.yaml").write_text(
        "apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata: {name: shop, namespace: argocd}\n"
        "spec: {sourceRepos: ['*'], destinations: 5}\n")
    assert main(["verify", str(demo_repo)]) == 2
    err = capsys.readouterr().err
    assert err == "error: apps/project.yaml:1: AppProject shop: spec.destinations must be a list, not 5\n"
