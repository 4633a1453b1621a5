"""The CI step on a real repository: what `sluice verify` reports, how many findings point at
a source file and line, and how large the pull-request comment and the full report are.

A copy of the repository becomes a git history of two commits (the second changes one
value in every file that matches `--edit`), then verify and diff run as the Action runs
them and the Action's own report code builds the comment.

  python bench/ci_step_bench.py ../shared/realworld/onedr0p__home-ops \\
      --placeholder kubernetes/apps/default/sonarr/app/resources/refresh-series.sh ...
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from action.report import COMMENT_LIMIT, Inputs, fit, render  # noqa: E402

ENV = {**os.environ, "PYTHONPATH": str(ROOT), "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
       "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.com"}


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, env=ENV, check=True, capture_output=True)


def _sluice(repo: Path, *args: str) -> tuple[int, dict | None, str, float]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "renderer", *args, "--output", "json"], cwd=repo, env=ENV,
                          capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    try:
        data = json.loads(done.stdout) if done.stdout.strip() else None
    except json.JSONDecodeError:
        data = None
    return done.returncode, data, done.stderr, elapsed


def prepare(source: Path, dest: Path, placeholders: list[str], edit: str, old: str, new: str) -> int:
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns(".git", ".sluice"))
    for rel in placeholders:
        if (dest / rel).parent.parent.is_dir():
            (dest / rel).parent.mkdir(exist_ok=True)
            (dest / rel).write_text("#!/bin/sh\n# placeholder for a file the corpus dropped\n")
    _git(dest, "init", "-q", "-b", "main")
    _git(dest, "add", "-A")
    _git(dest, "commit", "-qm", "base")
    edited = 0
    for path in sorted(dest.glob(edit)):
        text = path.read_text(encoding="utf-8")
        if old in text:
            path.write_text(text.replace(old, new, 1), encoding="utf-8")
            edited += 1
    _git(dest, "commit", "-qam", "head", "--allow-empty")
    return edited


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repo", type=Path)
    parser.add_argument("--placeholder", action="append", default=[], metavar="REL")
    parser.add_argument("--edit", default="**/helmrelease.yaml", help="glob of files the head commit edits")
    parser.add_argument("--old", default="interval: 1h", help="text replaced once in each edited file")
    parser.add_argument("--new", default="interval: 2h")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sluice-ci-bench-") as tmp:
        repo = Path(tmp) / "repo"
        edited = prepare(args.repo, repo, args.placeholder, args.edit, args.old, args.new)
        v_code, verify, v_err, v_time = _sluice(repo, "verify", ".")
        d_code, diff, d_err, d_time = _sluice(repo, "diff", ".", "--base", "HEAD~1")
    findings = (verify or {}).get("findings") or []
    by = collections.Counter((f.get("severity"), f.get("check")) for f in findings)
    placed = sum(1 for f in findings if f.get("file") and f.get("line"))
    inputs = Inputs(job="render", verify=verify, verify_error=v_err if v_code >= 2 else None,
                    diff=diff, diff_error=d_err if d_code >= 2 else None,
                    full_report_url="https://example.invalid/artifact")
    full, comment = render(inputs), fit(inputs)
    print(f"repository: {args.repo.name}; head edits {edited} file(s)")
    print(f"verify: exit {v_code} in {v_time:.2f} s; diff: exit {d_code} in {d_time:.2f} s")
    targets = (verify or {}).get("targets")
    print(f"targets checked: {len(targets) if isinstance(targets, list) else targets}")
    for (severity, check), count in sorted(by.items(), key=lambda kv: (str(kv[0][0]), str(kv[0][1]))):
        print(f"  {severity} [{check}]: {count}")
    print(f"findings with a source file and line: {placed} of {len(findings)}")
    print(f"full report: {len(full):,} characters; comment: {len(comment):,} characters (limit {COMMENT_LIMIT:,})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
