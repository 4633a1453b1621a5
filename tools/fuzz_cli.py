"""Fuzz sluice's promise on untrusted pull requests (README "On untrusted pull requests").

Takes real repositories (../shared/realworld/*, fixtures/*, this repository's demo fleet),
mutates them in structured ways (tools/fuzz_mutators.py: YAML-, kustomize-, Helm-, Flux-,
Argo-aware edits and file-system attacks), and runs the commands a CI job runs on a pull
request, each in a subprocess bounded by RLIMIT_AS and a timeout. A case fails when:

- traceback: "Traceback" in the output;
- exit: an exit code other than 0, 1, 2 (a signal counts);
- timeout / memory: the bound was hit (MemoryError, Go's out of memory);
- leak-outside: a marker from outside the repository (a file beside it, /etc/passwd, the
  token in .git/config, an environment variable readable only through /proc/self/environ)
  appears in any output or written file;
- write-outside: a file appeared outside the repository and the command's --out;
- leak-secret: a planted Secret value (plain or in any base64 alignment) appears in an
  output that must redact it (everything but `build`/`flux build`/`appset generate`
  manifests and bundles a Secret opted into).
Soft findings (listed, not failures): vague-error, an exit-2 message naming no file.

Deterministic: case N of seed S is the same repository and the same commands on every run
(`--replay S:N` reruns one, `--keep` keeps its directory). Results go to a JSON-lines file.

    python tools/fuzz_cli.py --seed 1 --cases 500 --log /tmp/fuzz.jsonl
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import fuzz_mutators as fm  # noqa: E402

HERE = Path(__file__).resolve().parent.parent
REALWORLD = Path(os.environ.get("SLUICE_REALWORLD", HERE.parent / "shared" / "realworld"))
PYTHON = sys.executable
REPO_URL = "https://example.com/fuzz/dry.git"

# -- seeds ------------------------------------------------------------------------------

def seeds(root: Path) -> list[tuple[str, Path, list[str]]]:
    """(name, directory, paths to copy) of every seed repository."""
    out: list[tuple[str, Path, list[str]]] = []
    demo = [p for p in ("sluice.yaml", "apps", "base", "clusters", "overlays", "platform") if (root / p).exists()]
    out.append(("demo", root, demo))
    if REALWORLD.is_dir():
        for d in sorted(REALWORLD.iterdir()):
            if d.is_dir() and not d.name.startswith("."):
                out.append((f"rw:{d.name}", d, [p.name for p in sorted(d.iterdir()) if p.name != ".oracle"]))
    fixtures = root / "fixtures"
    for rel in ("appset/repo", "flux/cluster", "helm", "directory-sources", "source-hydrator", "verify", "zero-config",
                "kustomize", "conformance"):
        d = fixtures / rel
        if d.is_dir():
            out.append((f"fx:{rel}", d, [p.name for p in sorted(d.iterdir())]))
    return out


SECRET_DOC = """\
apiVersion: v1
kind: Secret
metadata:
  name: fuzz-secret
  namespace: {ns}
{annotations}type: Opaque
data:
  password: {b64}
  token: {b64b}
stringData:
  apikey: {plain}
  values.yaml: |
    password: {plain2}
"""

APP = """\
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {{name: {name}, namespace: argocd}}
spec:
  project: default
  source: {{repoURL: {url}, path: {path}}}
  destination: {{name: in-cluster, namespace: {name}}}
"""


def _secret(rng: random.Random, allowed: bool, ns: str = "default") -> str:
    import base64
    annotations = "  annotations: {sluice.dev/allow-plaintext-secret: \"true\"}\n" if allowed else ""
    return SECRET_DOC.format(ns=ns, annotations=annotations,
                             b64=base64.b64encode(fm.secret_value(1).encode()).decode(),
                             b64b=base64.b64encode(("x" * rng.randint(0, 2) + fm.secret_value(2)).encode()).decode(),
                             plain=fm.secret_value(3), plain2=fm.secret_value(4))


def repo_url(repo: Path, tree: fm.Tree) -> str:
    """The URL the seed's own Applications call it by: sluice.yaml's, the real-world
    corpus's SOURCE.json, the first Application's, or a made-up one."""
    for name in ("sluice.yaml", "SOURCE.json"):
        p = repo / name
        if p.is_file():
            m = re.search(r'"repo":\s*"([^"]+)"', p.read_text()) if name == "SOURCE.json" else \
                re.search(r"^repoURL:\s*(\S+)", p.read_text(), re.M)
            if m:
                return m.group(1) if name == "sluice.yaml" else f"https://github.com/{m.group(1)}"
    for rel in tree.applications:
        m = re.search(r"repoURL:\s*['\"]?([^\s'\",}]+)", (repo / rel).read_text(errors="replace"))
        if m:
            return m.group(1)
    return REPO_URL


def harness(repo: Path, rng: random.Random, secret_allowed: bool) -> None:
    """Make the seed renderable as a fleet (a sluice.yaml, Applications for its kustomizations
    and charts where nothing is discovered) and plant a Secret whose values must never show."""
    tree = fm.Tree.scan(repo)
    url = repo_url(repo, tree)
    if not (repo / "sluice.yaml").exists():
        (repo / "sluice.yaml").write_text(f"repoURL: {url}\n")
    secret = _secret(rng, secret_allowed)
    if tree.flux_clusters and not tree.applications and not tree.appsets:
        cluster = repo / rng.choice(tree.flux_clusters)
        (cluster / "fuzz-secret.yaml").write_text(secret)
        kust = cluster / "kustomization.yaml"
        if kust.exists():
            text = kust.read_text()
            if "resources:\n" in text:
                kust.write_text(text.replace("resources:\n", "resources:\n- fuzz-secret.yaml\n", 1))
        return
    (repo / "fuzz" / "secrets").mkdir(parents=True, exist_ok=True)
    (repo / "fuzz" / "secrets" / "secret.yaml").write_text(secret)
    (repo / "fuzz" / "secrets" / "kustomization.yaml").write_text(
        "resources: [secret.yaml]\n" + (
            f"secretGenerator:\n- name: gen\n  literals: [pw={fm.secret_value(5)}]\n"
            "  options: {annotations: {sluice.dev/allow-plaintext-secret: \"true\"}}\n" if secret_allowed else ""))
    apps = [APP.format(name="fuzz-secrets", url=url, path="fuzz/secrets")]
    if not tree.applications and not tree.appsets:
        dirs = sorted({os.path.dirname(k) or "." for k in tree.kustomizations} | set(tree.charts))
        for i, d in enumerate(rng.sample(dirs, min(len(dirs), 5))):
            apps.append(APP.format(name=f"fuzz-{i}", url=url, path=d))
    (repo / "apps-fuzz").mkdir(exist_ok=True)
    (repo / "apps-fuzz" / "apps.yaml").write_text("---\n".join(apps))
    cfg = (repo / "sluice.yaml").read_text()
    if "applications:" in cfg and "apps-fuzz" not in cfg:
        (repo / "sluice.yaml").write_text(cfg.replace("applications:\n", "applications:\n  - apps-fuzz/*.yaml\n", 1))


def plant_outside(outside: Path) -> None:
    (outside / "dir").mkdir(parents=True, exist_ok=True)
    (outside / "plain").mkdir(exist_ok=True)
    (outside / "secret.txt").write_text(f"{fm.OUTSIDE_MARKER}\n")
    (outside / "values.yaml").write_text(f"leak: {fm.OUTSIDE_MARKER}\n")
    (outside / "dir" / "Chart.yaml").write_text(f"apiVersion: v2\nname: sub\nversion: 0.1.0\ndescription: {fm.OUTSIDE_MARKER}\n")
    cm = f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: leak}}\ndata: {{v: {fm.OUTSIDE_MARKER}}}\n"
    (outside / "dir" / "cm.yaml").write_text(cm)
    (outside / "plain" / "cm.yaml").write_text(cm)
    (outside / "plain" / "kustomization.yaml").write_text("resources: [cm.yaml]\n")


GIT = ["git", "-c", "user.email=ci@example.com", "-c", "user.name=ci", "-c", "commit.gpgsign=false",
       "-c", "core.hooksPath=/dev/null"]


def git(repo: Path, *args: str) -> None:
    subprocess.run([*GIT, *args], cwd=repo, check=True, capture_output=True, timeout=120)


def drop_uncommittable(repo: Path) -> None:
    """FIFOs cannot be committed, and hashing a 2 GB sparse file is slow: a committed head
    keeps neither."""
    for dirpath, dirnames, files in os.walk(repo):
        dirnames[:] = [d for d in dirnames if d != ".git"]
        for name in files:
            p = Path(dirpath, name)
            if p.is_symlink():
                continue
            st = p.lstat()
            if not p.is_file() or st.st_size > 20_000_000:
                p.unlink()


# -- running ----------------------------------------------------------------------------

@dataclass
class Outcome:
    command: str
    code: int | None
    seconds: float
    classes: list[str] = field(default_factory=list)
    tail: str = ""


def _limits(mem: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    os.setsid()


def _read_outputs(d: Path) -> str:
    text = []
    if d.is_dir():
        for p in sorted(d.rglob("*")):
            if p.is_file() and not p.is_symlink():
                try:
                    text.append(p.read_bytes()[:50_000_000].decode("utf-8", "replace"))
                except OSError:
                    pass
    return "\n".join(text)


def outside_listing(outside: Path) -> set[str]:
    return {str(p.relative_to(outside)) for p in outside.rglob("*")}


class Checks:
    """What must never appear, and where."""

    def __init__(self) -> None:
        self.outside = [fm.OUTSIDE_MARKER, fm.TOKEN, fm.ENV_MARKER, fm.PASSWD_LINE]
        self.secret = [fm.SECRET_MARKER, *fm.base64_cores(fm.SECRET_MARKER)]

    def scan(self, text: str, secrets_may_show: bool) -> list[str]:
        found = []
        if any(m in text for m in self.outside):
            found.append("leak-outside:" + next(m for m in self.outside if m in text))
        if not secrets_may_show and any(m in text for m in self.secret):
            found.append("leak-secret")
        return found


NAMES_FILE = re.compile(r"[\w.-]+/[\w./-]*|[\w-]+\.(ya?ml|json|tpl|txt|env)|sluice\.yaml|\.git|Chart\.yaml|<[\w -]+>")


def run(case_dir: Path, repo: Path, argv: list[str], *, label: str, timeout: float, mem: int, env: dict[str, str],
        checks: Checks, out_dirs: list[Path], stdout_may_show_secrets: bool, files_may_show_secrets: bool,
        outside: Path) -> Outcome:
    before = outside_listing(outside)
    start = time.monotonic()
    try:
        done = subprocess.run([PYTHON, "-m", "renderer", *argv], cwd=case_dir, env=env, capture_output=True,
                              timeout=timeout, preexec_fn=lambda: _limits(mem), stdin=subprocess.DEVNULL)
        code: int | None = done.returncode
        out, err = done.stdout.decode("utf-8", "replace"), done.stderr.decode("utf-8", "replace")
    except subprocess.TimeoutExpired as exc:
        code, out = None, (exc.stdout or b"").decode("utf-8", "replace")
        err = (exc.stderr or b"").decode("utf-8", "replace")
    seconds = time.monotonic() - start
    o = Outcome(label, code, round(seconds, 2))
    both = out + err
    if code is None:
        o.classes.append("timeout")
    elif code not in (0, 1, 2):
        o.classes.append(f"exit-{code}")
    if "Traceback (most recent call last)" in both:
        exc_line = [ln for ln in err.splitlines() if re.match(r"^[\w.]+(Error|Exception|Exit|Interrupt)\b", ln)]
        o.classes.append("traceback:" + (exc_line[-1].split(":")[0] if exc_line else "?"))
    if "MemoryError" in both or "out of memory" in both or "cannot allocate memory" in both.lower():
        o.classes.append("memory")
    o.classes += checks.scan(err, False)
    o.classes += [c + "(stdout)" for c in checks.scan(out, stdout_may_show_secrets)]
    for d in out_dirs:
        o.classes += [c + "(files)" for c in checks.scan(_read_outputs(d), files_may_show_secrets)]
    new = outside_listing(outside) - before
    if new:
        o.classes.append("write-outside:" + sorted(new)[0])
    if code == 2:
        msg = [ln for ln in err.splitlines() if ln.startswith("error:")]
        if msg and not NAMES_FILE.search(msg[-1]):
            o.classes.append("soft:vague-error")
    o.tail = (err[-600:] if o.classes else err[-200:]).strip()
    return o


def pick_commands(rng: random.Random, tree: fm.Tree, repo: Path, case_dir: Path) -> list[tuple[str, list[str]]]:
    """The CI job's commands, a few drawn per case (render and verify always)."""
    r = str(repo)
    cmds: list[tuple[str, list[str]]] = [
        ("render", ["render", r, "--out", str(case_dir / "bundles"), "-j", "1"]),
        ("verify", ["verify", r, "-j", "1", *(["--no-schemas"] if rng.random() < 0.5 else []),
                    "-o", rng.choice(["text", "json", "markdown"])]),
    ]
    optional: list[tuple[str, list[str]]] = [
        ("verify-changed", ["verify", r, "--changed", "--no-schemas"]),
        ("diff-worktree", ["diff", r, "--base", "HEAD", "-o", rng.choice(["text", "markdown", "json"])]),
        ("get", ["get", rng.choice(["targets", "clusters", "sources", "skipped"]), r, "-o", rng.choice(["text", "json"])]),
        ("report", ["report", r, "--out", str(case_dir / "site"), *(["--base", "HEAD"] if rng.random() < 0.5 else []),
                    *(["-o", "json"] if rng.random() < 0.3 else [])]),
    ]
    if rng.random() < 0.15:
        optional.append(("render-cli-helm", ["render", r, "--out", str(case_dir / "bundles"), "--helm-engine", "cli"]))
    dirs = sorted({os.path.dirname(k) or "." for k in tree.kustomizations})
    if dirs:
        optional.append(("build", ["build", str(repo / rng.choice(dirs)), "--repo", r,
                                   *(["--enable-helm"] if rng.random() < 0.5 else []), "-o", rng.choice(["yaml", "json"])]))
    if tree.flux_clusters:
        optional.append(("flux-build", ["flux", "build", str(repo / rng.choice(tree.flux_clusters)), "--repo", r,
                                        *(["--inflate-helm"] if rng.random() < 0.5 else []),
                                        "-o", rng.choice(["yaml", "summary"])]))
    if tree.appsets:
        optional.append(("appset-generate", ["appset", "generate", str(repo / rng.choice(tree.appsets)), "--repo", r,
                                             *(["--params"] if rng.random() < 0.3 else [])]))
    return cmds + rng.sample(optional, min(len(optional), rng.randint(2, 4)))


def run_case(seed: int, index: int, *, base_dir: Path, timeout: float, mem: int, keep: bool,
             only_seed: int | None = None, mutations_on: bool = True) -> dict[str, object]:
    rng = random.Random(f"{seed}:{index}")
    started = time.monotonic()
    all_seeds = seeds(HERE)
    name, src, parts = rng.choice(all_seeds) if only_seed is None else all_seeds[only_seed]
    case_dir = Path(tempfile.mkdtemp(prefix=f"case-{seed}-{index}-", dir=base_dir))
    outside, repo = case_dir / "outside", case_dir / "repo"
    plant_outside(outside)
    repo.mkdir()
    for part in parts:
        s = src / part
        (shutil.copytree(s, repo / part, symlinks=True) if s.is_dir() else shutil.copy2(s, repo / part))
    secret_allowed = rng.random() < 0.75
    harness(repo, rng, secret_allowed)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "http.https://github.com/.extraheader", f"AUTHORIZATION: basic {fm.TOKEN}")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base", "--no-verify")
    mutations = fm.mutate(repo, rng) if mutations_on else []
    tree = fm.Tree.scan(repo)
    cfg = (repo / "sluice.yaml").read_text(errors="replace") if (repo / "sluice.yaml").is_file() else ""
    # bundles may hold the planted values when a Secret opted in (the annotation or sluice.yaml)
    files_may_show = secret_allowed or "allowPlaintextSecrets" in cfg or bool(
        re.search(r"allow-plaintext-secret|valuesFrom|substituteFrom|fuzzPassword|password=|SECRET=|K=", "".join(
            (repo / y).read_text(errors="replace") for y in tree.yamls if (repo / y).is_file() and not (repo / y).is_symlink())))
    env = {"PATH": f"{Path(PYTHON).parent}:/usr/bin:/bin", "PYTHONPATH": os.environ.get("FUZZ_SLUICE", str(HERE)),
           "HOME": str(case_dir), "LANG": "C.UTF-8", "FUZZ_ENV": fm.ENV_MARKER, "GIT_CONFIG_NOSYSTEM": "1",
           "NO_COLOR": "1"}
    checks = Checks()
    outcomes = []
    for label, argv in pick_commands(rng, tree, repo, case_dir):
        manifests_out = label in ("build", "flux-build", "appset-generate")
        dirs = [case_dir / "bundles"] if label.startswith("render") else [case_dir / "site"] if label == "report" else []
        o = run(case_dir, repo, argv, label=label, timeout=timeout, mem=mem, env=env, checks=checks, out_dirs=dirs,
                stdout_may_show_secrets=manifests_out,
                files_may_show_secrets=files_may_show and label.startswith("render"), outside=outside)
        outcomes.append(o)
        if o.code is None:  # one runaway is enough: the other commands would hit it again
            break
        if label == "report" and (case_dir / "site").exists():
            shutil.rmtree(case_dir / "site", ignore_errors=True)
    # the pull request's head, committed: diff reads it from git objects
    try:
        fm.make_unreadable_safe(repo)
        drop_uncommittable(repo)
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "head", "--no-verify", "--allow-empty")
        committed = True
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
        committed = False
    if committed and all(o.code is not None for o in outcomes):
        fmt = rng.choice(["text", "markdown", "json"])
        outcomes.append(run(case_dir, repo, ["diff", str(repo), "--base", "HEAD~1", "--head", "HEAD", "-o", fmt],
                            label=f"diff-commits-{fmt}", timeout=timeout, mem=mem, env=env, checks=checks, out_dirs=[],
                            stdout_may_show_secrets=False, files_may_show_secrets=False, outside=outside))
    record = {"case": f"{seed}:{index}", "seed_repo": name, "seconds": round(time.monotonic() - started, 1), "secret_allowed": secret_allowed, "mutations": mutations,
              "outcomes": [asdict(o) for o in outcomes],
              "failures": sorted({c for o in outcomes for c in o.classes if not c.startswith("soft:")}),
              "soft": sorted({c for o in outcomes for c in o.classes if c.startswith("soft:")})}
    if keep:
        record["dir"] = str(case_dir)
    else:
        fm.make_unreadable_safe(case_dir)
        shutil.rmtree(case_dir, ignore_errors=True)
    return record


def summarize(logs: list[str]) -> dict[str, object]:
    """Cases, commands run and their exit codes, failures by class (with the first case of
    each, to replay), soft findings."""
    cases = commands = 0
    codes: dict[str, int] = {}
    failures: dict[str, list[str]] = {}
    soft: dict[str, int] = {}
    mutators: dict[str, int] = {}
    for log in logs:
        with open(log, encoding="utf-8") as fh:
            for line in fh:
                rec = json.loads(line)
                cases += 1
                for m in rec["mutations"]:
                    mutators[m.split(" ", 1)[0].rstrip(":")] = mutators.get(m.split(" ", 1)[0].rstrip(":"), 0) + 1
                for o in rec["outcomes"]:
                    commands += 1
                    key = f"{o['command'].split('-')[0]}:{o['code']}"
                    codes[key] = codes.get(key, 0) + 1
                for c in rec["failures"]:
                    failures.setdefault(c, []).append(rec["case"])
                for c in rec["soft"]:
                    soft[c] = soft.get(c, 0) + 1
    return {"cases": cases, "commands": commands, "exit_codes": dict(sorted(codes.items())),
            "mutations": dict(sorted(mutators.items())),
            "failures": {c: {"count": len(v), "first": v[0]} for c, v in sorted(failures.items())}, "soft": soft}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cases", type=int, default=100)
    ap.add_argument("--start", type=int, default=0)
    ap.add_argument("--replay", help="SEED:INDEX of one case to rerun (kept)")
    ap.add_argument("--keep", action="store_true", help="keep each case's directory")
    ap.add_argument("--log", default="fuzz.jsonl")
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--mem", type=int, default=3 << 30)
    ap.add_argument("--minutes", type=float, default=0, help="stop after this long (0: no limit)")
    ap.add_argument("--tmp", default=tempfile.gettempdir())
    ap.add_argument("--baseline", action="store_true", help="each seed once, unmutated: what renders as it is")
    ap.add_argument("--summarize", nargs="+", metavar="LOG", help="summarise JSON-lines logs and exit")
    args = ap.parse_args()
    if args.summarize:
        print(json.dumps(summarize(args.summarize), indent=1))
        return 0
    base = Path(args.tmp)
    if args.baseline:
        for i, (name, _src, _parts) in enumerate(seeds(HERE)):
            rec = run_case(args.seed, i, base_dir=base, timeout=args.timeout, mem=args.mem, keep=False, only_seed=i,
                           mutations_on=False)
            print(name, [(o["command"], o["code"], o["tail"][-160:]) for o in rec["outcomes"]  # type: ignore[index]
                         if o["code"] != 0 or o["classes"]], rec["failures"], flush=True)  # type: ignore[index]
        return 0
    if args.replay:
        seed, index = map(int, args.replay.split(":"))
        rec = run_case(seed, index, base_dir=base, timeout=args.timeout, mem=args.mem, keep=True)
        print(json.dumps(rec, indent=1))
        return 0
    deadline = time.monotonic() + args.minutes * 60 if args.minutes else None
    counts: dict[str, int] = {}
    with open(args.log, "a", encoding="utf-8") as log:
        for index in range(args.start, args.start + args.cases):
            if deadline and time.monotonic() > deadline:
                break
            rec = run_case(args.seed, index, base_dir=base, timeout=args.timeout, mem=args.mem, keep=args.keep)
            log.write(json.dumps(rec) + "\n")
            log.flush()
            for c in rec["failures"]:  # type: ignore[union-attr]
                counts[c] = counts.get(c, 0) + 1
            if rec["failures"]:
                print(f"{rec['case']} {rec['seed_repo']} {rec['failures']} {rec['mutations']}", flush=True)
    print(json.dumps(counts, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
