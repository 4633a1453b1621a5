"""End to end through the CLI: the demo fleet rendered, then hydrated into a real bare
remote (by path and over git:// on 127.0.0.1), checked with git itself."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from renderer.cli import main
from gitrepos import demo_repo, git, git_daemon, init_bare, isolated_git_env, refs_of  # noqa: F401 - fixtures

REPO_ROOT = Path(__file__).resolve().parent.parent




def sluice(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_render_writes_one_dir_per_cluster_and_app(demo_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "bundles"
    code, stdout, err = sluice(["render", str(demo_repo), "--out", str(out)], capsys)
    assert code == 0, err
    manifests = sorted(p.relative_to(out).as_posix() for p in out.rglob("manifest.yaml"))
    assert manifests, stdout
    clusters = {m.split("/")[0] for m in manifests}
    assert clusters == {"staging", "production"}
    for manifest in manifests:
        app_dir = (out / manifest).parent
        meta = json.loads((app_dir / "hydrator.metadata").read_text())
        assert meta["drySha"] == git("rev-parse", "HEAD", cwd=demo_repo).strip()
        assert (app_dir / "README.md").is_file()
        assert not (app_dir / "kustomization.yaml").exists()


def test_render_is_deterministic(demo_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first, second = tmp_path / "one", tmp_path / "two"
    assert sluice(["render", str(demo_repo), "--out", str(first)], capsys)[0] == 0
    assert sluice(["render", str(demo_repo), "--out", str(second)], capsys)[0] == 0
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for rel in files:
        assert (first / rel).read_bytes() == (second / rel).read_bytes(), rel


@pytest.mark.parametrize("transport", ["path", "file-url"])
def test_hydrate_then_noop(demo_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], transport: str) -> None:
    bare = init_bare(tmp_path / "hydrated.git")
    remote = str(bare) if transport == "path" else bare.as_uri()
    code, out, err = sluice(["hydrate", str(demo_repo), "--remote", remote], capsys)
    assert code == 0, err
    dry_sha = git("rev-parse", "HEAD", cwd=demo_repo).strip()
    refs = refs_of(bare)
    assert "refs/heads/hydrated/staging" in refs and "refs/heads/hydrated/production" in refs
    tree = git("ls-tree", "-r", "--name-only", "hydrated/staging", cwd=bare).split()
    assert "hydrator.metadata" in tree and ".gitattributes" in tree
    assert any(p.endswith("/manifest.yaml") for p in tree)
    message = git("log", "-1", "--format=%B", "hydrated/staging", cwd=bare)
    assert message.startswith(f"{dry_sha[:7]}: Initial fleet")
    assert dry_sha in git("interpret-trailers", "--parse", cwd=bare, input=message.encode())
    note = git("notes", "--ref=hydrator.metadata", "show", "hydrated/staging", cwd=bare)
    assert json.loads(note) == {"drySha": dry_sha}

    code, out, err = sluice(["hydrate", str(demo_repo), "--remote", remote], capsys)
    assert code == 0, err
    assert "unchanged, no commit" in out
    assert refs_of(bare) == refs, "a second run with no source change makes no commit"


def test_hydrate_over_git_daemon(demo_repo: Path, git_daemon, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    bare, url = git_daemon.create("fleet.git")
    code, out, err = sluice(["hydrate", str(demo_repo), "--remote", url], capsys)
    assert code == 0, err
    assert url.startswith("git://127.0.0.1:")
    assert "refs/heads/hydrated/production" in refs_of(bare)


def test_changed_overlay_commits_only_its_cluster(demo_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bare = init_bare(tmp_path / "hydrated.git")
    assert sluice(["hydrate", str(demo_repo), "--remote", str(bare)], capsys)[0] == 0
    before = refs_of(bare)
    kust = demo_repo / "overlays" / "staging" / "web" / "kustomization.yaml"
    text = kust.read_text()
    assert "newTag:" in text
    kust.write_text(re.sub(r"newTag: .*", "newTag: 9.9.9", text, count=1))
    git("commit", "-q", "-am", "Bump web in staging", cwd=demo_repo)
    code, out, err = sluice(["hydrate", str(demo_repo), "--remote", str(bare)], capsys)
    assert code == 0, err
    after = refs_of(bare)
    assert after["refs/heads/hydrated/staging"] != before["refs/heads/hydrated/staging"]
    assert after["refs/heads/hydrated/production"] == before["refs/heads/hydrated/production"]
    manifest = git("show", "hydrated/staging:web/manifest.yaml", cwd=bare)
    assert ":9.9.9" in manifest


def test_bad_input_writes_and_pushes_nothing(demo_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bare = init_bare(tmp_path / "hydrated.git")
    app = demo_repo / "apps" / "staging" / "web.yaml"
    text = app.read_text()
    assert "destination:\n    name: staging\n" in text
    app.write_text(text.replace("destination:\n    name: staging\n", "destination:\n    name: nowhere\n"))
    git("commit", "-q", "-am", "Point web at a cluster that does not exist", cwd=demo_repo)
    out = tmp_path / "bundles"
    code, _stdout, err = sluice(["render", str(demo_repo), "--out", str(out)], capsys)
    assert code == 2
    assert "apps/staging/web.yaml" in err
    assert not out.exists()
    code, _stdout, err = sluice(["hydrate", str(demo_repo), "--remote", str(bare)], capsys)
    assert code == 2
    assert refs_of(bare) == {}
