"""`sluice hydrate/rollback/history` as CI runs them, against real git: stale jobs,
force-pushed and shallow dry histories, dirty trees, rollback holds, clones with
different origins, remote names, an HTTP remote needing a token header, author and
signing from git config, full ref names, scratch directories."""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from renderer.applier import DryHistory, Monotonic, hydrate
from renderer.cli import main
from renderer.core.scratch import sweep_stale

try:
    from tests.githttp import AUTH_HEADER, git_http
    from tests.gitrepos import git, init_bare, isolated_git_env, refs_of
except ModuleNotFoundError:  # tests/ is not a package
    from githttp import AUTH_HEADER, git_http
    from gitrepos import git, init_bare, isolated_git_env, refs_of

__all__ = ["git_http", "isolated_git_env"]  # fixtures used by name

REPO_URL = "https://git.example.com/org/fleet.git"
BRANCH = "hydrated/in-cluster"

APPS = """\
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: web}
spec:
  source: {repoURL: %s, path: deploy/web}
  destination: {name: in-cluster, namespace: web}
"""


def fleet(path: Path, *, template: str = "hydrated/{cluster}") -> Path:
    """A one-app fleet as a git repository (first commit: replicas 1)."""
    path.mkdir(parents=True)
    (path / "sluice.yaml").write_text(
        f"repoURL: {REPO_URL}/\napplications: [apps.yaml]\nclusters: []\n"
        f"output: {{dir: out, branchTemplate: {json.dumps(template)}}}\n"
    )
    (path / "apps.yaml").write_text(APPS % REPO_URL)
    (path / ".gitignore").write_text("out/\n")
    git("init", "--quiet", "--initial-branch=main", str(path))
    commit(path, 1)
    return path


def commit(path: Path, replicas: int) -> str:
    web = path / "deploy" / "web"
    web.mkdir(parents=True, exist_ok=True)
    (web / "cm.yaml").write_text(f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: web}}\ndata: {{replicas: '{replicas}'}}\n")
    git("add", "-A", cwd=path)
    date = f"2025-08-{replicas:02d}T10:00:00Z"
    git("commit", "--quiet", "-m", f"replicas {replicas}", cwd=path, env={"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date})
    return git("rev-parse", "HEAD", cwd=path)


def sluice(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def tip_manifest(bare: Path, branch: str = BRANCH) -> str:
    return git("show", f"refs/heads/{branch}:web/manifest.yaml", cwd=bare)


@pytest.fixture
def dry(tmp_path: Path, isolated_git_env: Path) -> Path:
    return fleet(tmp_path / "dry")


# -- monotonic ----------------------------------------------------------------------------


def test_stale_job_is_superseded_exit_3(dry: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bare = init_bare(tmp_path / "h.git")
    c1 = git("rev-parse", "HEAD", cwd=dry)
    c2 = commit(dry, 2)
    assert sluice(["hydrate", str(dry), "--remote", str(bare)], capsys)[0] == 0
    before = refs_of(bare)
    git("checkout", "--quiet", c1, cwd=dry)  # the slower job of the parent commit

    code, out, err = sluice(["hydrate", str(dry), "--remote", str(bare)], capsys)

    assert code == 3, err
    assert f"superseded by {c2}" in out and "nothing written" in out
    assert refs_of(bare) == before and 'replicas: "2"' in tip_manifest(bare)


def test_force_pushed_dry_history_is_refused_unless_allowed(dry: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bare = init_bare(tmp_path / "h.git")
    assert sluice(["hydrate", str(dry), "--remote", str(bare)], capsys)[0] == 0
    before = refs_of(bare)
    git("checkout", "--quiet", "--orphan", "rewritten", cwd=dry)
    commit(dry, 5)

    code, _out, err = sluice(["hydrate", str(dry), "--remote", str(bare)], capsys)
    assert code == 2 and "shares no history" in err and "--allow-unrelated" in err and "Traceback" not in err
    assert refs_of(bare) == before

    code, _out, err = sluice(["hydrate", str(dry), "--remote", str(bare), "--allow-unrelated"], capsys)
    assert code == 0, err
    assert 'replicas: "5"' in tip_manifest(bare)


def test_recorded_commit_missing_from_a_shallow_clone(dry: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bare = init_bare(tmp_path / "h.git")
    assert sluice(["hydrate", str(dry), "--remote", str(bare)], capsys)[0] == 0
    commit(dry, 2)
    shallow = tmp_path / "shallow"
    git("clone", "--quiet", "--depth=1", dry.as_uri(), str(shallow))
    before = refs_of(bare)

    code, _out, err = sluice(["hydrate", str(shallow), "--remote", str(bare)], capsys)

    assert code == 2 and "not known" in err and "--unshallow" in err
    assert refs_of(bare) == before
    git("fetch", "--quiet", "--unshallow", cwd=shallow)
    assert sluice(["hydrate", str(shallow), "--remote", str(bare)], capsys)[0] == 0
    assert 'replicas: "2"' in tip_manifest(bare)


# -- dirty trees --------------------------------------------------------------------------


def test_dirty_tree_is_refused_then_recorded(dry: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bare = init_bare(tmp_path / "h.git")
    (dry / "deploy" / "web" / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\ndata: {x: dirty}\n")
    (dry / "deploy" / "web" / "new.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: extra}\n")
    (dry / "out").mkdir()
    (dry / "out" / "ignored.txt").write_text("bundles are not source\n")

    code, _out, err = sluice(["hydrate", str(dry), "--remote", str(bare)], capsys)
    assert code == 2 and "uncommitted changes" in err
    assert "deploy/web/cm.yaml" in err and "deploy/web/new.yaml" in err and "out/" not in err
    assert refs_of(bare) == {}

    code, _out, err = sluice(["render", str(dry), "--out", str(tmp_path / "bundles")], capsys)
    assert code == 0 and "rendered uncommitted content" in err and "deploy/web/cm.yaml" in err

    code, _out, err = sluice(["hydrate", str(dry), "--remote", str(bare), "--allow-dirty"], capsys)
    assert code == 0, err
    meta = json.loads(git("show", f"refs/heads/{BRANCH}:hydrator.metadata", cwd=bare))
    assert meta["dirty"] == ["deploy/web/cm.yaml", "deploy/web/new.yaml"]
    message = git("log", "-1", "--format=%B", f"refs/heads/{BRANCH}", cwd=bare)
    assert "Rendered with uncommitted changes to: deploy/web/cm.yaml, deploy/web/new.yaml" in message
    assert "Sluice-dirty: true" in message


def test_clean_render_says_nothing_about_dirt(dry: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = sluice(["render", str(dry)], capsys)  # writes out/, which is not source
    assert code == 0 and "uncommitted" not in err
    code, _out, err = sluice(["render", str(dry)], capsys)
    assert code == 0 and "uncommitted" not in err


# -- rollback -----------------------------------------------------------------------------


def test_rollback_holds_until_a_newer_dry_commit(dry: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bare = init_bare(tmp_path / "h.git")
    c1 = git("rev-parse", "HEAD", cwd=dry)
    assert sluice(["hydrate", str(dry), "--remote", str(bare)], capsys)[0] == 0
    c2 = commit(dry, 2)
    assert sluice(["hydrate", str(dry), "--remote", str(bare)], capsys)[0] == 0

    code, out, err = sluice(["rollback", "--remote", str(bare), "--branch", BRANCH, "--to", c1[:10]], capsys)
    assert code == 0, err
    assert f"newer than {c2[:12]}" in out and "does not undo it" in out and "--release-rollback" in out
    rolled = refs_of(bare)
    assert 'replicas: "1"' in tip_manifest(bare)

    # The CI job of c2 runs again: the rollback stays.
    code, out, err = sluice(["hydrate", str(dry), "--remote", str(bare)], capsys)
    assert code == 3, err
    assert out == (f"dry commit {c2[:12]}: held by a rollback (release it by hydrating a newer dry commit, or "
                   "--release-rollback); nothing written\n")
    assert refs_of(bare) == rolled

    history = json.loads(sluice(["history", "--remote", str(bare), "--branch", BRANCH, "--output", "json"], capsys)[1])
    assert history[0]["heldAt"] == c2 and history[0]["drySha"] == c1

    # Released explicitly ...
    code, _out, err = sluice(["hydrate", str(dry), "--remote", str(bare), "--release-rollback"], capsys)
    assert code == 0, err
    assert 'replicas: "2"' in tip_manifest(bare)

    # ... or by a newer dry commit.
    assert sluice(["rollback", "--remote", str(bare), "--branch", BRANCH, "--to", c1], capsys)[0] == 0
    commit(dry, 3)
    code, _out, err = sluice(["hydrate", str(dry), "--remote", str(bare)], capsys)
    assert code == 0, err
    assert 'replicas: "3"' in tip_manifest(bare)


# -- recorded source ----------------------------------------------------------------------


def test_three_clones_give_byte_identical_commits(dry: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    commit(dry, 2)
    by_path = tmp_path / "by-path"
    git("clone", "--quiet", str(dry), str(by_path))  # origin: a local path
    by_url = tmp_path / "elsewhere" / "by-url"
    git("clone", "--quiet", dry.as_uri(), str(by_url))
    git("remote", "set-url", "origin", "https://ci:secret@other.example.com/mirror/fleet.git", cwd=by_url)
    tips = []
    for clone in (dry, by_path, by_url):
        bare = init_bare(tmp_path / f"{clone.name}.git")
        code, _out, err = sluice(["hydrate", str(clone), "--remote", str(bare)], capsys)
        assert code == 0, err
        tips.append(git("rev-parse", f"refs/heads/{BRANCH}", cwd=bare))
        meta = json.loads(git("show", f"refs/heads/{BRANCH}:hydrator.metadata", cwd=bare))
        assert meta["repoURL"] == REPO_URL  # sluice.yaml's, trailing '/' dropped
        everything = git("log", "-p", "--notes=hydrator.metadata", f"refs/heads/{BRANCH}", cwd=bare)
        assert str(tmp_path) not in everything and "secret" not in everything
    assert tips[0] == tips[1] == tips[2]


# -- remotes, credentials, identity -------------------------------------------------------


def test_remote_by_configured_name(dry: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bare = init_bare(tmp_path / "h.git")
    git("remote", "add", "origin", str(bare), cwd=dry)
    code, _out, err = sluice(["hydrate", str(dry), "--remote", "origin"], capsys)
    assert code == 0, err
    assert f"refs/heads/{BRANCH}" in refs_of(bare)
    assert not (dry / "origin").exists()
    code, _out, err = sluice(["hydrate", str(dry), "--remote", "nosuchremote"], capsys)
    assert code == 2 and "not a URL, an existing path, or a remote configured" in err


def test_http_remote_needing_a_token_header(dry: Path, git_http, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: ANN001
    bare, url = git_http.create("hydrated.git")
    code, _out, err = sluice(["hydrate", str(dry), "--remote", url], capsys)
    assert code == 2 and git_http.refused > 0 and refs_of(bare) == {}

    # What a CI checkout stores in the repository's own config.
    base = url.rsplit("/", 1)[0] + "/"
    git("config", f"http.{base}.extraheader", AUTH_HEADER, cwd=dry)
    git("config", f"url.{base}.insteadOf", "https://forge.invalid/", cwd=dry)
    git("remote", "add", "origin", "https://forge.invalid/hydrated.git", cwd=dry)
    code, out, err = sluice(["hydrate", str(dry), "--remote", "origin"], capsys)
    assert code == 0, err + out
    assert f"refs/heads/{BRANCH}" in refs_of(bare)

    history = sluice(["history", "--repo", str(dry), "--remote", "https://forge.invalid/hydrated.git",
                      "--branch", BRANCH, "--output", "json"], capsys)
    assert history[0] == 0 and len(json.loads(history[1])) == 1


def test_author_from_git_config_or_flag(dry: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bare = init_bare(tmp_path / "h.git")
    git("config", "user.name", "CI Bot", cwd=dry)
    git("config", "user.email", "ci@example.com", cwd=dry)
    assert sluice(["hydrate", str(dry), "--remote", str(bare)], capsys)[0] == 0
    assert git("log", "-1", "--format=%an <%ae>|%cn <%ce>", f"refs/heads/{BRANCH}", cwd=bare) == "CI Bot <ci@example.com>|CI Bot <ci@example.com>"
    commit(dry, 2)
    assert sluice(["hydrate", str(dry), "--remote", str(bare), "--author", "Release Train <rt@example.com>"], capsys)[0] == 0
    assert git("log", "-1", "--format=%an <%ae>", f"refs/heads/{BRANCH}", cwd=bare) == "Release Train <rt@example.com>"
    code, _out, err = sluice(["hydrate", str(dry), "--remote", str(bare), "--author", "nobody"], capsys)
    assert code == 2 and "Name <email>" in err


def test_signing_follows_commit_gpgsign(dry: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    key = tmp_path / "signing_key"
    if subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], capture_output=True).returncode:
        pytest.skip("ssh-keygen cannot make a key here")
    bare = init_bare(tmp_path / "h.git")
    assert sluice(["hydrate", str(dry), "--remote", str(bare)], capsys)[0] == 0
    assert "gpgsig" not in git("cat-file", "commit", f"refs/heads/{BRANCH}", cwd=bare)  # unsigned by default
    git("config", "gpg.format", "ssh", cwd=dry)
    git("config", "user.signingKey", str(key), cwd=dry)
    git("config", "commit.gpgSign", "true", cwd=dry)
    commit(dry, 2)
    code, _out, err = sluice(["hydrate", str(dry), "--remote", str(bare)], capsys)
    assert code == 0, err
    assert "gpgsig -----BEGIN SSH SIGNATURE-----" in git("cat-file", "commit", f"refs/heads/{BRANCH}", cwd=bare)


# -- branch names and scratch directories -------------------------------------------------


def test_full_ref_names_are_normalised_or_refused(tmp_path: Path, isolated_git_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dry = fleet(tmp_path / "dry", template="refs/heads/hydrated/{cluster}")
    bare = init_bare(tmp_path / "h.git")
    code, _out, err = sluice(["hydrate", str(dry), "--remote", str(bare)], capsys)
    assert code == 0, err
    assert [r for r in refs_of(bare) if r.startswith("refs/heads/")] == [f"refs/heads/{BRANCH}"]

    tags = fleet(tmp_path / "tags", template="refs/tags/{cluster}")
    code, _out, err = sluice(["render", str(tags)], capsys)
    assert code == 2 and "branchTemplate" in err and "sluice.yaml" in err and "refs/heads/" in err


def test_api_branch_keys_share_the_rule(tmp_path: Path, dry: Path) -> None:
    from renderer.applier import read_dry_source

    bare = init_bare(tmp_path / "h.git")
    source = read_dry_source(dry, repo_url=REPO_URL)
    res = hydrate(str(bare), {"refs/heads/dev": {"a/manifest.yaml": b"x\n"}}, source, monotonic=Monotonic(DryHistory(dry)))
    assert [b.branch for b in res.branches] == ["dev"] and "refs/heads/dev" in refs_of(bare)
    with pytest.raises(Exception, match="refs/heads/"):
        hydrate(str(bare), {"refs/tags/dev": {}}, source)


def test_stale_scratch_directories_are_swept(dry: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dead = subprocess.run(["sh", "-c", "echo $$"], capture_output=True, text=True).stdout.strip()  # an exited pid
    work = tmp_path / "work"
    (work / f"sluice-git-{dead}-abc").mkdir(parents=True)
    (work / f"sluice-git-{os.getpid()}-live").mkdir()
    old = work / "sluice-git-legacy"
    old.mkdir()
    os.utime(old, (0, 0))
    removed = sweep_stale(work, "sluice-git-")
    assert sorted(p.name for p in removed) == sorted([f"sluice-git-{dead}-abc", "sluice-git-legacy"])
    assert (work / f"sluice-git-{os.getpid()}-live").exists()

    # beside the bundles: the next render sweeps what a killed one left
    bundles = tmp_path / "bundles"
    leftover = tmp_path / f".bundles.tmp-{dead}-xyz"
    leftover.mkdir()
    assert sluice(["render", str(dry), "--out", str(bundles)], capsys)[0] == 0
    assert not leftover.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".bundles.")] == []

    # and hydration leaves nothing in its scratch directory
    bare = init_bare(tmp_path / "h.git")
    res = hydrate(str(bare), {"dev": {"a/manifest.yaml": b"x\n"}},
                  __import__("renderer.applier", fromlist=["read_dry_source"]).read_dry_source(dry, repo_url=REPO_URL),
                  workdir=work)
    assert res.pushed and [p.name for p in work.iterdir()] == [f"sluice-git-{os.getpid()}-live"]


OUT_OF_REACH_SET = """\
---
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: elsewhere}
spec:
  generators: [{list: {elements: [{name: api}]}}]
  template:
    metadata: {name: '{{name}}'}
    spec:
      source: {repoURL: https://git.example.com/org/other.git, path: api}
      destination: {name: in-cluster, namespace: api}
"""


def test_hydrate_says_what_the_render_left_out(dry: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A hydration prints (and `-o json` lists) what its render skipped, as `sluice render` does:
    an app out of reach is never dropped from a hydrated branch silently."""
    with (dry / "apps.yaml").open("a") as fh:
        fh.write(OUT_OF_REACH_SET)
    git("commit", "--quiet", "-am", "an ApplicationSet out of reach", cwd=dry)
    bare = init_bare(tmp_path / "h.git")
    code, _render_out, render_err = sluice(["render", str(dry), "--out", str(tmp_path / "b")], capsys)
    assert code == 0
    (line,) = [line for line in render_err.splitlines() if line.startswith("skipped: ")]
    assert "Application api (ApplicationSet elsewhere) not rendered" in line

    code, out, err = sluice(["hydrate", str(dry), "--remote", str(bare)], capsys)
    assert code == 0 and "pushed" in out
    assert line in err.splitlines()

    commit(dry, 2)
    code, out, err = sluice(["hydrate", str(dry), "--remote", str(bare), "-o", "json"], capsys)
    assert code == 0
    report = json.loads(out)
    assert report["skipped"] == [line.removeprefix("skipped: ")]
    assert line.removeprefix("skipped: ") in report["notes"] and report["warnings"] == []
    code, _out, _err = sluice(["hydrate", str(dry), "--remote", str(bare), "--strict"], capsys)
    assert code == 2


def test_history_of_a_branch_the_remote_lacks_is_an_error(dry: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A mistyped --branch is exit 2 naming the branches there are, not an empty history and exit 0."""
    bare = init_bare(tmp_path / "h.git")
    code, _out, err = sluice(["history", "--remote", str(bare), "--branch", BRANCH], capsys)
    assert code == 2 and f"branch {BRANCH!r} not found on {bare} (it has no branches)" in err
    assert sluice(["hydrate", str(dry), "--remote", str(bare)], capsys)[0] == 0
    code, _out, err = sluice(["history", "--remote", str(bare), "--branch", "hydrated/in-clutser"], capsys)
    assert code == 2 and f"(its branches: {BRANCH})" in err
    code, out, _err = sluice(["history", "--remote", str(bare), "--branch", f"refs/heads/{BRANCH}", "-o", "json"], capsys)
    assert code == 0 and len(json.loads(out)) == 1
