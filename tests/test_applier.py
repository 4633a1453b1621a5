"""renderer.applier against real git: bare remotes by path and file:// URL, and a
``git daemon`` on 127.0.0.1 (no mocks)."""
from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from renderer.applier import (
    NOTES_REF,
    DrySource,
    app_metadata,
    commit_message,
    history,
    hydrate,
    read_dry_source,
    rollback,
    root_metadata,
)
from renderer.applier.git import git_date, normalize_remote, redact_url
from renderer.applier.hydrate import _Preserve, is_sluice_message, parse_trailers
from renderer.core.errors import GitError, InputError

try:
    from tests.gitrepos import DryRepo, dry_repo, git, git_bytes, git_daemon, isolated_git_env, make_bare, refs_of
except ModuleNotFoundError:  # tests/ is not a package: pytest puts tests/ itself on sys.path
    from gitrepos import DryRepo, dry_repo, git, git_bytes, git_daemon, isolated_git_env, make_bare, refs_of

__all__ = ["dry_repo", "git_daemon", "isolated_git_env", "make_bare"]  # fixtures used by name

# -- inputs -------------------------------------------------------------------------------


def make_dry(n: int, subject: str | None = None, **kw: object) -> DrySource:
    fields: dict[str, object] = {
        "repo_url": "https://git.example.com/org/deploy.git",
        "dry_sha": hashlib.sha1(f"dry{n}".encode()).hexdigest(),
        "subject": subject or f"dry change {n}",
        "author": "Dev One <dev1@example.com>",
        "date": f"2025-06-{n:02d}T12:00:00+02:00",
    }
    fields.update(kw)
    return DrySource(**fields)  # type: ignore[arg-type]


def bundle(dry: DrySource, apps: dict[str, str]) -> dict[str, bytes]:
    """What the renderer hands over for one branch: per app dir manifest,
    metadata and README (the README names the dry SHA, like Argo CD's)."""
    files: dict[str, bytes] = {}
    for app, manifest in apps.items():
        files[f"{app}/manifest.yaml"] = manifest.encode()
        files[f"{app}/hydrator.metadata"] = app_metadata(dry, ["sluice render"])
        files[f"{app}/README.md"] = f"# {app}\n\ngit checkout {dry.dry_sha}\nsluice render\n".encode()
    return files


WEB1 = "kind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1\n"
WEB2 = WEB1.replace("replicas: 1", "replicas: 2")
WEB3 = WEB1.replace("replicas: 1", "replicas: 3")
API1 = "kind: Deployment\nmetadata:\n  name: api\n"


def show(repo: Path, spec: str) -> str:
    return git("show", spec, cwd=repo)


def tip(repo: Path, branch: str) -> str:
    return git("rev-parse", f"refs/heads/{branch}", cwd=repo)


def note(repo: Path, rev: str) -> str:
    return git("notes", "--ref=hydrator.metadata", "show", rev, cwd=repo)


# -- remotes of every kind ---------------------------------------------------------------

Remote = tuple[str, Path]  # (what hydrate() gets, the bare repo on disk to inspect)


@pytest.fixture(params=["path", "file-url", "daemon"])
def new_remote(request: pytest.FixtureRequest, make_bare: Callable[..., Path]) -> Callable[[], Remote]:
    """Factory of empty remotes addressed as a plain path, a file:// URL, or a
    git:// URL served by git daemon on loopback."""
    kind = request.param
    counter = iter(range(1000))
    if kind == "daemon":
        daemon = request.getfixturevalue("git_daemon")

        def served() -> Remote:
            path, url = daemon.create(f"r{next(counter)}.git")
            return url, path

        return served

    def local() -> Remote:
        path = make_bare()
        return (path.as_uri() if kind == "file-url" else str(path)), path

    return local


# -- first hydration ---------------------------------------------------------------------


def test_first_hydration_creates_branches(new_remote: Callable[[], Remote], dry_repo: DryRepo) -> None:
    url, bare = new_remote()
    dry = read_dry_source(dry_repo.path)
    bundles = {
        "environments/prod": bundle(dry, {"web": WEB1}),
        "environments/dev": bundle(dry, {"web": WEB1, "api": API1}),
    }
    res = hydrate(url, bundles, dry)

    assert res.pushed and res.attempts == 1
    assert [b.branch for b in res.branches] == ["environments/dev", "environments/prod"]
    for b in res.branches:
        assert b.changed and b.note_updated and b.old_sha is None
        assert b.new_sha == tip(bare, b.branch)
        assert git("rev-list", "--parents", "-1", b.new_sha, cwd=bare) == b.new_sha  # root commit

    dev = "refs/heads/environments/dev"
    assert git("ls-tree", "-r", "--name-only", dev, cwd=bare).splitlines() == [
        ".gitattributes",
        "api/README.md",
        "api/hydrator.metadata",
        "api/manifest.yaml",
        "hydrator.metadata",
        "web/README.md",
        "web/hydrator.metadata",
        "web/manifest.yaml",
    ]
    assert git("ls-tree", "-r", "--name-only", "refs/heads/environments/prod", cwd=bare).splitlines() == [
        ".gitattributes",
        "hydrator.metadata",
        "web/README.md",
        "web/hydrator.metadata",
        "web/manifest.yaml",
    ]
    assert git_bytes("show", f"{dev}:web/manifest.yaml", cwd=bare) == WEB1.encode()
    assert git_bytes("show", f"{dev}:api/hydrator.metadata", cwd=bare) == app_metadata(dry, ["sluice render"])

    # Root files, byte for byte.
    assert git_bytes("show", f"{dev}:.gitattributes", cwd=bare) == (
        b"**/README.md linguist-generated=true\n**/hydrator.metadata linguist-generated=true"
    )
    sha = dry_repo.head()
    expected_metadata = (
        "{\n"
        '  "repoURL": "https://git.example.com/org/deploy.git",\n'
        f'  "drySha": "{sha}",\n'
        '  "author": "Test Author <author@example.com>",\n'
        '  "date": "2025-06-03T09:30:00-04:00",\n'
        '  "subject": "Scale web to 3",\n'
        '  "body": "Traffic is up.\\n\\nSigned-off-by: Dev One <dev1@example.com>\\n"\n'
        "}\n"
    )
    assert git_bytes("show", f"{dev}:hydrator.metadata", cwd=bare) == expected_metadata.encode()

    # Message and trailers.
    message = git("log", "-1", "--format=%B", dev, cwd=bare)
    assert message == (
        f"{sha[:7]}: Scale web to 3\n\n"
        "Traffic is up.\n\n"
        "Signed-off-by: Dev One <dev1@example.com>\n\n"
        "Co-authored-by: Test Author <author@example.com>\n"
        f"Argocd-reference-commit-sha: {sha}\n"
        "Argocd-reference-commit-repourl: https://git.example.com/org/deploy.git\n"
        f"Sluice-dry-sha: {sha}"
    )
    parsed = git("interpret-trailers", "--parse", input=(message + "\n").encode())
    assert f"Argocd-reference-commit-sha: {sha}" in parsed.splitlines()
    assert f"Sluice-dry-sha: {sha}" in parsed.splitlines()

    # Note, identity, dates.
    assert json.loads(note(bare, dev)) == {"drySha": sha}
    assert note(bare, dev) == f'{{"drySha":"{sha}"}}'
    ident = git("log", "-1", "--format=%an <%ae>|%cn <%ce>|%aI|%cI", dev, cwd=bare)
    assert ident == "sluice <sluice@localhost>|sluice <sluice@localhost>|2025-06-03T09:30:00-04:00|2025-06-03T09:30:00-04:00"
    assert NOTES_REF in refs_of(bare)


def test_root_metadata_field_order_and_omissions() -> None:
    dry = make_dry(1, commands=("helm template x", "kustomize build"), body="")
    data = root_metadata(dry)
    assert list(json.loads(data)) == ["repoURL", "drySha", "commands", "author", "date", "subject"]
    assert data.endswith(b"}\n") and data.startswith(b'{\n  "repoURL": ')
    unicode = root_metadata(make_dry(1, subject="d\u00e9ploie <web> & co \u2028"))
    assert "déploie <web> & co \\u2028".encode() in unicode


# -- re-runs and changes -----------------------------------------------------------------


def test_identical_rerun_makes_no_commit(make_bare: Callable[..., Path]) -> None:
    bare = make_bare()
    dry = make_dry(1)
    bundles = {"dev": bundle(dry, {"web": WEB1}), "prod": bundle(dry, {"web": WEB1})}
    hydrate(str(bare), bundles, dry)
    before = refs_of(bare)

    res = hydrate(str(bare), bundles, dry)

    assert not res.pushed
    assert [(b.changed, b.note_updated) for b in res.branches] == [(False, False), (False, False)]
    assert [b.old_sha for b in res.branches] == [b.new_sha for b in res.branches] == [before["refs/heads/dev"], before["refs/heads/prod"]]
    assert refs_of(bare) == before


def test_changed_bundle_commits_only_that_branch(make_bare: Callable[..., Path]) -> None:
    bare = make_bare()
    dry = make_dry(1)
    hydrate(str(bare), {"dev": bundle(dry, {"web": WEB1}), "prod": bundle(dry, {"web": WEB1})}, dry)
    before = refs_of(bare)

    dry2 = make_dry(2)
    res = hydrate(str(bare), {"dev": bundle(dry2, {"web": WEB1}), "prod": bundle(dry2, {"web": WEB2})}, dry2)

    assert res.pushed
    assert not res["dev"].changed and tip(bare, "dev") == before["refs/heads/dev"]
    assert res["prod"].changed and res["prod"].new_sha == tip(bare, "prod")
    assert git("rev-list", "refs/heads/prod", cwd=bare).splitlines() == [res["prod"].new_sha, before["refs/heads/prod"]]
    assert show(bare, "refs/heads/prod:web/manifest.yaml") == WEB2.rstrip("\n")


def test_new_dry_commit_touching_only_generated_files_moves_the_note(make_bare: Callable[..., Path]) -> None:
    """Argo CD behaviour: no commit when only hydrator.metadata/README.md change;
    the tip's note records the new dry SHA instead."""
    bare = make_bare()
    dry1, dry2 = make_dry(1), make_dry(2)
    hydrate(str(bare), {"dev": bundle(dry1, {"web": WEB1}), "prod": bundle(dry1, {"web": WEB1})}, dry1)
    before = refs_of(bare)

    res = hydrate(str(bare), {"dev": bundle(dry2, {"web": WEB1}), "prod": bundle(dry2, {"web": WEB2})}, dry2)

    assert res["prod"].changed and json.loads(note(bare, "refs/heads/prod")) == {"drySha": dry2.dry_sha}
    assert not res["dev"].changed and res["dev"].note_updated
    assert tip(bare, "dev") == before["refs/heads/dev"]
    assert json.loads(note(bare, "refs/heads/dev")) == {"drySha": dry2.dry_sha}
    assert json.loads(show(bare, "refs/heads/dev:hydrator.metadata"))["drySha"] == dry1.dry_sha
    latest = history(str(bare), "dev")[0]
    assert (latest.sha, latest.dry_sha, latest.note_dry_sha) == (before["refs/heads/dev"], dry1.dry_sha, dry2.dry_sha)

    # Opt-in: commit whenever the tree differs.
    dry3 = make_dry(3)
    res = hydrate(
        str(bare),
        {"dev": bundle(dry3, {"web": WEB1}), "prod": bundle(dry3, {"web": WEB2})},
        dry3,
        metadata_only_commits=True,
    )
    assert res["dev"].changed and res["prod"].changed
    assert json.loads(show(bare, "refs/heads/dev:hydrator.metadata"))["drySha"] == dry3.dry_sha

    # Rolling back to dry2 (which only moved the note) restores that content and names dry2.
    rolled = rollback(str(bare), "dev", to=dry2.dry_sha, date="2025-07-01T00:00:00Z")
    assert git("rev-parse", f"{rolled.new_sha}^{{tree}}", cwd=bare) == git("rev-parse", f"{latest.sha}^{{tree}}", cwd=bare)
    assert json.loads(note(bare, "refs/heads/dev")) == {"drySha": dry2.dry_sha}


def test_removed_app_disappears_and_preserved_paths_stay(make_bare: Callable[..., Path]) -> None:
    bare = make_bare()
    dry = make_dry(1)
    first = bundle(dry, {"web": WEB1, "api": API1})
    first["legacy/manual.yaml"] = b"kind: ConfigMap\n"
    first["ops/keep.txt"] = b"hand-made\n"
    first["ops/other.txt"] = b"dropped\n"
    hydrate(str(bare), {"dev": first}, dry)
    old_entries = git("ls-tree", "-r", "refs/heads/dev", cwd=bare)

    dry2, dry3 = make_dry(2), make_dry(3)  # the same dry commit again would change nothing
    res = hydrate(str(bare), {"dev": bundle(dry2, {"web": WEB2})}, dry2, preserve=["legacy", "**/keep.txt", "nothing/*"])

    assert res["dev"].changed
    assert git("ls-tree", "-r", "--name-only", "refs/heads/dev", cwd=bare).splitlines() == [
        ".gitattributes",
        "hydrator.metadata",
        "legacy/manual.yaml",
        "ops/keep.txt",
        "web/README.md",
        "web/hydrator.metadata",
        "web/manifest.yaml",
    ]
    new_entries = git("ls-tree", "-r", "refs/heads/dev", cwd=bare)
    for path in ("legacy/manual.yaml", "ops/keep.txt"):  # same blobs as before
        assert [l for l in old_entries.splitlines() if l.endswith(path)] == [l for l in new_entries.splitlines() if l.endswith(path)]

    # The caller's own version of a preserved path wins.
    res = hydrate(str(bare), {"dev": {**bundle(dry3, {"web": WEB2}), "ops/keep.txt": b"v2\n"}}, dry3, preserve=["**/keep.txt"])
    assert show(bare, "refs/heads/dev:ops/keep.txt") == "v2"
    assert "legacy/manual.yaml" not in git("ls-tree", "-r", "--name-only", "refs/heads/dev", cwd=bare)


def test_preserve_glob_semantics() -> None:
    keep = _Preserve(["legacy", "**/keep.txt", "cfg/*.yaml", "x/**/y"])
    assert keep("legacy/a/b.yaml") and keep("keep.txt") and keep("a/b/keep.txt")
    assert keep("cfg/a.yaml") and not keep("cfg/sub/a.yaml")
    assert keep("x/y") and keep("x/1/2/y")
    assert not keep("legacyx/a") and not keep("web/manifest.yaml")
    assert not _Preserve([])("anything")


# -- ownership and atomicity -------------------------------------------------------------


def test_branch_not_made_by_sluice_is_refused_and_nothing_pushed(make_bare: Callable[..., Path], dry_repo: DryRepo) -> None:
    bare = make_bare()
    dry = make_dry(1)
    hydrate(str(bare), {"dev": bundle(dry, {"web": WEB1})}, dry)
    git("push", "--quiet", str(bare), "main:refs/heads/prod", cwd=dry_repo.path)  # a human's branch
    before = refs_of(bare)

    dry2 = make_dry(2)
    with pytest.raises(GitError, match=r"prod \(tip") as excinfo:
        hydrate(str(bare), {"dev": bundle(dry2, {"web": WEB2}), "prod": bundle(dry2, {"web": WEB2}), "qa": bundle(dry2, {})}, dry2)

    assert "Nothing was pushed" in str(excinfo.value)
    assert refs_of(bare) == before  # dev not advanced, qa not created, notes untouched


def test_server_side_rejection_is_atomic(make_bare: Callable[..., Path]) -> None:
    bare = make_bare()
    dry = make_dry(1)
    hydrate(str(bare), {"dev": bundle(dry, {"web": WEB1}), "prod": bundle(dry, {"web": WEB1})}, dry)
    hook = bare / "hooks" / "update"
    hook.parent.mkdir(exist_ok=True)
    hook.write_text('#!/bin/sh\n[ "$1" = refs/heads/prod ] && { echo "prod is frozen" >&2; exit 1; }\nexit 0\n')
    hook.chmod(0o755)
    before = refs_of(bare)
    attempts: list[int] = []

    with pytest.raises(GitError, match="rejected"):
        dry2 = make_dry(2)
        hydrate(str(bare), {"dev": bundle(dry2, {"web": WEB2}), "prod": bundle(dry2, {"web": WEB2})}, dry2, before_push=attempts.append)

    assert refs_of(bare) == before
    assert attempts == [1]  # nothing moved: not retried


# -- concurrent writers ------------------------------------------------------------------


def test_concurrent_sluice_writer_is_retried_on_top(new_remote: Callable[[], Remote]) -> None:
    url, bare = new_remote()
    dry1, other, dry2 = make_dry(1), make_dry(5, subject="other writer"), make_dry(2)
    hydrate(url, {"dev": bundle(dry1, {"web": WEB1}), "prod": bundle(dry1, {"web": WEB1})}, dry1)
    calls: list[int] = []
    theirs: list[str] = []

    def other_writer(attempt: int) -> None:
        calls.append(attempt)
        if attempt == 1:  # another sluice pushes between our fetch and our push
            r = hydrate(url, {"dev": bundle(other, {"web": WEB3, "api": API1})}, other)
            theirs.append(r["dev"].new_sha or "")

    res = hydrate(url, {"dev": bundle(dry2, {"web": WEB2}), "prod": bundle(dry2, {"web": WEB2})}, dry2, before_push=other_writer)

    assert calls == [1, 2] and res.attempts == 2 and res.pushed
    ours = tip(bare, "dev")
    assert res["dev"].old_sha == theirs[0] and res["dev"].new_sha == ours
    assert git("rev-parse", f"{ours}^", cwd=bare) == theirs[0]  # on top, not forced over
    assert git("ls-tree", "-r", "--name-only", ours, cwd=bare).count("manifest.yaml") == 1  # api removed again
    assert show(bare, f"{ours}:web/manifest.yaml") == WEB2.rstrip("\n")
    assert json.loads(note(bare, theirs[0])) == {"drySha": other.dry_sha}  # their note survived
    assert json.loads(note(bare, ours)) == {"drySha": dry2.dry_sha}


def test_concurrent_foreign_writer_is_refused_not_forced(make_bare: Callable[..., Path], tmp_path: Path) -> None:
    bare = make_bare()
    dry = make_dry(1)
    hydrate(str(bare), {"dev": bundle(dry, {"web": WEB1})}, dry)
    human: list[str] = []

    def human_push(attempt: int) -> None:
        if attempt == 1:
            clone = tmp_path / f"clone{attempt}"
            git("clone", "--quiet", "--branch", "dev", str(bare), str(clone))
            (clone / "web" / "manifest.yaml").write_text("hand edit\n")
            git("commit", "--quiet", "-am", "hotfix by hand", cwd=clone)
            git("push", "--quiet", "origin", "dev", cwd=clone)
            human.append(git("rev-parse", "HEAD", cwd=clone))

    dry2 = make_dry(2)
    with pytest.raises(GitError, match=r"dev \(tip"):
        hydrate(str(bare), {"dev": bundle(dry2, {"web": WEB2})}, dry2, before_push=human_push)
    assert tip(bare, "dev") == human[0]


def test_gives_up_after_bounded_retries(make_bare: Callable[..., Path]) -> None:
    bare = make_bare()
    dry = make_dry(1)
    hydrate(str(bare), {"dev": bundle(dry, {"web": WEB1})}, dry)
    calls: list[int] = []

    def always_move(attempt: int) -> None:
        calls.append(attempt)
        d = make_dry(10 + attempt)
        hydrate(str(bare), {"dev": bundle(d, {"web": f"kind: X{attempt}\n"})}, d)

    dry2 = make_dry(2)
    with pytest.raises(GitError, match="gave up after 3 attempts"):
        hydrate(str(bare), {"dev": bundle(dry2, {"web": WEB2})}, dry2, max_retries=2, before_push=always_move)
    assert calls == [1, 2, 3]
    assert show(bare, "refs/heads/dev:web/manifest.yaml") == "kind: X3"


# -- determinism and isolation -----------------------------------------------------------


def test_identical_inputs_give_identical_shas(
    make_bare: Callable[..., Path], dry_repo: DryRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dry1, dry2 = make_dry(1), make_dry(2)
    steps = [
        (dry1, {"dev": bundle(dry1, {"web": WEB1, "api": API1}), "prod": bundle(dry1, {"web": WEB1})}),
        (dry2, {"dev": bundle(dry2, {"web": WEB2}), "prod": bundle(dry2, {"web": WEB1})}),
    ]
    a, b = make_bare(), make_bare()
    for dry, bundles in steps:
        hydrate(str(a), bundles, dry)

    # Second run: reversed mapping order, a hostile user environment, a workdir.
    evil_hooks = tmp_path / "evil-hooks"
    evil_hooks.mkdir()
    # With a local remote, receive-pack runs as the user too and honours this config
    # (as it would for a plain `git push`): the hooks only fail outside the remotes.
    for name in ("pre-push", "post-commit", "pre-commit", "reference-transaction"):
        (evil_hooks / name).write_text('#!/bin/sh\ncase "$(pwd)" in */remotes/*) exit 0;; esac\nexit 1\n')
        (evil_hooks / name).chmod(0o755)
    evil_config = tmp_path / "evil.gitconfig"
    evil_config.write_text(
        "[user]\n\tname = Evil\n\temail = evil@example.com\n"
        "[commit]\n\tgpgSign = true\n"
        "[push]\n\tgpgSign = true\n"
        "[i18n]\n\tcommitEncoding = ISO-8859-1\n"
        f"[core]\n\thooksPath = {evil_hooks}\n"
        "[notes]\n\trewriteRef = refs/notes/*\n"
    )
    index_before = (dry_repo.path / ".git" / "index").read_bytes()
    head_before = dry_repo.head()
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(evil_config))
    monkeypatch.setenv("GIT_DIR", str(dry_repo.path / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(dry_repo.path))
    monkeypatch.setenv("GIT_INDEX_FILE", str(dry_repo.path / ".git" / "index"))
    monkeypatch.setenv("GIT_AUTHOR_DATE", "2001-01-01T00:00:00Z")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "Evil")
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    work = tmp_path / "work"
    for dry, bundles in steps:
        hydrate(str(b), dict(reversed(list(bundles.items()))), dry, workdir=work)
    monkeypatch.undo()

    assert refs_of(a) == refs_of(b)
    assert set(refs_of(a)) == {"refs/heads/dev", "refs/heads/prod", NOTES_REF}
    assert list(work.iterdir()) == []  # scratch repositories removed
    assert dry_repo.head() == head_before  # the user's repository is untouched
    assert (dry_repo.path / ".git" / "index").read_bytes() == index_before
    assert git("status", "--porcelain", cwd=dry_repo.path) == ""


# -- history and rollback ----------------------------------------------------------------


def test_history_and_rollback_round_trip(new_remote: Callable[[], Remote], dry_repo: DryRepo) -> None:
    url, bare = new_remote()
    drys = [make_dry(1), make_dry(2), make_dry(3)]
    for dry, web in zip(drys, [WEB1, WEB2, WEB3]):
        hydrate(url, {"dev": bundle(dry, {"web": web})}, dry)

    h = history(url, "dev")
    assert [r.dry_sha for r in h] == [d.dry_sha for d in reversed(drys)]
    assert [r.note_dry_sha for r in h] == [d.dry_sha for d in reversed(drys)]
    assert [r.subject for r in h] == [f"{d.dry_sha[:7]}: {d.subject}" for d in reversed(drys)]
    assert [r.date for r in h] == [d.date for d in reversed(drys)]
    assert h[0].sha == tip(bare, "dev") and all(r.by_sluice and r.rollback_to is None for r in h)
    assert [r.sha for r in history(url, "dev", limit=2)] == [h[0].sha, h[1].sha]
    assert history(url, "no-such-branch") == []

    # Roll back to the first hydration, named by an abbreviated dry SHA.
    res = rollback(url, "dev", to=drys[0].dry_sha[:10], date="2025-07-01T12:00:00Z")
    assert res.changed and res.old_sha == h[0].sha and res.new_sha == tip(bare, "dev")
    assert git("rev-parse", f"{res.new_sha}^", cwd=bare) == h[0].sha  # forward-only
    assert git("rev-parse", f"{res.new_sha}^{{tree}}", cwd=bare) == git("rev-parse", f"{h[2].sha}^{{tree}}", cwd=bare)
    assert show(bare, "refs/heads/dev:web/manifest.yaml") == WEB1.rstrip("\n")
    message = git("log", "-1", "--format=%B", "refs/heads/dev", cwd=bare)
    assert message.startswith(f"Rollback to {h[2].sha[:7]} ")
    trailers = dict(parse_trailers(message))
    assert trailers["Sluice-dry-sha"] == trailers["Argocd-reference-commit-sha"] == drys[0].dry_sha
    assert trailers["Sluice-rollback-to"] == h[2].sha
    assert json.loads(note(bare, "refs/heads/dev")) == {"drySha": drys[0].dry_sha}

    h2 = history(url, "dev")
    assert h2[0].rollback_to == h[2].sha and h2[0].dry_sha == drys[0].dry_sha and h2[1:] == h

    # Roll forward again by hydrated SHA; a no-op rollback makes no commit.
    res = rollback(url, "dev", to=h[1].sha[:8], date="2025-07-02T12:00:00Z")
    assert show(bare, "refs/heads/dev:web/manifest.yaml") == WEB2.rstrip("\n")
    before = refs_of(bare)
    again = rollback(url, "dev", to=h[1].sha, date="2025-07-03T12:00:00Z")
    assert not again.changed and refs_of(bare) == before

    with pytest.raises(GitError, match="neither a commit"):
        rollback(url, "dev", to="deadbeef")
    with pytest.raises(GitError, match="does not exist"):
        rollback(url, "nope", to=h[1].sha)
    with pytest.raises(InputError):
        rollback(url, "dev", to="HEAD~1")

    # Hydration continues normally after a rollback.
    dry4 = make_dry(4)
    res4 = hydrate(url, {"dev": bundle(dry4, {"web": WEB3})}, dry4)
    assert res4["dev"].changed and res4["dev"].old_sha == res.new_sha


def test_rollback_refuses_foreign_tip(make_bare: Callable[..., Path], dry_repo: DryRepo) -> None:
    bare = make_bare()
    git("push", "--quiet", str(bare), "main:refs/heads/prod", cwd=dry_repo.path)
    with pytest.raises(GitError, match="prod"):
        rollback(str(bare), "prod", to=dry_repo.head())
    records = history(str(bare), "prod", limit=5)
    assert [r.subject for r in records] == ["Scale web to 3", "Add api", "Add web"]
    assert all(not r.by_sluice and r.dry_sha is None and r.note_dry_sha is None for r in records)


# -- reading the dry commit --------------------------------------------------------------


def test_read_dry_source(dry_repo: DryRepo, tmp_path: Path) -> None:
    dry = read_dry_source(dry_repo.path, commands=["sluice render --all"])
    assert dry.dry_sha == dry_repo.head()
    assert dry.repo_url == "https://git.example.com/org/deploy.git"  # credentials removed
    assert dry.subject == "Scale web to 3"
    assert dry.body == "Traffic is up.\n\nSigned-off-by: Dev One <dev1@example.com>\n"
    assert dry.author == "Test Author <author@example.com>"
    assert dry.date == "2025-06-03T09:30:00-04:00"
    assert dry.commands == ("sluice render --all",)

    older = read_dry_source(dry_repo.path, "HEAD~2", repo_url="ssh://git@example.com/x.git")
    assert older.subject == "Add web" and older.body == "" and older.repo_url == "ssh://git@example.com/x.git"

    git("remote", "remove", "origin", cwd=dry_repo.path)
    assert read_dry_source(dry_repo.path).repo_url == str(dry_repo.path.resolve())
    with pytest.raises(GitError, match="cannot read dry commit"):
        read_dry_source(dry_repo.path, "no-such-rev")
    with pytest.raises(InputError):
        read_dry_source(tmp_path / "missing")


def test_commit_message_shape() -> None:
    dry = make_dry(1, body="Line one\nArgocd-reference-commit-sha: abcdef1\n")
    msg = commit_message(dry)
    assert msg.startswith(f"{dry.dry_sha[:7]}: dry change 1\n\nLine one\n\nCo-authored-by: Dev One <dev1@example.com>\n")
    assert msg.count("Argocd-reference-commit-sha") == 1 and is_sluice_message(msg)
    assert not is_sluice_message("abc1234: looks: like a trailer\n")
    assert parse_trailers("subject\n\nbody\n\nA: 1\nB-c: 2\n") == [("A", "1"), ("B-c", "2")]
    assert parse_trailers("subject\n\nnot a trailer\nA: 1\n") == []


# -- input validation --------------------------------------------------------------------


@pytest.mark.parametrize(
    "files",
    [
        {"/abs.yaml": b""},
        {"a/../b.yaml": b""},
        {"a//b.yaml": b""},
        {"dir/": b""},
        {"x/.git/config": b""},
        {"hydrator.metadata": b"{}"},
        {".gitattributes": b""},
        {"a": b"", "a/b": b""},
        {"a\nb": b""},
        {"ok.yaml": "not bytes"},
    ],
)
def test_bad_bundle_paths_are_input_errors(make_bare: Callable[..., Path], files: dict) -> None:
    bare = make_bare()
    with pytest.raises(InputError):
        hydrate(str(bare), {"dev": files}, make_dry(1))
    assert refs_of(bare) == {}


@pytest.mark.parametrize("branch", ["-x", "a..b", "a.lock", "HEAD", "a b", "/a", "a/", "a/.b", ""])
def test_bad_branch_names_are_input_errors(make_bare: Callable[..., Path], branch: str) -> None:
    with pytest.raises(InputError):
        hydrate(str(make_bare()), {branch: {}}, make_dry(1))


def test_other_input_errors(make_bare: Callable[..., Path]) -> None:
    bare = make_bare()
    with pytest.raises(InputError, match="dry SHA"):
        make_dry(1, dry_sha="abc")
    with pytest.raises(InputError, match="no commit date"):
        hydrate(str(bare), {"dev": {}}, make_dry(1, date=""))
    with pytest.raises(InputError, match="ISO 8601"):
        hydrate(str(bare), {"dev": {}}, make_dry(1), commit_date="yesterday")
    with pytest.raises(InputError, match="is both a file and a directory"):
        first = make_dry(1)
        hydrate(str(bare), {"dev": {"a/b": b"x"}}, first)
        hydrate(str(bare), {"dev": {"a": b"x"}}, make_dry(2), preserve=["a/**"])
    assert hydrate(str(bare), {}, make_dry(1)).branches == ()


def test_explicit_commit_date_and_author(make_bare: Callable[..., Path]) -> None:
    bare = make_bare()
    dry = make_dry(1)
    hydrate(str(bare), {"dev": {}}, dry, commit_date="2030-01-02T03:04:05Z", author_name="Fleet Bot", author_email="fleet@example.com")
    assert git("log", "-1", "--format=%an <%ae> %aI %cI", "refs/heads/dev", cwd=bare) == (
        "Fleet Bot <fleet@example.com> 2030-01-02T03:04:05+00:00 2030-01-02T03:04:05+00:00"
    )


# -- small helpers -----------------------------------------------------------------------


def test_git_date_and_remote_helpers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert git_date("2025-06-09T13:50:08-04:00") == "@1749491408 -0400"
    assert git_date("2025-06-09T17:50:08Z") == "@1749491408 +0000"
    assert git_date("1749491408 +0530") == "@1749491408 +0530"
    with pytest.raises(InputError):
        git_date("June 9th")
    assert redact_url("https://user:tok@host/x.git") == "https://host/x.git"
    assert redact_url("https://tok@host/x.git") == "https://host/x.git"
    assert redact_url("ssh://git@host/x.git") == "ssh://git@host/x.git"
    assert redact_url("git@github.com:o/r.git") == "git@github.com:o/r.git"
    monkeypatch.chdir(tmp_path)
    assert normalize_remote("rel/remote.git") == str(tmp_path.resolve() / "rel" / "remote.git")
    assert normalize_remote("git://127.0.0.1:9/x.git") == "git://127.0.0.1:9/x.git"
    assert normalize_remote("git@github.com:o/r.git") == "git@github.com:o/r.git"
    assert os.fspath(normalize_remote(tmp_path)) == str(tmp_path.resolve())
