"""Real temporary git repositories for tests (no mocks).

* :func:`git` runs git for the *test's own* setup with an isolated environment.
* ``isolated_git_env`` (use it, directly or through the other fixtures) points
  HOME/GIT_CONFIG_GLOBAL away from the developer's config.
* ``dry_repo``: a working repository with a few dry commits and an ``origin``.
* ``make_bare``: factory for bare repositories (remotes), addressed by path.
* ``git_daemon``: serves a directory of bare repositories over
  ``git://127.0.0.1:<free port>/`` with pushes enabled.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

TEST_ENV_BASE = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "LC_ALL": "C",
    "TZ": "UTC",
    "GIT_TERMINAL_PROMPT": "0",
}


def _env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(TEST_ENV_BASE)
    env.setdefault("GIT_AUTHOR_NAME", "Test Author")
    env.setdefault("GIT_AUTHOR_EMAIL", "author@example.com")
    env.setdefault("GIT_COMMITTER_NAME", "Test Author")
    env.setdefault("GIT_COMMITTER_EMAIL", "author@example.com")
    if extra:
        env.update(extra)
    return env


def git(*args: str, cwd: Path | None = None, env: Mapping[str, str] | None = None, input: bytes | None = None) -> str:
    """Run git for test setup/inspection; returns stdout (text, trailing newline kept
    off). Fails the test with git's stderr on a non-zero exit."""
    proc = subprocess.run(
        ["git", *args], cwd=cwd, env=_env(env), input=input, capture_output=True, check=False
    )
    if proc.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {proc.stderr.decode(errors='replace')}")
    return proc.stdout.decode("utf-8", "replace").rstrip("\n")


def git_bytes(*args: str, cwd: Path | None = None) -> bytes:
    proc = subprocess.run(["git", *args], cwd=cwd, env=_env(), capture_output=True, check=True)
    return proc.stdout


def refs_of(repo: Path) -> dict[str, str]:
    """``ref -> sha`` of every ref in ``repo`` (a snapshot to compare)."""
    out = git("for-each-ref", "--format=%(refname) %(objectname)", cwd=repo)
    return dict(line.split(" ", 1) for line in out.splitlines() if line)


@pytest.fixture
def isolated_git_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """HOME and global git config isolated for the whole test (the code under test
    inherits os.environ)."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    for key, value in TEST_ENV_BASE.items():
        monkeypatch.setenv(key, value)
    return home


@dataclass
class DryRepo:
    path: Path
    origin: str

    def commit(self, files: Mapping[str, str], message: str, *, date: str) -> str:
        for rel, text in files.items():
            target = self.path / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
        git("add", "-A", cwd=self.path)
        git(
            "commit",
            "--quiet",
            "--cleanup=strip",
            "-F",
            "-",
            cwd=self.path,
            env={"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date},
            input=message.encode(),
        )
        return git("rev-parse", "HEAD", cwd=self.path)

    def head(self) -> str:
        return git("rev-parse", "HEAD", cwd=self.path)


@pytest.fixture
def dry_repo(tmp_path: Path, isolated_git_env: Path) -> DryRepo:
    """A working repository with three dry commits and an https ``origin``."""
    path = tmp_path / "dry"
    git("init", "--quiet", "--initial-branch=main", str(path))
    origin = "https://git.example.com/org/deploy.git"
    git("remote", "add", "origin", "https://ci-bot:s3cret@git.example.com/org/deploy.git", cwd=path)
    repo = DryRepo(path=path, origin=origin)
    repo.commit({"apps/web/values.yaml": "replicas: 1\n"}, "Add web\n", date="2025-06-01T10:00:00+02:00")
    repo.commit({"apps/api/values.yaml": "replicas: 1\n"}, "Add api\n", date="2025-06-02T10:00:00+02:00")
    repo.commit(
        {"apps/web/values.yaml": "replicas: 3\n"},
        "Scale web to 3\n\nTraffic is up.\n\n"
        "Signed-off-by: Dev One <dev1@example.com>\n"
        "Argocd-reference-commit-sha: 0123456789abcdef0123456789abcdef01234567\n"
        "Argocd-reference-commit-subject: code change\n",
        date="2025-06-03T09:30:00-04:00",
    )
    return repo


def init_bare(path: Path) -> Path:
    git("init", "--quiet", "--bare", "--initial-branch=main", str(path))
    return path


@pytest.fixture
def make_bare(tmp_path: Path, isolated_git_env: Path):  # noqa: ANN201 - factory
    """``make_bare(name)`` -> path of a new empty bare repository."""
    counter = iter(range(1_000_000))

    def factory(name: str | None = None) -> Path:
        return init_bare(tmp_path / "remotes" / (name or f"remote{next(counter)}.git"))

    return factory


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class GitDaemon:
    base: Path
    port: int
    process: subprocess.Popen[bytes]

    def url(self, name: str) -> str:
        return f"git://127.0.0.1:{self.port}/{name}"

    def create(self, name: str) -> tuple[Path, str]:
        """A new bare repository served by the daemon: (path, git:// url)."""
        return init_bare(self.base / name), self.url(name)


def _start_daemon(base: Path) -> GitDaemon:
    last_err = ""
    log_path = base.parent / "git-daemon.log"
    for _ in range(5):  # the free port may be taken between probing and binding
        port = _free_port()
        log = log_path.open("ab")
        proc = subprocess.Popen(
            [
                "git",
                "daemon",
                "--export-all",
                "--enable=receive-pack",
                "--reuseaddr",
                "--informative-errors",
                f"--base-path={base}",
                "--listen=127.0.0.1",
                f"--port={port}",
                str(base),
            ],
            env=_env(),
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        log.close()
        probe = init_bare(base / f"probe-{port}.git")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and proc.poll() is None:
            res = subprocess.run(
                ["git", "ls-remote", f"git://127.0.0.1:{port}/{probe.name}"],
                env=_env(),
                capture_output=True,
                check=False,
            )
            if res.returncode == 0:
                shutil.rmtree(probe)
                return GitDaemon(base=base, port=port, process=proc)
            time.sleep(0.05)
        shutil.rmtree(probe, ignore_errors=True)
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=10)
        last_err = log_path.read_text(errors="replace")
    raise RuntimeError(f"git daemon did not start: {last_err}")


@pytest.fixture
def git_daemon(tmp_path: Path, isolated_git_env: Path) -> Iterator[GitDaemon]:
    """A ``git daemon`` on 127.0.0.1 serving ``<tmp>/served`` with push enabled."""
    base = tmp_path / "served"
    base.mkdir()
    daemon = _start_daemon(base)
    try:
        yield daemon
    finally:
        daemon.process.terminate()
        try:
            daemon.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            daemon.process.kill()
            daemon.process.wait(timeout=10)


# -- the demo fleet as a dry repository ----------------------------------------------------

REPO_ROOT = Path(__file__).resolve().parent.parent
DEMO_FILES = ("sluice.yaml", "apps", "clusters", "base", "overlays", "platform")
FIXED_DATE = {"GIT_AUTHOR_DATE": "2026-01-02T03:04:05Z", "GIT_COMMITTER_DATE": "2026-01-02T03:04:05Z"}


def copy_names(names: tuple[str, ...], src_root: Path, dest: Path) -> Path:
    """`dest` (made here) holding copies of `names` (files or directories) of `src_root`."""
    dest.mkdir()
    for name in names:
        src = src_root / name
        if src.is_dir():
            shutil.copytree(src, dest / name)
        else:
            shutil.copy2(src, dest / name)
    return dest


def copy_to_git(names: tuple[str, ...], src_root: Path, repo: Path, message: str = "Initial fleet") -> Path:
    """A new git repository at `repo` holding copies of `names` (files or directories) of
    `src_root`, committed once at a fixed date."""
    copy_names(names, src_root, repo)
    git("init", "-q", "-b", "main", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", message, cwd=repo, env=FIXED_DATE)
    return repo


@pytest.fixture
def demo_repo(tmp_path: Path, isolated_git_env: Path) -> Path:
    """This project's demo fleet as a dry repository (one commit, "Initial fleet")."""
    return copy_to_git(DEMO_FILES, REPO_ROOT, tmp_path / "dry")


DEMO_FILES = ("sluice.yaml", "apps", "clusters", "base", "overlays", "platform")


def demo_fleet(tmp_path: Path) -> Path:
    """The repository's demo fleet copied into a fresh git repository (one commit)."""
    import shutil

    root = Path(__file__).resolve().parent.parent
    repo = tmp_path / "dry"
    repo.mkdir()
    for name in DEMO_FILES:
        src = root / name
        if src.is_dir():
            shutil.copytree(src, repo / name)
        elif src.exists():
            shutil.copy2(src, repo / name)
    git("init", "-q", "-b", "main", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", "fleet", cwd=repo)
    return repo
