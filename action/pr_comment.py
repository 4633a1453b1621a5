"""The Action's pull-request step: turn sluice's outputs into one comment, a job summary
and annotations.

    python -m action.pr_comment report  --job J [inputs] --out FULL.md
    python -m action.pr_comment publish --job J [inputs] [--full-report-url URL] [--fleet-report-url URL]

`report` writes the complete report (uploaded as an artifact); `publish` emits one
annotation per finding, writes the report (sized to fit) to `$GITHUB_STEP_SUMMARY` and
keeps one comment per job on the pull request, updated in place on every push. A token
that may not comment (a fork's pull request gets a read-only one: HTTP 403) leaves the
report in the summary and says so there. Exit code: 2 when a render failed, 1 when
verify found errors, else 0, so the job fails after the reviewers have the report.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any, TextIO

from .github import ApiError, GitHub
from .report import Inputs, fit, marker, render

MAX_ANNOTATIONS = 50
FORK_NOTE = ("The report could not be posted as a pull-request comment: this workflow's token is read-only "
             "(a pull request from a fork gets such a token). It is here in the job summary instead.")


def _read_json(path: str | None) -> dict[str, Any] | None:
    if not path or not Path(path).is_file():
        return None
    text = Path(path).read_text(encoding="utf-8").strip()
    try:
        value = json.loads(text) if text else None
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _error(exit_code: int | None, stderr: str | None, output: dict[str, Any] | None) -> str | None:
    """What sluice said when it exited 2 (or printed no JSON): the render error for the report."""
    text = Path(stderr).read_text(encoding="utf-8", errors="replace") if stderr and Path(stderr).is_file() else ""
    if exit_code is not None and exit_code >= 2 or (exit_code is not None and output is None):
        return text.strip() or f"sluice exited with {exit_code} and printed nothing"
    return None


def load_inputs(args: argparse.Namespace) -> Inputs:
    verify = _read_json(args.verify_json)
    diff = _read_json(args.diff_json)
    return Inputs(
        job=args.job,
        verify=verify, verify_error=_error(args.verify_exit, args.verify_stderr, verify),
        diff=diff, diff_error=_error(args.diff_exit, args.diff_stderr, diff),
        full_report_url=getattr(args, "full_report_url", None) or None,
        fleet_report_url=getattr(args, "fleet_report_url", None) or None,
    )


def _escape(text: str, *, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def annotations(inputs: Inputs) -> list[str]:
    """Workflow commands that pin each finding (and a render error) to its file and line."""
    out: list[str] = []
    for error in (inputs.verify_error, inputs.diff_error):
        if error:
            first = error.strip().splitlines()[-1].removeprefix("error: ")
            where, sep, _ = first.partition(": ")
            file, _, line = where.partition(":")
            props = f"file={_escape(file, prop=True)}" + (f",line={line}" if line.isdigit() else "") if sep and "/" in where else ""
            out.append(f"::error {props + ',' if props else ''}title=sluice render error::{_escape(first)}")
    findings = list((inputs.verify or {}).get("findings") or [])
    for f in findings[:MAX_ANNOTATIONS]:
        command = "error" if f.get("severity") == "error" else "warning"
        props = [f"file={_escape(str(f.get('file') or ''), prop=True)}"] if f.get("file") else []
        if f.get("line"):
            props.append(f"line={int(f['line'])}")
        props.append(f"title={_escape('sluice verify: ' + str(f.get('check')), prop=True)}")
        what = f"{f.get('cluster')}/{f.get('app')} {f.get('resource') or ''}".rstrip()
        out.append(f"::{command} {','.join(props)}::{_escape(what + ': ' + str(f.get('message')))}")
    if len(findings) > MAX_ANNOTATIONS:
        out.append(f"::notice title=sluice verify::{len(findings) - MAX_ANNOTATIONS} more finding(s) in the report")
    return out


def _pull_request_number(event_path: str | None) -> int | None:
    event = _read_json(event_path)
    pr = (event or {}).get("pull_request") or {}
    number = pr.get("number") or (event or {}).get("number")
    return int(number) if number else None


def exit_code(inputs: Inputs) -> int:
    if inputs.verify_error is not None or inputs.diff_error is not None:
        return 2
    return 0 if inputs.verify is None or inputs.verify.get("ok") else 1


def publish(inputs: Inputs, env: dict[str, str], out: TextIO) -> int:
    for line in annotations(inputs):
        print(line, file=out)
    body = fit(inputs)
    note: str | None = None
    number = _pull_request_number(env.get("GITHUB_EVENT_PATH"))
    token = env.get("GITHUB_TOKEN") or ""
    if number is None:
        note = "Not a pull request: the report is in this job summary only."
    elif not token:
        note = "No token was given: the report is in this job summary only."
    else:
        gh = GitHub(env.get("GITHUB_API_URL", "https://api.github.com").rstrip("/"), token, env["GITHUB_REPOSITORY"])
        try:
            action, comment_id = gh.upsert_comment(number, marker(inputs.job), body)
            print(f"sluice: pull-request comment {comment_id} {action}", file=out)
        except ApiError as exc:
            if exc.status not in (403, 404):
                print(f"::warning title=sluice comment::{_escape(str(exc))}", file=out)
            note = FORK_NOTE if exc.status in (403, 404) else f"The comment could not be posted ({exc}); the report is here."
    summary = env.get("GITHUB_STEP_SUMMARY")
    if summary:
        text = fit(inputs, note=note) if note else body
        with open(summary, "a", encoding="utf-8") as handle:
            handle.write(text)
    return exit_code(inputs)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pr_comment", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("report", "publish"):
        p = sub.add_parser(name)
        p.add_argument("--job", required=True, help="names the comment (one per job)")
        p.add_argument("--verify-json")
        p.add_argument("--verify-exit", type=int)
        p.add_argument("--verify-stderr")
        p.add_argument("--diff-json")
        p.add_argument("--diff-exit", type=int)
        p.add_argument("--diff-stderr")
        if name == "report":
            p.add_argument("--out", required=True)
        else:
            p.add_argument("--full-report-url", default="")
            p.add_argument("--fleet-report-url", default="", help="link to the `sluice report` site (an artifact)")
    return parser


def main(argv: list[str] | None = None, env: dict[str, str] | None = None, out: TextIO | None = None) -> int:
    args = _parser().parse_args(argv)
    inputs = load_inputs(args)
    if args.command == "report":
        Path(args.out).write_text(render(inputs), encoding="utf-8")
        return 0
    return publish(inputs, dict(os.environ if env is None else env), out or sys.stdout)


if __name__ == "__main__":
    raise SystemExit(main())
