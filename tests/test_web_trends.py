"""Trends, reviews and topics in the site and the app, once the trends step computed them;
and curation (rename, merge, watch) applied to what the pages show."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from techwatch.card import Signal
from techwatch.web.app import create_app
from test_site import check_links
from test_web_app import PASSWORD, csrf_of, login
from web_fixtures import add_card

TOPICS = ["sodium battery storage", "heat pump adoption", "AI agents at work", "urban farming"]


def make_trend_workspace(root):
    """A workspace of four topics over a year, trends computed, and a user (or None when
    this build has no trends step)."""
    from techwatch.workspace import Workspace

    ws = Workspace.init(root)
    if not hasattr(ws, "update_trends"):
        ws.close()
        return None
    for n in range(48):
        topic = TOPICS[n % 4]
        add_card(
            ws,
            n,
            title=f"{topic} news {n}",
            summary=f"{topic} grows",
            keywords=[topic, f"k{n % 6}"],
            date=f"2025-{1 + n % 12:02d}-10",
            signals=[Signal(name=f"{topic} spreading", description=f"more {topic}")],
        )
    ws.update_trends(kinds=("signals",))
    ws.web_users().set_password("alice", PASSWORD)
    return ws


@pytest.fixture
def trend_ws(tmp_path):
    ws = make_trend_workspace(tmp_path / "ws")
    if ws is None:
        pytest.skip("this build has no trends step")
    yield ws
    ws.close()


def test_site_has_trend_pages_map_and_review(trend_ws, tmp_path):
    trend_ws.curation().watch("query", "heat pump")
    out = tmp_path / "site"
    trend_ws.site(out)
    report = trend_ws.trend_report("signals", update=False)
    assert report.trends
    index = (out / "trends" / "index.html").read_text(encoding="utf-8")
    assert 'src="../trends/emergence-map.svg"' in index
    assert (out / "trends" / "emergence-map.svg").read_bytes().lstrip().startswith(b"<?xml")
    assert 'src="../trends/timelines.svg"' in index
    for trend in report.trends:
        assert f"{trend.id}-" in "".join(p.name for p in (out / "trends").iterdir())
    assert list((out / "reviews").glob("month-*.html"))
    topic = list((out / "topics").glob("*.html"))
    assert topic and "heat pump" in topic[0].read_text(encoding="utf-8")
    home = (out / "index.html").read_text(encoding="utf-8")
    assert "Watched topics" in home and "Latest review" in home
    assert check_links(out) > 50


def test_app_trends_dashboard_and_curation(trend_ws):
    report = trend_ws.trend_report("signals", update=False)
    first, second = report.trends[0], report.trends[1]
    with TestClient(create_app(trend_ws)) as c:
        login(c)
        page = c.get("/trends")
        assert page.status_code == 200 and "/trends/emergence-map.svg" in page.text
        for chart in ("emergence-map", "timelines"):
            svg = c.get(f"/trends/{chart}.svg")
            assert svg.headers["content-type"].startswith("image/svg+xml")
            assert f"/trends/{chart}.svg" in page.text
        listed = c.get("/api/trends").json()
        assert {t["id"] for g in listed.values() for t in g} <= {t.id for t in report.trends}
        assert c.get(f"/trends/{first.id}").status_code == 200
        r = c.post(
            f"/trends/{first.id}/edit",
            data={"label": "My <b>renamed</b> trend", "csrf": csrf_of(c)},
            follow_redirects=False,
        )
        assert r.status_code == 303
        dashboard = c.get("/trends").text
        assert "My &lt;b&gt;renamed&lt;/b&gt; trend" in dashboard
        r = c.post(
            f"/trends/{second.id}/edit",
            data={"merged_into": first.id, "csrf": csrf_of(c)},
            follow_redirects=False,
        )
        assert r.status_code == 303
        assert f"/trends/{second.id}" not in c.get("/trends").text
        assert "Merged by you into" in c.get(f"/trends/{second.id}").text
        bad = c.post(f"/trends/{second.id}/edit", data={"merged_into": "nope", "csrf": csrf_of(c)})
        assert bad.status_code == 400
        assert c.get("/reviews/month-latest").status_code == 200
        assert "heat pump" in c.get("/topics/heat pump").text
        topic = c.get("/api/topic", params={"q": "heat pump"}).json()
        assert topic["query"] == "heat pump" and topic["cards"]
        review = c.get("/api/review", params={"period": "month"}).json()
        assert review["period"] == "month" and review["key"]
        assert c.get("/api/review", params={"period": "decade"}).status_code == 422
        assert c.get("/api/review", params={"day": "June"}).status_code == 400
    edits = trend_ws.curation().trend_edits()
    assert edits[first.id]["label"] == "My <b>renamed</b> trend"
    assert edits[second.id]["merged_into"] == first.id


def test_no_trend_pages_without_trends(workspace, tmp_path):
    add_card(workspace, 1)
    out = tmp_path / "site"
    workspace.site(out)
    assert not (out / "trends").exists()
    assert "trends/index.html" not in (out / "index.html").read_text(encoding="utf-8")


def test_search_by_trend(trend_ws):
    report = trend_ws.trend_report("signals", update=False)
    trend = report.trends[0]
    with TestClient(create_app(trend_ws)) as c:
        login(c)
        hits = c.get("/api/search", params={"q": "news", "trend": trend.id, "limit": 100}).json()
        assert hits and {h["card"]["id"] for h in hits} <= set(trend.card_ids)
        assert c.get("/api/search", params={"q": "news", "trend": "unknown"}).json() == []


def test_ask_and_deck(trend_ws):
    if not hasattr(trend_ws, "ask"):
        pytest.skip("this build has no ask step")
    with TestClient(create_app(trend_ws)) as c:
        login(c)
        h = {"X-CSRF-Token": csrf_of(c)}
        answer = c.post("/api/ask", json={"question": "heat pump adoption"}, headers=h).json()
        assert answer["found"] and answer["claims"]
        cited = {x["id"] for claim in answer["claims"] for x in claim["citations"]}
        assert cited and all(c.get(f"/api/cards/{i}").status_code == 200 for i in cited)
        assert c.post("/api/ask", json={"question": "  "}, headers=h).status_code == 400
        assert c.post("/api/ask", json={"question": "x"}).status_code == 403  # no CSRF token
        page = c.post("/ask", data={"question": "heat pump", "csrf": csrf_of(c)}).text
        assert "data-ask-events" in page
        if hasattr(trend_ws, "deck"):
            r = c.post("/deck", data={"what": "topic", "value": "heat pump", "csrf": csrf_of(c)})
            assert r.status_code == 200
            link = r.text.split('href="/decks/')[1].split('"')[0]
            pdf = c.get("/decks/" + link)
            assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
            assert c.get("/decks/../techwatch.toml").status_code == 404
            assert c.get("/decks/x/..%2F..%2Ftechwatch.toml").status_code == 404
