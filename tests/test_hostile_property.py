"""No traceback on any input: generated hostile repository trees thrown at `sluice render`
and `sluice verify` through the CLI entry point. Whatever the tree holds (bad YAML, wrong
types in every field of sluice.yaml, kustomizations and Applications, huge numbers, odd
unicode, deep nesting, symlinks out of the repository or into .git), the exit code is 0,
1 or 2 and the output holds no traceback."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import yaml as pyyaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from renderer.cli import cli

MARKER = "OUTSIDE-MARKER-51c2"

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70), st.floats(allow_nan=True),
    st.text(max_size=12), st.sampled_from(["..", "../..", "/etc/passwd", ".git/config", "~", "*a*a*a*c", "(a|aa)+",
                                           "\u202e\u0000", "{{ .x }}", "$(VAR)", "1" * 5000, "0x" + "f" * 300]),
)
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                      max_leaves=8)

CONFIG_KEYS = ["repoURL", "applications", "clusters", "fluxClusters", "exclude", "inClusterEnabled", "kubeVersion",
               "apiVersions", "childApplications", "repositories", "helmReleases", "allowPlaintextSecrets",
               "clusterScopedKinds", "output", "preserve", "limits"]
KUSTOMIZATION_KEYS = ["resources", "patches", "configMapGenerator", "secretGenerator", "namePrefix", "namespace",
                      "images", "replicas", "helmCharts", "components", "labels", "commonLabels", "replacements",
                      "patchesStrategicMerge", "patchesJson6902", "generators", "transformers", "crds"]
SOURCE_KEYS = ["repoURL", "path", "targetRevision", "chart", "helm", "kustomize", "directory", "ref", "plugin"]


def _mapping(keys: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(st.sampled_from(keys), values, max_size=4)


def _dump(doc: Any) -> str:
    return pyyaml.safe_dump(doc, allow_unicode=True)


raw_texts = st.sampled_from([
    "a: [", "key: value\n  bad indent: x\n", "- " * 200 + "x\n", "[" * 500 + "]" * 500, "a: &a [*a]\n",
    "n: " + "9" * 5000 + "\n", "\ufeff\u2028: \udcff\n".encode("utf-8", "surrogatepass").decode("utf-8", "replace"),
    "---\n---\n...\n", "{a: 1, a: 2}\n", "!!binary 'xyz'\n", "a: !!int x\n", "\x00\x01\x02",
])

# a valid sluice.yaml (and plain kustomizations) as often as not, so that the render gets past it
sluice_yaml = st.one_of(st.just("repoURL: https://example.com/r.git\n"), _mapping(CONFIG_KEYS).map(_dump), raw_texts)
kustomization = st.one_of(
    st.just("resources: [cm.yaml]\n"),
    st.lists(st.sampled_from(["cm.yaml", "link.yaml", "dir", "../chart", "../.git/config", "../../outside/secret.txt",
                              "https://example.com/x", "values.yaml"]), max_size=3).map(lambda r: _dump({"resources": r})),
    _mapping(KUSTOMIZATION_KEYS).map(_dump), raw_texts)
application = st.one_of(
    st.builds(lambda source, extra: _dump({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": {"name": "app", "namespace": "argocd"},
        "spec": {"source": {"repoURL": "https://example.com/r.git", "path": "app", **source},
                 "destination": {"name": "in-cluster", "namespace": "app"}, **extra}}),
        _mapping(SOURCE_KEYS), _mapping(["syncPolicy", "project", "sources", "source"])),
    raw_texts,
)
links = st.lists(st.tuples(st.sampled_from(["app/link.yaml", "app/values.yaml", "chart/values.yaml", "app/dir"]),
                           st.sampled_from(["OUTSIDE/secret.txt", "OUTSIDE", "../.git/config", "../../.git",
                                            "link.yaml", "/dev/zero"])),
                 max_size=2, unique_by=lambda t: t[0])


def _plant(repo: Path, outside: Path, files: dict[str, str], symlinks: list[tuple[str, str]]) -> None:
    """Write a generated hostile tree: the files as given (any bytes a PR can hold) and the
    symlinks, `OUTSIDE` standing for a directory beside the repository holding a marker."""
    for rel, text in files.items():
        path = repo / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
    for rel, target in symlinks:
        link = repo / rel
        if not os.path.lexists(link):
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(target.replace("OUTSIDE", str(outside)))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(config=sluice_yaml, kust=kustomization, app=application, cm=st.one_of(raw_texts, values.map(_dump)), symlinks=links)
def test_no_traceback_on_hostile_trees(config: str, kust: str, app: str, cm: str, symlinks: list[tuple[str, str]]) -> None:
    with tempfile.TemporaryDirectory(prefix="sluice-hostile-") as tmp:
        outside = Path(tmp, "outside")
        outside.mkdir()
        (outside / "secret.txt").write_text(MARKER)
        repo = Path(tmp, "repo")
        _plant(repo, outside, {"sluice.yaml": config, "app/kustomization.yaml": kust, "apps/app.yaml": app,
                               "app/cm.yaml": cm, ".git/config": f"[http]\n\textraheader = {MARKER}\n",
                               "chart/Chart.yaml": "apiVersion: v2\nname: c\nversion: 0.1.0\n"}, symlinks)
        runner = CliRunner()
        for args in (["render", str(repo), "--out", str(Path(tmp, "out"))], ["verify", str(repo), "--no-schemas"]):
            result = runner.invoke(cli, args, catch_exceptions=True)
            assert result.exit_code in (0, 1, 2), (args, result.output, result.exception)
            assert result.exception is None or isinstance(result.exception, SystemExit), (
                f"{args}: {type(result.exception).__name__}: {result.exception}\n{result.output}")
            assert "Traceback" not in result.output
            assert MARKER not in result.output
        out = Path(tmp, "out")
        if out.is_dir():
            for path in out.rglob("*"):
                if path.is_file():
                    assert MARKER not in path.read_text(errors="replace")


def _git(repo: Path, *args: str) -> None:
    import subprocess

    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@e", "GIT_CONFIG_NOSYSTEM": "1"}
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(config=sluice_yaml, kust=kustomization, app=application, cm=st.one_of(raw_texts, values.map(_dump)), symlinks=links)
def test_diff_never_tracebacks_on_a_hostile_head(config: str, kust: str, app: str, cm: str,
                                                 symlinks: list[tuple[str, str]]) -> None:
    """A pull request's head revision of any shape: `sluice diff` in every format exits 0,
    1 or 2 with a message, and nothing outside the repository (nor the token CI keeps in
    .git/config) reaches its output."""
    with tempfile.TemporaryDirectory(prefix="sluice-hostile-diff-") as tmp:
        outside = Path(tmp, "outside")
        outside.mkdir()
        (outside / "secret.txt").write_text(MARKER)
        repo = Path(tmp, "repo")
        repo.mkdir()
        _git(repo, "init", "-q", "-b", "main")
        _git(repo, "config", "http.extraheader", f"Authorization: {MARKER}")
        (repo / "README.md").write_text("base\n")
        _git(repo, "add", "-A")
        _git(repo, "commit", "-q", "-m", "base")
        _plant(repo, outside, {"sluice.yaml": config, "app/kustomization.yaml": kust, "apps/app.yaml": app,
                               "app/cm.yaml": cm, "chart/Chart.yaml": "apiVersion: v2\nname: c\nversion: 0.1.0\n"},
               symlinks)
        _git(repo, "add", "-A")
        _git(repo, "commit", "-q", "-m", "head")
        runner = CliRunner()
        for fmt in ("text", "markdown", "json"):
            args = ["diff", str(repo), "--base", "HEAD~1", "--head", "HEAD", "-o", fmt]
            result = runner.invoke(cli, args, catch_exceptions=True)
            assert result.exit_code in (0, 1, 2), (args, result.output, result.exception)
            assert result.exception is None or isinstance(result.exception, SystemExit), (
                f"{args}: {type(result.exception).__name__}: {result.exception}\n{result.output}")
            assert "Traceback" not in result.output
            assert MARKER not in result.output
