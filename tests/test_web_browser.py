"""The site and the app in a real headless Chromium (Debian's `chromium`), via Playwright.

Navigation, search, filters, login, keyboard use, a curation action, a phone-sized screen
and the live progress of a pipeline run. Screenshots go to $TECHWATCH_ARTIFACTS (default:
<tmp>/techwatch-browser) so a failing run can be looked at.
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
import time
from pathlib import Path

import pytest

from techwatch.card import Signal
from web_fixtures import add_card, add_hostile

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "browser test password"
ARTIFACTS = Path(os.environ.get("TECHWATCH_ARTIFACTS", tempfile.gettempdir())) / "techwatch-browser"


def _need(what: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is required in CI")
    pytest.skip(f"{what} is not installed (apt-get install chromium; pip install playwright)")


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        _need(str(CHROMIUM))
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the test extra installs it
        _need("playwright")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield b
        b.close()


def expect(locator):
    from playwright.sync_api import expect as _expect

    _expect.set_options(timeout=20_000)  # a busy CI machine is slow; a real failure still fails
    return _expect(locator)


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


class LiveServer:
    """uvicorn serving the app on 127.0.0.1 (a free port) in a thread."""

    def __init__(self, ws) -> None:
        import uvicorn

        from techwatch.web.app import create_app

        config = uvicorn.Config(create_app(ws), host="127.0.0.1", port=0, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.05)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture
def live_ws(tmp_path):
    from techwatch.workspace import Workspace

    overrides = {
        "fetch": {
            "allowed_networks": ["127.0.0.0/8"],
            "per_host_delay": 0.0,
            "retries": 1,
            "timeout": 10.0,
        },
        "extract": {"workers": 1},
    }
    ws = Workspace.init(tmp_path / "ws", overrides=overrides)
    ws.web_users().set_password("alice", PASSWORD)
    yield ws
    ws.close()


def login(page, base: str, target: str = "/") -> None:
    page.goto(base + target)
    assert "/login" in page.url
    page.get_by_label("User name").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(base + target)


def test_static_site_from_the_file_system(browser, workspace, tmp_path):
    for n in range(12):
        add_card(
            workspace,
            n,
            title=f"Solar item {n}" if n % 2 else f"Wind item {n}",
            category="technology" if n % 3 else "city",
        )
    add_hostile(workspace)
    out = tmp_path / "site"
    workspace.site(out)
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto((out / "index.html").as_uri())
    assert page.get_by_role("heading", name="Latest cards").is_visible()
    page.get_by_role("link", name="Solar item 11").click()
    assert page.url.endswith(".html") and page.get_by_role("heading", name="Solar item 11")
    page.get_by_role("link", name="topic 1").first.click()
    assert "keywords/" in page.url
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Search").click()
    page.get_by_label("Search the cards").fill("solar")
    page.wait_for_function("document.querySelectorAll('#results li').length > 0")
    all_hits = page.locator("#results li").count()
    assert all_hits == 6
    page.get_by_label("Category").select_option("city")
    page.wait_for_function(f"document.querySelectorAll('#results li').length < {all_hits}")
    cities = page.locator("#results li .meta").all_inner_texts()
    assert cities and all("city" in m for m in cities)
    shot(page, "static-search")
    page.get_by_label("Category").select_option("")
    page.get_by_label("Search the cards").fill("sodium")
    page.wait_for_function("document.querySelectorAll('#results li').length > 0")
    assert page.locator("#results li a").first.inner_text().startswith("<script>")
    assert dialogs == []  # the hostile card's script never ran
    page.close()


def test_live_app_login_search_curation_keyboard_phone(browser, live_ws):
    cid = add_card(
        live_ws,
        1,
        title="Heat pumps everywhere",
        summary="heat pumps replace boilers",
        category="technology",
        keywords=["heat pumps", "boilers"],
        signals=[Signal(name="Boilers phased out", relevancy=4)],
    )
    add_card(
        live_ws,
        2,
        title="Heat networks in cities",
        summary="district heat grows",
        category="city",
        keywords=["heat pumps", "district heat"],
    )
    add_card(
        live_ws,
        3,
        title="Nothing related",
        summary="unrelated words",
        keywords=["misc"],
        themes=["none"],
    )
    with LiveServer(live_ws) as base:
        context = browser.new_context()
        page = context.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        login(page, base, "/search")
        # Search, then a filter that narrows the results (HTMX swaps the results in place).
        page.get_by_label("Words").fill("heat")
        page.get_by_role("button", name="Search").click()
        expect(page.locator("#results li")).to_have_count(2)
        page.get_by_label("Category").select_option("city")
        expect(page.locator("#results li")).to_have_count(1)
        assert "Heat networks in cities" in page.locator("#results").inner_text()
        assert "category=city" in page.url
        shot(page, "live-search-filtered")
        # Card page, related cards, and a rating through HTMX.
        page.goto(f"{base}/cards/{cid}")
        related = page.locator("#h-related + ul").inner_text()
        assert "Heat networks in cities" in related and "Heat pumps everywhere" not in related
        page.get_by_role("button", name="4", exact=True).click()
        expect(page.locator("#rate-card legend")).to_contain_text("4/5")
        assert live_ws.curation().rating("card", cid) == 4
        page.get_by_role("button", name="Confirm").click()
        page.wait_for_url(f"{base}/cards/{cid}?done=signal#signal-0")
        assert live_ws.curation().signal_states(cid) == {0: "confirmed"}
        assert page.get_by_role("status").first.inner_text() == "Signal updated."
        shot(page, "live-card-curated")
        # Ask: the answer arrives over server-sent events, each claim linking its cards.
        if hasattr(live_ws, "ask"):
            page.goto(base + "/ask")
            page.get_by_label("Question").fill("heat pumps replace boilers")
            page.get_by_role("button", name="Ask", exact=True).click()
            expect(page.locator("ol.claims li").first).to_be_visible(timeout=60_000)
            cite = page.locator("ol.claims a.cite").first
            assert cite.get_attribute("href").startswith("/cards/")
            shot(page, "live-ask")
        # Keyboard alone: the first Tab reaches the skip link, Enter moves to the content.
        page.goto(base + "/")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "Skip to content"
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        page.keyboard.press("Enter")
        assert page.url.endswith("#main")
        assert outline != "none" or page.evaluate("document.activeElement.id") in ("main", "")
        # A phone: no horizontal scrolling, the nav wraps.
        phone = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
        phone.add_cookies(context.cookies())
        mobile = phone.new_page()
        for path in ["/", f"/cards/{cid}", "/search?q=heat", "/sources"]:
            mobile.goto(base + path)
            width = mobile.evaluate("document.documentElement.scrollWidth")
            assert width <= 375, (path, width)
        shot(mobile, "live-phone-card")
        phone.close()
        assert dialogs == []
        context.close()


def test_live_run_shows_progress(browser, live_ws, tmp_path):
    from techwatch.demo.corpus import write_demo_site
    from techwatch.demo.server import DemoServer

    site = write_demo_site(tmp_path / "demo")
    server = DemoServer(site.root, port=0)
    server.start()
    try:
        feed = server.newsletter_base + site.feed_path
        with LiveServer(live_ws) as base:
            context = browser.new_context()
            page = context.new_page()
            login(page, base, "/sources")
            page.get_by_label("Feed, newsletter issue or archive, OPML or URL list (a URL)").fill(
                feed
            )
            page.get_by_role("button", name="Add and read it").click()
            assert "Source added" in page.locator("main").inner_text()
            page.goto(base + "/sources")
            page.get_by_role("button", name="Fetch, analyze and publish now").click()
            expect(page.locator("pre.progress")).to_contain_text("fetch:", timeout=60_000)
            expect(page.locator(".run-result")).to_have_text(re.compile(r"^Run "), timeout=240_000)
            result = page.locator(".run-result").inner_text()
            progress = page.locator("pre.progress").inner_text()
            shot(page, "live-run-progress")
            assert result.startswith("Run finished"), result
            assert "fetch:" in progress and "analyze:" in progress
            assert live_ws.cards.list(limit=1)
            page.goto(base + "/")
            assert page.locator("ul.cards li").count() > 0
            context.close()
    finally:
        server.stop()
