"""Record and check the real-world kustomize corpus: public repositories' kustomizations,
built by `kubectl kustomize` (the oracle) and by sluice, compared by sha256 of the output.

Only a manifest is committed (fixtures/realworld-kustomize/corpus.json: repository, commit,
directory, expected sha256); the trees come from local git mirrors (`--mirrors`, default
/work/.mirror, one `<owner>+<name>/repo` bare repository each) and are exported to a cache
directory with `git archive`.

  python tools/realworld_corpus.py record [--max-per-repo N] [--max-errors-per-repo N] [REPO ...]
  python tools/realworld_corpus.py check [-v] [REPO ...]                  # sluice vs manifest

`record` runs kubectl offline (a blocked proxy stops remote bases). A repository's
kustomization directories are visited in the order of the sha256 of their path (a spread over
the whole tree that does not move when unrelated directories come or go); up to
--max-per-repo that kubectl builds are kept with the sha256 of its output, and up to
--max-errors-per-repo that kubectl rejects are kept with its first error line (sluice must
reject them too).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from renderer.kustomize.conformance import (
    CORPUS_MANIFEST,
    DEFAULT_MIRRORS,
    export_tree,
    mirror_dir,
    run_manifest,
)

KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
OFFLINE_ENV = {
    "HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9",
    "http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9",
    "GIT_TERMINAL_PROMPT": "0", "GIT_ALLOW_PROTOCOL": "file",
}


def _kubectl() -> str:
    beside = Path(sys.executable).parent / "kubectl"
    return str(beside) if beside.is_file() else "kubectl"


def _head(git_dir: Path) -> str:
    return subprocess.run(["git", "--git-dir", str(git_dir), "rev-parse", "HEAD"],
                          capture_output=True, text=True, check=True).stdout.strip()


def _kustomization_dirs(tree: Path) -> list[str]:
    """Every directory holding a kustomization file, in sampling order (sha256 of the path)."""
    found = []
    for dirpath, dirs, files in os.walk(tree):
        dirs[:] = sorted(d for d in dirs if d != ".git")
        if any(name in files for name in KUSTOMIZATION_NAMES):
            found.append(os.path.relpath(dirpath, tree))
    return sorted(found, key=lambda rel: hashlib.sha256(rel.encode("utf-8")).hexdigest())


def _error_line(stderr: bytes, tree: Path) -> str:
    """kubectl's first error line, with the export directory taken out (it names the cache)."""
    text = stderr.decode("utf-8", "replace").replace(str(tree) + "/", "").replace(str(tree), ".")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return next((line for line in lines if line.startswith("error:")), lines[0] if lines else "")[:300]


def record(mirrors: Path, cache: Path, repos: list[str], max_per_repo: int, max_errors: int, manifest_path: Path) -> int:
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else []
    keep = [e for e in manifest if e["repo"] not in repos]
    env = {**os.environ, **OFFLINE_ENV}
    for repo in repos:
        git_dir = mirror_dir(mirrors, repo)
        commit = _head(git_dir)
        tree = export_tree(git_dir, commit, cache / f"{repo.replace('/', '+')}@{commit}")
        dirs = _kustomization_dirs(tree)
        ok = failed = 0
        for rel in dirs:
            if ok >= max_per_repo and failed >= max_errors:
                break
            try:
                proc = subprocess.run([_kubectl(), "kustomize", str(tree / rel)], capture_output=True,
                                      env=env, timeout=60)
            except subprocess.TimeoutExpired:
                continue
            if proc.returncode == 0 and ok < max_per_repo:  # an empty build is a result too
                keep.append({"repo": repo, "commit": commit, "path": rel,
                             "sha256": hashlib.sha256(proc.stdout).hexdigest()})
                ok += 1
            elif proc.returncode != 0 and failed < max_errors:
                keep.append({"repo": repo, "commit": commit, "path": rel,
                             "error": _error_line(proc.stderr, tree)})
                failed += 1
        print(f"{repo}@{commit[:12]}: {ok} built, {failed} rejected (of {len(dirs)} kustomizations)",
              file=sys.stderr)
        _write(keep, manifest_path)  # after each repository, so an interrupted run keeps what it recorded
    return 0


def _write(entries: list[dict[str, str]], manifest_path: Path) -> None:
    manifest_path.parent.mkdir(parents=True, exist_ok=True)
    ordered = sorted(entries, key=lambda e: (e["repo"], e["path"]))
    manifest_path.write_text(json.dumps(ordered, indent=1) + "\n")


def check(mirrors: Path, cache: Path, verbose: bool, repos: list[str], manifest_path: Path) -> int:
    entries = [e for e in json.loads(manifest_path.read_text()) if not repos or e["repo"] in repos]
    results = run_manifest(entries, mirrors, cache)
    ran = [r for r in results if not r.skipped]
    for r in results:
        if verbose and not r.identical:
            print(f"{'SKIP' if r.skipped else 'FAIL'} {r.dir}: {r.error}")
    print(f"realworld-kustomize: {sum(r.identical for r in ran)} of {len(ran)} identical "
          f"({len(results) - len(ran)} skipped: mirror absent)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mirrors", type=Path, default=DEFAULT_MIRRORS)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "sluice-realworld")
    parser.add_argument("--manifest", type=Path, default=CORPUS_MANIFEST,
                        help="the manifest to record into or check (default: the committed one)")
    sub = parser.add_subparsers(dest="command", required=True)
    rec = sub.add_parser("record")
    rec.add_argument("repos", nargs="*", help="owner/name (default: every mirror with kustomizations)")
    rec.add_argument("--max-per-repo", type=int, default=40)
    rec.add_argument("--max-errors-per-repo", type=int, default=5)
    chk = sub.add_parser("check")
    chk.add_argument("repos", nargs="*", help="owner/name (default: every repository of the manifest)")
    chk.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    if args.command == "record":
        repos = args.repos or sorted(p.parent.name.replace("+", "/", 1) for p in args.mirrors.glob("*/repo"))
        return record(args.mirrors, args.cache, repos, args.max_per_repo, args.max_errors_per_repo, args.manifest)
    return check(args.mirrors, args.cache, args.verbose, args.repos, args.manifest)


if __name__ == "__main__":
    raise SystemExit(main())

