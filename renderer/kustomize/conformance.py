"""The kustomize conformance runner: sluice build against kubectl kustomize's recorded output.

Each case folder holds an input tree, `case.json` (`root`: the directory to build) and
`expected.yaml` (kubectl's stdout). A case passes structurally when both outputs are
equal as YAML documents, and byte-for-byte when the texts are identical.
"""
from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import yaml as pyyaml

KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")


@dataclass
class CaseResult:
    name: str
    features: frozenset[str]
    structural: bool
    identical: bool
    error: str = ""
    expected_error: bool = False


def default_corpus() -> Path:
    return Path(__file__).resolve().parents[3] / "shared" / "conformance" / "kustomize"


def case_dirs(corpus: Path) -> list[Path]:
    return sorted(p for p in corpus.iterdir() if (p / "case.json").is_file())


def case_features(case: Path) -> frozenset[str]:
    """The kustomization fields (and a few notable directives) a case uses."""
    features: set[str] = set()
    for dirpath, _dirs, files in os.walk(case):
        for name in files:
            path = Path(dirpath) / name
            if name in KUSTOMIZATION_NAMES:
                try:
                    doc = pyyaml.safe_load(path.read_text(encoding="utf-8"))
                except Exception:
                    features.add("malformed-kustomization")
                    continue
                if isinstance(doc, dict):
                    features.update(str(k) for k in doc if k not in ("apiVersion", "kind"))
                    if doc.get("kind") == "Component":
                        features.add("components")
            elif name.endswith((".yaml", ".yml")):
                text = path.read_text(encoding="utf-8", errors="replace")
                for directive in ("$patch", "$setElementOrder", "$retainKeys", "$deleteFromPrimitiveList"):
                    if directive in text:
                        features.add(directive)
    return frozenset(features)


def _docs(text: str) -> list[Any]:
    return [d for d in pyyaml.safe_load_all(text) if d is not None]


def run_case(case: Path) -> CaseResult:
    from ..core.errors import SluiceError
    from ..core.fs import RepoFS
    from . import BuildOptions, Builder
    from ..core.yaml import dump_documents

    spec = json.loads((case / "case.json").read_text())
    root = spec.get("root", ".")
    expected_path = case / "expected.yaml"
    expected = expected_path.read_text(encoding="utf-8") if expected_path.exists() else None
    features = case_features(case)
    options = BuildOptions(reorder="legacy")
    try:
        got = dump_documents(Builder(RepoFS(case), options).build(root))
    except SluiceError as exc:
        if expected is None:
            return CaseResult(case.name, features, True, True, expected_error=True)
        return CaseResult(case.name, features, False, False, error=f"{type(exc).__name__}: {exc}")
    except Exception as exc:  # a crash is a failure, recorded with its type
        return CaseResult(case.name, features, False, False, error=f"crash {type(exc).__name__}: {exc}")
    if expected is None:
        return CaseResult(case.name, features, False, False, error="expected an error, got output")
    identical = got == expected
    try:
        structural = identical or _docs(got) == _docs(expected)
    except Exception as exc:
        return CaseResult(case.name, features, False, False, error=f"output does not parse: {exc}")
    return CaseResult(case.name, features, structural, identical, error="" if structural else "output differs")


def run_corpus(corpus: Path) -> list[CaseResult]:
    return [run_case(case) for case in case_dirs(corpus)]


def summarize(results: Iterable[CaseResult]) -> str:
    results = list(results)
    total = len(results)
    s_ok = sum(r.structural for r in results)
    b_ok = sum(r.identical for r in results)
    lines = [
        f"structural: {s_ok} passed, {total - s_ok} failed (of {total})",
        f"byte-identical: {b_ok} passed, {total - b_ok} failed (of {total})",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("corpus", nargs="?", default=str(default_corpus()))
    parser.add_argument("-v", "--verbose", action="store_true", help="list failing cases with their reason")
    parser.add_argument("--realworld", nargs="?", const=str(default_realworld()), help="also run the real-world oracle")
    args = parser.parse_args(argv)
    if args.realworld:
        rw = run_realworld(Path(args.realworld))
        for real in rw:
            if not real.identical and args.verbose:
                print(f"REALWORLD-FAIL {real.dir}: {real.error}")
        print(f"realworld: {sum(r.identical for r in rw)} passed, {sum(not r.identical for r in rw)} failed (of {len(rw)})")
    results = run_corpus(Path(args.corpus))
    if args.verbose:
        for r in results:
            if not r.identical:
                tag = "DIFF-BYTES" if r.structural else "FAIL"
                print(f"{tag} {r.name}: {r.error}")
    print(summarize(results))
    return 0



# -- real-world repositories ------------------------------------------------------------------

@dataclass
class RealWorldResult:
    dir: str
    expected_ok: bool
    identical: bool
    error: str = ""
    skipped: bool = False


def default_realworld() -> Path:
    return Path(__file__).resolve().parents[3] / "shared" / "realworld"


def run_realworld(root: Path) -> list[RealWorldResult]:
    """Build every kustomization recorded in kustomize-oracle.json; compare sha256 of the output.

    Entries kubectl could not build (remote bases, missing files) must fail in sluice too,
    with an error rather than output.
    """
    import hashlib

    from ..core.errors import SluiceError
    from ..core.fs import RepoFS
    from . import BuildOptions, Builder
    from ..core.yaml import dump_documents

    entries = json.loads((root / "kustomize-oracle.json").read_text())
    results: list[RealWorldResult] = []
    builders: dict[str, Builder] = {}
    for entry in entries:
        repo, _, rel = entry["dir"].partition("/")
        builder = builders.setdefault(repo, Builder(RepoFS(root / repo), BuildOptions()))
        try:
            text = dump_documents(builder.build(rel or "."))
        except SluiceError as exc:
            results.append(RealWorldResult(entry["dir"], entry["ok"], not entry["ok"], f"{type(exc).__name__}: {exc}"))
            continue
        except Exception as exc:
            results.append(RealWorldResult(entry["dir"], entry["ok"], False, f"crash {type(exc).__name__}: {exc}"))
            continue
        if not entry["ok"]:
            results.append(RealWorldResult(entry["dir"], False, False, "kubectl failed here but sluice built it"))
            continue
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        same = digest == entry["sha256"]
        results.append(RealWorldResult(entry["dir"], True, same, "" if same else "output differs"))
    return results


# -- the real-world corpus of fetched repositories (manifest only) ---------------------------

CORPUS_MANIFEST = Path(__file__).resolve().parents[2] / "fixtures" / "realworld-kustomize" / "corpus.json"
DEFAULT_MIRRORS = Path("/work/.mirror")


def mirror_dir(mirrors: Path, repo: str) -> Path:
    """The bare git directory of `owner/name` among the local mirrors."""
    return mirrors / repo.replace("/", "+", 1) / "repo"


def export_tree(git_dir: Path, commit: str, dest: Path) -> Path:
    """`commit`'s regular files written into `dest` once, read as git objects (no attributes or
    filters; symlinks, submodules and blobs the mirror lacks are left out)."""
    import shutil
    import subprocess
    import tempfile
    import threading

    if (dest / ".complete").is_file():
        return dest
    listing = subprocess.run(["git", "--git-dir", str(git_dir), "ls-tree", "-r", "-z", commit],
                             capture_output=True, check=True).stdout.split(b"\0")
    blobs: list[tuple[str, str]] = []
    for line in listing:
        if not line:
            continue
        meta, _, path = line.partition(b"\t")
        mode, kind, sha = meta.decode().split()
        if kind == "blob" and mode in ("100644", "100755"):
            blobs.append((sha, path.decode("utf-8", "surrogateescape")))
    dest.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=dest.name + ".", dir=dest.parent))
    with subprocess.Popen(["git", "--git-dir", str(git_dir), "cat-file", "--batch"],
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE) as proc:
        assert proc.stdin is not None and proc.stdout is not None
        stdin = proc.stdin
        # the requests are written from a thread: written whole before reading, a large tree
        # fills git's output pipe while git waits for us to read it (a deadlock)
        feeder = threading.Thread(target=_feed, args=(stdin, [sha for sha, _ in blobs]), daemon=True)
        feeder.start()
        for sha, rel in blobs:
            header = proc.stdout.readline().split()
            if len(header) < 3:  # "<sha> missing": the snapshot left the blob out
                continue
            data = proc.stdout.read(int(header[2]))
            proc.stdout.read(1)
            target = work / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    feeder.join()
    (work / ".complete").write_text(commit + "\n")
    if (dest / ".complete").is_file():  # another process finished the same export meanwhile
        shutil.rmtree(work)
        return dest
    if dest.exists():
        shutil.rmtree(dest)
    work.rename(dest)
    return dest


def sample_entries(entries: list[dict[str, Any]], per_repo: int) -> list[dict[str, Any]]:
    """At most `per_repo` entries of each repository: those whose path has the smallest sha256
    (a deterministic spread that does not move when other entries come or go)."""
    import hashlib

    def rank(entry: dict[str, Any]) -> str:
        return hashlib.sha256(entry["path"].encode("utf-8")).hexdigest()

    by_repo: dict[str, list[dict[str, Any]]] = {}
    for entry in entries:
        by_repo.setdefault(entry["repo"], []).append(entry)
    chosen = {id(e) for group in by_repo.values() for e in sorted(group, key=rank)[:per_repo]}
    return [e for e in entries if id(e) in chosen]


def _feed(stdin: Any, shas: list[str]) -> None:
    """Write `git cat-file --batch` requests, then close its input."""
    with stdin:
        for sha in shas:
            stdin.write((sha + "\n").encode())


def run_manifest(entries: list[dict[str, Any]], mirrors: Path, cache: Path) -> list[RealWorldResult]:
    """Build each manifest entry with sluice and compare the sha256 with kubectl's (an entry
    with `error` instead of `sha256` is one kubectl rejected: sluice must raise a SluiceError);
    entries whose mirror (or commit) is absent are skipped, not failed."""
    import hashlib
    import subprocess

    from ..core.errors import SluiceError
    from ..core.fs import RepoFS
    from ..core.yaml import dump_documents
    from . import BuildOptions, Builder

    results: list[RealWorldResult] = []
    builders: dict[tuple[str, str], Builder] = {}
    for entry in entries:
        label = f"{entry['repo']}@{entry['commit'][:12]}:{entry['path']}"
        git_dir = mirror_dir(mirrors, entry["repo"])
        key = (entry["repo"], entry["commit"])
        if key not in builders:
            has_commit = git_dir.is_dir() and subprocess.run(
                ["git", "--git-dir", str(git_dir), "cat-file", "-e", entry["commit"] + "^{commit}"],
                capture_output=True).returncode == 0
            if not has_commit:
                results.append(RealWorldResult(label, True, False, f"no mirror of {entry['repo']} at {git_dir}", True))
                continue
            tree = export_tree(git_dir, entry["commit"], cache / f"{entry['repo'].replace('/', '+')}@{entry['commit']}")
            builders[key] = Builder(RepoFS(tree), BuildOptions())
        expected_ok = "sha256" in entry
        try:
            text = dump_documents(builders[key].build(entry["path"]))
        except SluiceError as exc:
            results.append(RealWorldResult(label, expected_ok, not expected_ok, f"{type(exc).__name__}: {exc}"))
            continue
        except Exception as exc:
            results.append(RealWorldResult(label, expected_ok, False, f"crash {type(exc).__name__}: {exc}"))
            continue
        if not expected_ok:
            results.append(RealWorldResult(label, False, False, f"kubectl failed ({entry['error']}) but sluice built it"))
            continue
        same = hashlib.sha256(text.encode("utf-8")).hexdigest() == entry["sha256"]
        results.append(RealWorldResult(label, True, same, "" if same else "output differs"))
    return results


if __name__ == "__main__":
    sys.exit(main())
