"""The few GitHub REST calls the Action makes: find, create and update one issue comment.

Standard library only (urllib). The base URL comes from `GITHUB_API_URL`, so a fake API on
127.0.0.1 stands in for GitHub in the tests.
"""
from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')


class ApiError(Exception):
    """A REST call answered with an error status; `status` 403 means a read-only token."""

    def __init__(self, status: int, method: str, path: str, message: str) -> None:
        super().__init__(f"{method} {path}: HTTP {status}: {message}")
        self.status = status


@dataclass(frozen=True)
class GitHub:
    api_url: str
    token: str
    repository: str  # owner/name

    def _call(self, method: str, url: str, body: dict[str, Any] | None = None) -> tuple[Any, str]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(url, data=data, method=method, headers={
            "Accept": "application/vnd.github+json",
            "Authorization": f"Bearer {self.token}",
            "X-GitHub-Api-Version": "2022-11-28",
            "User-Agent": "sluice-action",
            **({"Content-Type": "application/json"} if data is not None else {}),
        })
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                text = response.read().decode("utf-8")
                return (json.loads(text) if text else None), response.headers.get("Link", "")
        except urllib.error.HTTPError as exc:
            try:
                message = str(json.loads(exc.read().decode("utf-8")).get("message", ""))
            except (ValueError, AttributeError):
                message = exc.reason
            raise ApiError(exc.code, method, url.removeprefix(self.api_url), message) from None

    def find_comment(self, number: int, marker: str) -> int | None:
        """The id of the pull request's comment that carries `marker`, following pages."""
        url: str | None = f"{self.api_url}/repos/{self.repository}/issues/{number}/comments?per_page=100"
        while url:
            comments, link = self._call("GET", url)
            for comment in comments or ():
                if marker in str(comment.get("body") or ""):
                    return int(comment["id"])
            match = _NEXT.search(link)
            url = match.group(1) if match else None
        return None

    def upsert_comment(self, number: int, marker: str, body: str) -> tuple[str, int]:
        """Update the comment carrying `marker` in place, or create it: ("updated"|"created", id)."""
        existing = self.find_comment(number, marker)
        if existing is not None:
            self._call("PATCH", f"{self.api_url}/repos/{self.repository}/issues/comments/{existing}", {"body": body})
            return "updated", existing
        created, _ = self._call("POST", f"{self.api_url}/repos/{self.repository}/issues/{number}/comments", {"body": body})
        return "created", int(created["id"])
