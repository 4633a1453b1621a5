"""A hostile pull request against the README's CI job (`sluice verify`, `sluice render`).

Each test builds a real git repository whose content an attacker controls, runs sluice as
the CI job does (a subprocess with an address-space limit and a timeout: the bounds are
generous on purpose, they catch runaway work, not slowness), and asserts: the exit code,
a message naming the file, no traceback, and that nothing from outside the read boundary
(a marker planted outside the repository, or the token in `.git/config`) appears in any
output or bundle.
"""
from __future__ import annotations

import os
import resource
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
MARKER = "OUTSIDE-MARKER-7f3a9c"  # planted outside the repository; must never come back
TOKEN = "ghs_TOKENFROMCHECKOUT0123456789"  # what CI checkouts keep in .git/config
MEMORY_LIMIT = 3 << 30  # address space of one sluice run (Helm's Go runtime reserves some)
TIME_LIMIT = 180  # seconds: a backtracking regex or an unbounded expansion would blow past it
REPO_URL = "https://example.com/platform.git"

APP = """\
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {{name: {name}, namespace: argocd}}
spec:
  source: {{repoURL: {url}, path: {path}}}
  destination: {{name: in-cluster, namespace: {name}}}
"""


@dataclass
class Run:
    code: int
    out: str
    bundles: str

    @property
    def text(self) -> str:
        return self.out + self.bundles


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text) if text.startswith("\n") else text, encoding="utf-8")


def make_repo(tmp_path: Path, files: dict[str, str], links: dict[str, str] | None = None) -> Path:
    """A committed repository (with a token in .git/config, as CI checkouts have) and a
    marker file outside it."""
    outside = tmp_path / "outside"
    (outside / "dir").mkdir(parents=True, exist_ok=True)
    (outside / "secret.txt").write_text(f"{MARKER}\n")
    (outside / "values.yaml").write_text(f"leak: {MARKER}\n")
    (outside / "dir" / "Chart.yaml").write_text(f"apiVersion: v2\nname: sub\nversion: 0.1.0\ndescription: {MARKER}\n")
    (outside / "dir" / "cm.yaml").write_text(
        f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: leak}}\ndata: {{v: {MARKER}}}\n")
    (outside / "plain").mkdir(exist_ok=True)
    (outside / "plain" / "cm.yaml").write_text((outside / "dir" / "cm.yaml").read_text())
    repo = tmp_path / "repo"
    repo.mkdir()
    write(repo, {"sluice.yaml": f"repoURL: {REPO_URL}\n", **files})
    for rel, target in (links or {}).items():
        link = repo / rel
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(target.replace("OUTSIDE", str(outside)))
    git = ["git", "-c", "user.email=ci@example.com", "-c", "user.name=ci", "-c", "commit.gpgsign=false"]
    subprocess.run([*git, "init", "-q", "-b", "main"], cwd=repo, check=True)
    subprocess.run([*git, "config", "http.https://github.com/.extraheader", f"AUTHORIZATION: basic {TOKEN}"],
                   cwd=repo, check=True)
    subprocess.run([*git, "add", "-A"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "pull request"], cwd=repo, check=True)
    return repo


def sluice(tmp_path: Path, *args: str, timeout: float = TIME_LIMIT) -> Run:
    """`sluice ARGS` as the CI job runs it, bounded in memory and time."""
    out_dir = tmp_path / "bundles"
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(REPO_ROOT), "HOME": str(tmp_path)}
    argv = [sys.executable, "-m", "renderer", *args]
    if args[0] == "render":
        argv += ["--out", str(out_dir)]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, preexec_fn=_limits, env=env,
                          cwd=tmp_path)
    bundles = ""
    if out_dir.is_dir():
        for path in sorted(out_dir.rglob("*")):
            if path.is_file():
                bundles += path.read_text(encoding="utf-8", errors="replace")
    return Run(done.returncode, done.stdout + done.stderr, bundles)


def assert_refused(run: Run, *needles: str) -> None:
    assert run.code == 2, run.out
    assert "Traceback" not in run.out, run.out
    for needle in needles:
        assert needle in run.out, run.out
    assert MARKER not in run.text and TOKEN not in run.text
    assert not run.bundles, "nothing is written when the render fails"


CHART = {
    "chart/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n",
    "chart/templates/cm.yaml": """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: web}
        data:
          values: {{ toJson .Values | quote }}
          file: {{ .Files.Get "files/data.txt" | quote }}
        """,
    "apps/web.yaml": APP.format(name="web", url=REPO_URL, path="chart"),
}


@pytest.mark.parametrize("link, target", [
    ("chart/values.yaml", "OUTSIDE/values.yaml"),
    ("chart/templates/leak.yaml", "OUTSIDE/dir/cm.yaml"),
    ("chart/files/data.txt", "OUTSIDE/secret.txt"),
    ("chart/charts/sub", "OUTSIDE/dir"),
])
@pytest.mark.parametrize("command", ["render", "verify"])
def test_chart_symlinks_out_of_the_repository_are_refused(tmp_path: Path, link: str, target: str, command: str) -> None:
    repo = make_repo(tmp_path, CHART, {link: target})
    assert_refused(sluice(tmp_path, command, str(repo)), link, "outside the repository")


def test_a_chart_inside_the_boundary_still_renders(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {**CHART, "chart/files/data.txt": "inside\n", "shared/v.yaml": "a: 1\n"},
                     {"chart/values.yaml": "../shared/v.yaml"})
    run = sluice(tmp_path, "render", str(repo))
    assert run.code == 0, run.out
    assert "inside" in run.bundles and '"a":1' in run.bundles


def test_helmrelease_chart_from_the_repository_is_staged_through_the_boundary(tmp_path: Path) -> None:
    files = {**CHART, "apps/web.yaml": "", "clusters/prod/flux-system/gotk-sync.yaml": """
        apiVersion: kustomize.toolkit.fluxcd.io/v1
        kind: Kustomization
        metadata: {name: flux-system, namespace: flux-system}
        spec: {path: ./clusters/prod, sourceRef: {kind: GitRepository, name: flux-system}}
        """,
        "clusters/prod/release.yaml": """
        apiVersion: helm.toolkit.fluxcd.io/v2
        kind: HelmRelease
        metadata: {name: web, namespace: web}
        spec:
          chart:
            spec: {chart: ./chart, sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}}
        """}
    repo = make_repo(tmp_path, files, {"chart/files/data.txt": "OUTSIDE/secret.txt"})
    assert_refused(sluice(tmp_path, "render", str(repo)), "chart/files/data.txt")


@pytest.mark.parametrize("mapping", ["/etc", "~", "../outside", "../../"])
def test_sluice_yaml_cannot_widen_the_boundary(tmp_path: Path, mapping: str) -> None:
    repo = make_repo(tmp_path, {
        "sluice.yaml": f"repoURL: {REPO_URL}\nrepositories:\n  https://example.com/other.git: '{mapping}'\n",
        "apps/leak.yaml": APP.format(name="leak", url="https://example.com/other.git", path="dir"),
    })
    assert_refused(sluice(tmp_path, "render", str(repo)), "sluice.yaml:3", "leads outside the repository",
                   "--allow-root")


def test_the_command_line_grants_a_root(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {
        "sluice.yaml": f"repoURL: {REPO_URL}\nrepositories:\n  https://example.com/other.git: ../outside\n",
        "apps/other.yaml": APP.format(name="other", url="https://example.com/other.git", path="plain"),
    })
    run = sluice(tmp_path, "render", str(repo), "--allow-root", str(tmp_path / "outside"))
    assert run.code == 0, run.out
    assert MARKER in run.bundles  # granted by the person running sluice, so read


@pytest.mark.parametrize("git_path", [".git/config", "sub/.git", "../repo/.git/config"])
def test_git_metadata_is_never_read(tmp_path: Path, git_path: str) -> None:
    repo = make_repo(tmp_path, {
        "sub/.git": f"gitdir: ../.git\n# {TOKEN}\n",
        "app/kustomization.yaml": f"configMapGenerator:\n- name: x\n  files: [{git_path}]\n",
        "apps/app.yaml": APP.format(name="app", url=REPO_URL, path="app"),
    })
    run = sluice(tmp_path, "verify", str(repo))
    assert run.code == 2 and "Traceback" not in run.out, run.out
    assert TOKEN not in run.text


def test_a_symlink_into_git_is_refused(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {
        "app/kustomization.yaml": "configMapGenerator:\n- name: x\n  files: [cfg]\n",
        "apps/app.yaml": APP.format(name="app", url=REPO_URL, path="app"),
    }, {"app/cfg": "../.git/config"})
    assert_refused(sluice(tmp_path, "render", str(repo)), ".git")


def test_applicationset_git_generator_reads_through_the_boundary(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {
        "apps/set.yaml": f"""
            apiVersion: argoproj.io/v1alpha1
            kind: ApplicationSet
            metadata: {{name: envs, namespace: argocd}}
            spec:
              goTemplate: true
              generators:
              - git: {{repoURL: {REPO_URL}, revision: HEAD, files: [{{path: "envs/*.json"}}]}}
              template:
                metadata: {{name: "env-{{{{.name}}}}"}}
                spec:
                  source: {{repoURL: {REPO_URL}, path: app}}
                  destination: {{name: in-cluster, namespace: "{{{{.name}}}}"}}
            """,
        "app/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n",
        "envs/a.json": '{"name": "a"}',
    }, {"envs/b.json": "OUTSIDE/secret.txt"})
    assert_refused(sluice(tmp_path, "render", str(repo)), "envs/b.json")


def test_glob_patterns_run_in_linear_time(tmp_path: Path) -> None:
    name = "a" * 60
    repo = make_repo(tmp_path, {
        f"app/{name}.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n",
        "apps/app.yaml": f"""
            apiVersion: argoproj.io/v1alpha1
            kind: Application
            metadata: {{name: app, namespace: argocd}}
            spec:
              source:
                repoURL: {REPO_URL}
                path: app
                directory: {{include: "*a*a*a*a*a*a*a*c", exclude: "(a|aa)+"}}
              destination: {{name: in-cluster, namespace: app}}
            """,
    })
    run = sluice(tmp_path, "render", str(repo))  # backtracking: minutes; RE2: instant
    assert run.code == 0 and "Traceback" not in run.out, run.out


def test_a_huge_scalar_costs_memory_in_proportion(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {
        "app/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n  k: " + "a" * 20_000_000 + "\n",
        "apps/app.yaml": APP.format(name="app", url=REPO_URL, path="app"),
    })
    run = sluice(tmp_path, "render", str(repo))  # 2.4 GB before; the limit is 3 GB with Helm's runtime in it
    assert run.code == 0, run.out[-2000:]


def test_a_5000_digit_integer_is_not_a_traceback(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {
        "app/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: n}\ndata:\n  k: " + "7" * 5000 + "\n",
        "app/dep.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  replicas: " + "9" * 5000 + "\n",
        "apps/app.yaml": APP.format(name="app", url=REPO_URL, path="app"),
    })
    for command in ("render", "verify"):
        run = sluice(tmp_path, command, str(repo))
        assert run.code in (0, 1, 2) and "Traceback" not in run.out, run.out[-2000:]


def test_a_runaway_chart_template_is_stopped(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {
        **CHART,
        "sluice.yaml": f"repoURL: {REPO_URL}\nlimits: {{helmRenderSeconds: 3}}\n",
        "chart/templates/cm.yaml": "{{ range until 100000 }}{{ range until 100000 }}{{ end }}{{ end }}\n",
    })
    assert_refused(sluice(tmp_path, "render", str(repo)), "apps/web.yaml", "longer than 3 s", "limits.helmRenderSeconds")


def test_a_chart_rendering_too_much_is_refused(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {
        **CHART,
        "sluice.yaml": f"repoURL: {REPO_URL}\nlimits: {{helmOutputBytes: 1000}}\n",
        "chart/templates/cm.yaml": "{{ range until 200 }}# {{ . }} padding padding padding\n{{ end }}\n",
    })
    assert_refused(sluice(tmp_path, "render", str(repo)), "more than 1000 bytes", "limits.helmOutputBytes")


def test_a_thousand_by_thousand_matrix_fails_fast(tmp_path: Path) -> None:
    elements = ", ".join(f"{{x: '{i}'}}" for i in range(1000))
    repo = make_repo(tmp_path, {
        "apps/set.yaml": f"""
            apiVersion: argoproj.io/v1alpha1
            kind: ApplicationSet
            metadata: {{name: big, namespace: argocd}}
            spec:
              generators:
              - matrix:
                  generators:
                  - list: {{elements: [{elements}]}}
                  - list: {{elements: [{elements.replace("x:", "y:")}]}}
              template:
                metadata: {{name: "a-{{{{x}}}}-{{{{y}}}}"}}
                spec:
                  source: {{repoURL: {REPO_URL}, path: app}}
                  destination: {{name: in-cluster, namespace: a}}
            """,
    })
    assert_refused(sluice(tmp_path, "render", str(repo)), "apps/set.yaml", "1000000", "limits.generatedApplications")
