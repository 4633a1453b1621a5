"""The pre-commit hook (`sluice verify --changed`) against a full `sluice verify`.

    python bench/hook_bench.py [--services 100 --clusters 10] [--repo DIR ...]

Builds the fleet of ../shared/bench/make_fleet.py (or copies each --repo) into a fresh git
repository, then times, as separate processes as a hook runs them: a full verify, a cold
--changed (no index), --changed with no edit, and --changed after a one-file edit (a
value in one base file). Wall seconds, best of --repeat. The processes run with compiled
bytecode (a cache under the temporary directory), as an installed sluice does: a checkout
run with PYTHONDONTWRITEBYTECODE compiles every module on each start (~0.15 s more).
--placeholder REL creates REL (where its directory exists) in each copy: the real-world
corpus dropped the scripts some kustomizations read (onedr0p/home-ops: two under
kubernetes/apps/default/sonarr/app/resources/).

Measured on 2 shared cores busy with other work (load average 5 to 7 through the runs:
figures are upper bounds, the small repositories' swing by a tenth of a second), best of
5 interleaved rounds, with schemas:

| repository | full verify | --changed cold | --changed no edit | --changed one edit |
|---|---|---|---|---|
| make_fleet 100x10 (1,000 apps) | 5.56 s | 5.69 s | 0.29 s | 0.40 s |
| fluxcd__flux2-kustomize-helm-example | 0.61 s | 0.48 s | 0.27 s | 0.57 s |
| fluxcd__flux2-multi-tenancy | 0.66 s | 0.68 s | 0.25 s | 0.69 s |
| onedr0p__home-ops (2 placeholders) | 2.17 s | 1.82 s | 0.26 s | 0.76 s |

A cold run is a full verify (the same worker processes) recording what each target read.
An edit inside a Flux cluster directory rebuilds only the Kustomizations it reaches (the
others come from the memo) and checks only their targets: on the two small Flux examples
both runs are mostly interpreter start, imports and schema loading (in one process, the
verify work itself is 13 ms against 33 ms on flux2-multi-tenancy), so their one-edit and
full figures meet; the edit in flux2-kustomize-helm-example is a file of the cluster
directory itself, read by the Kustomization that defines the others.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAKE_FLEET = ROOT.parent / "shared" / "bench" / "make_fleet.py"
GIT = ["git", "-c", "user.name=b", "-c", "user.email=b@example.com", "-c", "commit.gpgsign=false"]


ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _verify(repo: Path, *args: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "renderer", "verify", *args, str(repo)], cwd=ROOT, env=ENV,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def _edit_target(repo: Path) -> Path:
    """A file most targets do not read: one service's base (or any YAML file)."""
    files = sorted(repo.glob("base/**/*.yaml")) or sorted(repo.rglob("*.yaml"))
    return files[len(files) // 2]


def bench(repo: Path, repeat: int) -> dict[str, float]:
    """Best of `repeat` rounds, each timing the four runs in turn (interleaved, so that load
    from other work on the machine weighs on all of them alike)."""
    target = _edit_target(repo)
    original = target.read_bytes()
    runs: dict[str, list[float]] = {"full verify": [], "--changed cold": [], "--changed no edit": [], "--changed one edit": []}
    for i in range(repeat):
        runs["full verify"].append(_verify(repo))
        shutil.rmtree(repo / ".sluice", ignore_errors=True)
        runs["--changed cold"].append(_verify(repo, "--changed"))
        runs["--changed no edit"].append(_verify(repo, "--changed"))
        target.write_bytes(original + f"\n# edit {i}\n".encode())
        runs["--changed one edit"].append(_verify(repo, "--changed"))
        target.write_bytes(original)
        _verify(repo, "--changed")  # back to HEAD: its targets differ from the index once
    return {name: min(times) for name, times in runs.items()}


def _git_repo(path: Path) -> None:
    subprocess.run([*GIT, "init", "-q"], cwd=path, check=True)
    subprocess.run([*GIT, "add", "-A"], cwd=path, check=True)
    subprocess.run([*GIT, "commit", "-qm", "dry"], cwd=path, check=True)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--services", type=int, default=100)
    parser.add_argument("--clusters", type=int, default=10)
    parser.add_argument("--repo", action="append", default=[], help="Bench a copy of this repository instead.")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--placeholder", action="append", default=[], metavar="REL",
                        help="Create this repo-relative file in each copy that has its parent's parent directory.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sluice-hook-bench-") as tmp:
        ENV["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        work: list[tuple[str, Path]] = []
        if args.repo:
            for i, source in enumerate(args.repo):
                dest = Path(tmp) / f"repo{i}"
                shutil.copytree(source, dest, ignore=shutil.ignore_patterns(".git", ".sluice"))
                for p in dest.rglob("*"):
                    p.chmod(0o755 if p.is_dir() else 0o644)
                for rel in args.placeholder:
                    if (dest / rel).parent.parent.is_dir():
                        (dest / rel).parent.mkdir(exist_ok=True)
                        (dest / rel).write_text("#!/bin/sh\n# placeholder for a file the corpus dropped\n")
                work.append((Path(source).name, dest))
        else:
            dest = Path(tmp) / "fleet"
            subprocess.run([sys.executable, str(MAKE_FLEET), "--services", str(args.services), "--clusters",
                            str(args.clusters), str(dest)], check=True, stdout=subprocess.DEVNULL)
            work.append((f"make_fleet {args.services}x{args.clusters}", dest))
        print(f"load average before: {_load()}")
        print("| repository | full verify | --changed cold | --changed no edit | --changed one edit |")
        print("|---|---|---|---|---|")
        for name, path in work:
            _git_repo(path)
            _verify(path)  # compiles the bytecode cache
            row = bench(path, args.repeat)
            print(f"| {name} | " + " | ".join(f"{row[k]:.2f} s" for k in row) + " |", flush=True)
        print(f"load average after: {_load()}")
    return 0


def _load() -> str:
    """The 1, 5 and 15 minute load averages: other work on the machine inflates every figure."""
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


if __name__ == "__main__":
    raise SystemExit(main())
