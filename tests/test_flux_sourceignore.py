"""`.sourceignore` and the Flux source artifact: what source-controller leaves out, Flux
never builds."""
from __future__ import annotations

import fnmatch
import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from renderer.core.errors import InputError
from renderer.flux import expand_flux_tree
from renderer.flux.artifact import ArtifactFS
from renderer.flux.sourceignore import IgnoreMatcher, artifact_matcher, parse_pattern, read_patterns
from renderer.core.fs import RepoFS

# (pattern, domain, path, is_dir) -> excluded / included / no match
MATCH_TABLE = [
    ("secret.yaml", (), "apps/secret.yaml", False, "exclude"),  # a bare name matches any component
    ("apps", (), "apps/web/deploy.yaml", False, "exclude"),  # ... including a parent's
    ("apps", (), "apps", True, "exclude"),
    ("app", (), "apps/web.yaml", False, None),  # whole components only
    ("tmp/", (), "tmp", False, None),  # directory-only: a file named tmp is kept
    ("tmp/", (), "tmp", True, "exclude"),
    ("tmp/", (), "x/tmp/a.yaml", False, "exclude"),  # a file below a directory named tmp
    ("*.md", (), "docs/README.md", False, "exclude"),
    ("d?ta", (), "data/x.yaml", False, "exclude"),
    ("[dD]ocs", (), "Docs/x", False, "exclude"),
    ("[^d]ocs", (), "docs/x", False, None),  # Go's [^...] negates a class
    ("[^d]ocs", (), "Docs/x", False, "exclude"),
    ("[!d]ocs", (), "!ocs/x", False, "exclude"),  # ... and "!" is an ordinary character
    ("v[ou", (), "v[ou/x", False, None),  # a malformed glob matches nothing
    ("\\*.yaml", (), "*.yaml", False, "exclude"),
    ("\\*.yaml", (), "a.yaml", False, None),
    ("/deploy", (), "deploy/a.yaml", False, "exclude"),  # anchored at the file's directory
    ("/deploy", (), "x/deploy/a.yaml", False, None),
    ("deploy/prod", (), "deploy/prod/a.yaml", False, "exclude"),  # a slash anchors too
    ("deploy/prod", (), "x/deploy/prod", True, None),
    ("**/prod", (), "a/b/prod/x.yaml", False, "exclude"),
    ("**/prod", (), "prod", True, "exclude"),
    ("a/**/z", (), "a/z", False, "exclude"),  # "**" between spans zero or more directories
    ("a/**/z", (), "a/b/c/z", False, "exclude"),
    ("a/**", (), "a/b/c", False, "exclude"),
    ("a/**", (), "a", True, "exclude"),  # go-git: a trailing "**" also matches the directory itself
    ("x.yaml", ("apps",), "apps/x.yaml", False, "exclude"),  # a nested .sourceignore's scope
    ("x.yaml", ("apps",), "x.yaml", False, None),
    ("x.yaml", ("apps",), "apps", True, None),
    ("/x.yaml", ("apps",), "apps/x.yaml", False, "exclude"),
    ("/x.yaml", ("apps",), "apps/sub/x.yaml", False, None),
    ("!keep.yaml", (), "apps/keep.yaml", False, "include"),
    ("name  ", (), "name", False, "exclude"),  # trailing spaces dropped
]


@pytest.mark.parametrize(("pattern", "domain", "path", "is_dir", "expected"), MATCH_TABLE)
def test_pattern_semantics(pattern: str, domain: tuple[str, ...], path: str, is_dir: bool, expected: str | None) -> None:
    result = parse_pattern(pattern, domain).match(path.split("/"), is_dir)
    assert {0: None, 1: "exclude", 2: "include"}[result] == expected


def test_last_matching_pattern_wins() -> None:
    matcher = IgnoreMatcher(read_patterns("# comment\n\n*.yaml\n!keep.yaml\nkeep.yaml.bak\n"))
    assert matcher.excluded(["a", "drop.yaml"], False)
    assert not matcher.excluded(["a", "keep.yaml"], False)
    assert not matcher.excluded(["README.md"], False)
    again = IgnoreMatcher(read_patterns("!keep.yaml\n*.yaml\n"))
    assert again.excluded(["keep.yaml"], False)


def test_default_exclusions_only_without_user_patterns() -> None:
    defaults = artifact_matcher([])
    assert defaults.excluded([".github", "workflows", "ci.yaml"], False)
    assert defaults.excluded(["clusters", ".sops.yaml"], False)
    assert defaults.excluded([".git"], True)
    user = artifact_matcher(read_patterns("docs/\n"))
    assert not user.excluded([".github", "workflows", "ci.yaml"], False)  # defaults dropped
    assert user.excluded([".gitignore"], False)  # VCS files always excluded
    assert user.excluded(["docs", "a.yaml"], False)


@given(st.text(alphabet="ab*?.-", min_size=1, max_size=6), st.text(alphabet="ab.-", min_size=1, max_size=6))
def test_star_and_question_mark_match_like_shell_globs(glob: str, name: str) -> None:
    """Without classes or escapes, Go's filepath.Match and a shell glob agree on one name."""
    assert (parse_pattern(glob).match([name], False) == 1) == fnmatch.fnmatchcase(name, glob)


# -- the artifact in a Flux render ---------------------------------------------------------

def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def _cm(name: str) -> str:
    return f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  k: v\n"


SYNC = """apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: flux-system
  namespace: flux-system
spec:
  url: ssh://git@example.com/fleet
  ref: {branch: main}
%s---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: flux-system
  namespace: flux-system
spec:
  interval: 10m
  path: ./clusters/prod
  prune: true
  sourceRef: {kind: GitRepository, name: flux-system}
"""

APPS = """apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: apps
  namespace: flux-system
spec:
  interval: 10m
  path: ./apps
  prune: true
  sourceRef: {kind: GitRepository, name: flux-system}
"""


def _names(tree: list) -> dict[str, list[str]]:
    return {ks["metadata"]["name"]: sorted(o["metadata"]["name"] for o in objs) for ks, objs in tree}


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    _write(tmp_path, {
        "clusters/prod/flux-system/gotk-sync.yaml": SYNC % "",
        "clusters/prod/apps.yaml": APPS,
        "apps/web.yaml": _cm("web"),
        "apps/draft.yaml": _cm("draft"),
        "apps/examples/demo.yaml": _cm("demo"),
        "apps/examples/keep.yaml": _cm("keep"),
        ".github/workflows/ci.yaml": "name: ci\non: push\n",
    })
    return tmp_path


def test_sourceignore_files_shape_the_generated_kustomization(repo: Path) -> None:
    assert _names(expand_flux_tree(RepoFS(repo), "clusters/prod"))["apps"] == ["demo", "draft", "keep", "web"]
    _write(repo, {".sourceignore": "draft.yaml\n", "apps/examples/.sourceignore": "*.yaml\n!keep.yaml\n"})
    assert _names(expand_flux_tree(RepoFS(repo), "clusters/prod"))["apps"] == ["keep", "web"]


def test_git_repository_spec_ignore_adds_patterns(repo: Path) -> None:
    ignore = "  ignore: |\n    /apps/examples/\n"
    _write(repo, {"clusters/prod/flux-system/gotk-sync.yaml": SYNC % ignore})
    # the GitRepository is found in the rendered flux-system output, so its spec.ignore applies
    assert _names(expand_flux_tree(RepoFS(repo), "clusters/prod"))["apps"] == ["draft", "web"]


def test_symlinks_are_not_in_the_artifact(repo: Path) -> None:
    os.symlink("web.yaml", repo / "apps" / "alias.yaml")
    os.symlink("examples", repo / "apps" / "linked-dir")
    assert _names(expand_flux_tree(RepoFS(repo), "clusters/prod"))["apps"] == ["demo", "draft", "keep", "web"]


def test_a_kustomization_naming_an_ignored_file_fails_as_in_flux(repo: Path) -> None:
    _write(repo, {"apps/kustomization.yaml": "resources: [web.yaml, draft.yaml]\n", ".sourceignore": "draft.yaml\n"})
    with pytest.raises(InputError, match=r"left out of the Flux source artifact \(.sourceignore"):
        expand_flux_tree(RepoFS(repo), "clusters/prod")


def test_artifact_view_keeps_a_directory_holding_a_reincluded_file(repo: Path) -> None:
    _write(repo, {".sourceignore": "examples/\n!apps/examples/keep.yaml\n"})
    view = ArtifactFS(RepoFS(repo))
    assert view.is_dir("apps/examples") and view.listdir("apps/examples") == ["keep.yaml"]
    assert not view.exists("apps/examples/demo.yaml") and view.is_file("apps/examples/keep.yaml")
    assert view.is_dir(".github")  # user patterns replace the default list (VCS files aside)
