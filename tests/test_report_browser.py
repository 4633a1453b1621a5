"""The report as a person sees it: Debian's Chromium, headless, opens the site from disk and
clicks through matrix -> app -> comparison -> change; screenshots are checked for content."""
from __future__ import annotations

import shutil
import struct
from pathlib import Path
from typing import Any, Iterator

import pytest

from renderer.cli import main
from gitrepos import FIXED_DATE, demo_repo, git, isolated_git_env  # noqa: F401 - fixtures
from reportsite import broken_links

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (apt-get install -y chromium)"),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright python package is not installed")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    # offline: anything but file:// is a failure of the "self-contained" promise
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file://") else route.abort())
    page = context.new_page()
    page.errors = []  # type: ignore[attr-defined]
    page.on("console", lambda m: page.errors.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.on("requestfailed", lambda r: page.errors.append(f"request failed: {r.url}"))
    yield page
    context.close()


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def shot(page: Any, path: Path) -> Path:
    page.screenshot(path=str(path), full_page=True)
    width, height = png_size(path)
    assert width >= 800 and height >= 300
    return path


@pytest.fixture
def site(demo_repo: Path, tmp_path: Path) -> Path:  # noqa: F811
    kustomization = demo_repo / "overlays/staging/web/kustomization.yaml"
    text = kustomization.read_text()
    assert "1.1.0-rc.2" in text
    kustomization.write_text(text.replace("1.1.0-rc.2", "1.1.0-rc.3"))
    git("commit", "-qam", "web rc.3 on staging", cwd=demo_repo, env=FIXED_DATE)
    out = tmp_path / "site"
    assert main(["report", str(demo_repo), "--out", str(out), "--base", "HEAD~1"]) == 0
    assert broken_links(out) == []
    return out


def test_matrix_app_compare_and_change(page: Any, site: Path, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    page.goto((site / "index.html").as_uri())
    assert page.title().startswith("Fleet matrix")
    matrix = page.locator("#matrix")
    assert "production" in matrix.inner_text() and "staging" in matrix.inner_text()
    assert "changed" in matrix.locator("tr", has_text="web").inner_text(), "a text label, not colour alone"
    shot(page, tmp_path / "matrix.png")

    # keyboard: "/" focuses the filter; typing narrows the rows
    page.keyboard.press("/")
    page.keyboard.type("work")
    expect(page.locator("#row-count")).to_have_text("1 of 4 rows shown")  # waits: the filter runs on input events
    page.keyboard.press("Control+a")
    page.keyboard.press("Backspace")

    # matrix -> app (the staging cell of web)
    page.locator("#matrix tr", has_text="web").get_by_role("link", name="B · 3 res.").click()
    page.wait_for_url("**/apps/web.html#c-staging")
    assert page.locator("h1").inner_text() == "App web"
    comparison = page.locator("#cmp-out")
    expect(comparison).to_contain_text("production → staging")
    expect(comparison).to_contain_text("differs")
    diff = comparison.locator(".cmp-res", has_text="Deployment.apps").locator("pre.diff").inner_text()
    assert "-        image: ghcr.io/example/shop-web:1.0.3" in diff and "+        image: ghcr.io/example/shop-web:1.1.0-rc.3" in diff
    # swap the sides with the keyboard-operable selects
    page.select_option("#cmp-a", "staging")
    page.select_option("#cmp-b", "production")
    expect(comparison).to_contain_text("staging → production")
    # a resource link opens its manifest
    page.locator("#c-staging").get_by_role("link", name="web").nth(1).click()
    expect(page.locator("#c-staging details[open] pre").first).to_contain_text("kind: Deployment")
    shot(page, tmp_path / "app.png")

    # app -> its change against the base revision
    page.locator("a[href^='../changes/staging.html']").first.click()
    page.wait_for_url("**/changes/staging.html#a-web")
    expect(page.locator("main")).to_contain_text("+        image: ghcr.io/example/shop-web:1.1.0-rc.3")
    assert "changed" in page.locator("main").inner_text()
    shot(page, tmp_path / "change.png")
    assert page.errors == []


def test_versions_and_search(page: Any, site: Path) -> None:
    page.goto((site / "versions.html").as_uri())
    row = page.locator("#images tr", has_text="shop-web")
    assert "differs" in row.inner_text() and "1.1.0-rc.3" in row.inner_text() and "1.0.3" in row.inner_text()
    page.get_by_label("Only rows that differ").check()
    assert "of 3 rows shown" in page.locator("#row-count").inner_text()

    page.goto((site / "search.html").as_uri())
    page.fill("#q", "web")
    page.select_option("#f-cluster", "staging")
    page.select_option("#f-kind", "Deployment")
    results = page.locator("#results li")
    assert results.count() == 1 and "shop-web:1.1.0-rc.3" in results.first.inner_text()
    page.fill("#q", "")
    page.select_option("#f-kind", "")
    page.select_option("#f-cluster", "")
    page.fill("#f-image", "shop-api")
    assert "2 resources found" in page.locator("#search-count").inner_text()
    results.first.locator("a").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/apps/api.html#r-*")
    assert page.locator("details[open]").count() == 1
    assert page.errors == []


def test_every_page_loads_without_errors(page: Any, site: Path) -> None:
    for path in sorted(site.rglob("*.html")):
        page.goto(path.as_uri())
        assert page.locator("main").inner_text().strip(), path
    assert page.errors == []


def test_readme_screenshot(page: Any, tmp_path: Path) -> None:
    """docs/report.png: the demo fleet's web app, staging against production (regenerate with SLUICE_UPDATE_SCREENSHOT=1)."""
    import os

    repo = Path(__file__).resolve().parent.parent
    out = tmp_path / "site"
    assert main(["report", str(repo), "--out", str(out)]) == 0
    page.set_viewport_size({"width": 1000, "height": 640})
    page.goto((out / "apps/web.html").as_uri())
    target = repo / "docs/report.png"
    png = tmp_path / "report.png"
    page.screenshot(path=str(png), full_page=False)
    if os.environ.get("SLUICE_UPDATE_SCREENSHOT"):
        target.parent.mkdir(exist_ok=True)
        shutil.copy(png, target)
    assert target.is_file() and png_size(target) == (1000, 640)
    assert target.stat().st_size < 200_000, "keep the README image small"
