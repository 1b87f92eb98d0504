"""The live app and its JSON API, through FastAPI's TestClient over a real SQLite store."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from techwatch.card import Signal
from techwatch.web.app import create_app
from web_fixtures import add_card, add_hostile, assert_no_live_script

PASSWORD = "correct horse battery"


@pytest.fixture
def app_ws(tmp_path):
    """A workspace with the default address guard (nothing private reachable)."""
    from techwatch.workspace import Workspace

    ws = Workspace.init(tmp_path / "ws", overrides={"fetch": {"timeout": 3.0, "retries": 0}})
    ws.web_users().set_password("alice", PASSWORD)
    yield ws
    ws.close()


@pytest.fixture
def client(app_ws):
    with TestClient(create_app(app_ws), base_url="http://127.0.0.1") as c:
        yield c


def login(client: TestClient, name: str = "alice", password: str = PASSWORD):
    client.get("/login")
    csrf = client.cookies.get("tw_csrf")
    return client.post(
        "/login",
        data={"name": name, "password": password, "csrf": csrf, "next": "/"},
        follow_redirects=False,
    )


def csrf_of(client: TestClient) -> str:
    return client.cookies.get("tw_csrf")


def test_reading_needs_a_login_by_default(client, app_ws):
    add_card(app_ws, 1)
    r = client.get("/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
    assert client.get("/api/cards").status_code == 401
    assert client.get("/openapi.json").status_code == 200  # the API's shape is public


def test_public_read_opens_pages_but_not_writes(tmp_path):
    from techwatch.workspace import Workspace

    ws = Workspace.init(tmp_path / "pub", overrides={"web": {"public_read": True}})
    try:
        cid = add_card(ws, 1)
        with TestClient(create_app(ws)) as c:
            assert c.get("/").status_code == 200
            assert c.get(f"/cards/{cid}").status_code == 200
            assert c.put(f"/api/cards/{cid}/rating", json={"rating": 3}).status_code == 401
            r = c.post(f"/cards/{cid}/rate", data={"rating": 3}, follow_redirects=False)
            assert r.status_code == 303 and "/login" in r.headers["location"]
            assert ws.curation().rating("card", cid) is None
    finally:
        ws.close()


def test_login_sets_safe_cookies_and_wrong_password_fails(client):
    r = login(client, password="wrong password")
    assert r.status_code == 401 and "Wrong name or password" in r.text
    assert "tw_session" not in client.cookies
    before = csrf_of(client)
    r = login(client)
    assert r.status_code == 303
    assert csrf_of(client) != before  # the CSRF token is renewed at login
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert "secure" not in cookie  # plain http on loopback
    assert client.get("/").status_code == 200


def test_secure_cookie_over_https(app_ws):
    with TestClient(create_app(app_ws), base_url="https://127.0.0.1") as c:
        r = login(c)
        assert r.status_code == 303
        assert "secure" in r.headers["set-cookie"].lower()


def test_login_never_redirects_off_site(client):
    client.get("/login")
    r = client.post(
        "/login",
        data={
            "name": "alice",
            "password": PASSWORD,
            "csrf": csrf_of(client),
            "next": "https://evil.example/",
        },
        follow_redirects=False,
    )
    assert r.headers["location"] == "/"


def test_csrf_is_required_for_cookie_writes(client, app_ws):
    cid = add_card(app_ws, 1)
    login(client)
    r = client.post(f"/cards/{cid}/rate", data={"rating": 5, "csrf": "forged"})
    assert r.status_code == 403
    r = client.put(f"/api/cards/{cid}/rating", json={"rating": 5})
    assert r.status_code == 403
    assert app_ws.curation().rating("card", cid) is None
    r = client.post(
        f"/cards/{cid}/rate", data={"rating": 5, "csrf": csrf_of(client)}, follow_redirects=False
    )
    assert r.status_code == 303
    assert app_ws.curation().rating("card", cid) == 5
    r = client.put(
        f"/api/cards/{cid}/rating", json={"rating": 2}, headers={"X-CSRF-Token": csrf_of(client)}
    )
    assert r.status_code == 200 and app_ws.curation().rating("card", cid) == 2
    assert "Your best-rated cards" not in client.get("/").text
    client.put(
        f"/api/cards/{cid}/rating", json={"rating": 5}, headers={"X-CSRF-Token": csrf_of(client)}
    )
    home = client.get("/").text
    assert "Your best-rated cards" in home
    assert home.split('id="h-rated"')[1].split("</section>")[0].count("card-item") == 1


def test_api_token_writes_without_cookies(app_ws):
    cid = add_card(app_ws, 1, signals=[Signal(name="s0"), Signal(name="s1")])
    token = app_ws.web_users().new_token("alice", "script")
    with TestClient(create_app(app_ws)) as c:
        auth = {"Authorization": f"Bearer {token}"}
        assert c.get("/api/cards", headers=auth).json()["total"] == 1
        r = c.put(f"/api/cards/{cid}/signals/1/state", json={"state": "dismissed"}, headers=auth)
        assert r.status_code == 200
        r = c.put(f"/api/cards/{cid}/signals/0/rating", json={"rating": 4}, headers=auth)
        assert r.status_code == 200
        assert (
            c.put(
                f"/api/cards/{cid}/signals/9/state", json={"state": "confirmed"}, headers=auth
            ).status_code
            == 404
        )
        bad = {"Authorization": "Bearer tw_not-a-token"}
        assert c.get("/api/cards", headers=bad).status_code == 401
    assert app_ws.curation().signal_states(cid) == {1: "dismissed"}
    assert app_ws.curation().ratings("signal") == {f"{cid}:0": 4}


def test_card_page_related_and_evidence_highlight(client, app_ws):
    text = "First paragraph.\n\nThe grid   now stores MORE solar power at night. End."
    a = add_card(
        app_ws,
        1,
        keywords=["storage", "grid"],
        text=text,
        signals=[Signal(name="night solar", evidence="the grid now stores more solar power")],
    )
    b = add_card(app_ws, 2, keywords=["storage"])
    add_card(app_ws, 3, keywords=["unrelated"], themes=["nothing"])
    login(client)
    html = client.get(f"/cards/{a}").text
    assert '<mark class="evidence">The grid   now stores MORE solar power</mark>' in html
    detail = client.get(f"/api/cards/{a}").json()
    related = [c["id"] for c in detail["related"]]
    assert b in related and a not in related
    assert detail["card"]["signals"][0]["name"] == "night solar"


def test_hostile_content_is_escaped_in_every_page(client, app_ws):
    hostile = add_hostile(app_ws)
    login(client)
    for path in [
        "/",
        "/cards",
        f"/cards/{hostile}",
        "/keywords",
        "/themes",
        "/issues",
        "/search?q=sodium",
        "/feed.atom",
    ]:
        r = client.get(path)
        assert r.status_code == 200, path
        assert_no_live_script(r.text)
    html = client.get(f"/cards/{hostile}").text
    assert 'href="https://example.org/a_(b)"' in html
    assert "&lt;script&gt;alert(&#39;article text&#39;)&lt;/script&gt;" in html
    csp = client.get("/").headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp


def test_search_with_filters(client, app_ws):
    add_card(
        app_ws,
        1,
        title="Solar roofs",
        summary="solar roofs in cities",
        category="city",
        date="2024-03-01",
    )
    add_card(
        app_ws,
        2,
        title="Solar farms",
        summary="solar farms in deserts",
        category="technology",
        date="2025-06-01",
    )
    add_card(
        app_ws, 3, title="Wind", summary="offshore wind", category="technology", date="2025-06-02"
    )
    login(client)

    def titles(**params):
        return sorted(h["card"]["title"] for h in client.get("/api/search", params=params).json())

    assert titles(q="solar") == ["Solar farms", "Solar roofs"]
    assert titles(q="solar", category="city") == ["Solar roofs"]
    assert titles(q="solar", since="2025-01-01") == ["Solar farms"]
    assert titles(q="solar", until="2024-12-31") == ["Solar roofs"]
    assert titles(category="technology") == ["Solar farms", "Wind"]
    assert titles(q="nothingmatches") == []
    page = client.get("/search", params={"q": "solar", "category": "city"}).text
    assert "Solar roofs" in page and "Solar farms" not in page
    partial = client.get("/search", params={"q": "wind"}, headers={"HX-Request": "true"}).text
    assert "<html" not in partial and "Wind" in partial


def test_watchlist_and_trend_edits(client, app_ws):
    login(client)
    h = {"X-CSRF-Token": csrf_of(client)}
    r = client.post("/api/watchlist", json={"kind": "query", "value": "sodium battery"}, headers=h)
    assert r.status_code == 201
    again = client.post(
        "/api/watchlist", json={"kind": "query", "value": "sodium battery"}, headers=h
    )
    assert again.json()["id"] == r.json()["id"]
    assert [w["value"] for w in client.get("/api/watchlist").json()] == ["sodium battery"]
    assert "sodium battery" in client.get("/watchlist").text
    r = client.put("/api/trends/t1", json={"label": "Home batteries"}, headers=h)
    assert r.status_code == 200
    r = client.put("/api/trends/t1", json={"merged_into": "t2"}, headers=h)
    assert r.json() == {"trend": "t1", "label": "Home batteries", "merged_into": "t2"}
    assert client.put("/api/trends/t3", json={"merged_into": "t3"}, headers=h).status_code == 400
    ranking = app_ws.curation().for_ranking()
    assert ranking["trend_edits"]["t1"]["merged_into"] == "t2"
    item = client.get("/api/watchlist").json()[0]["id"]
    assert client.delete(f"/api/watchlist/{item}", headers=h).status_code == 204
    assert client.get("/api/watchlist").json() == []


def test_add_source_refuses_private_addresses_and_files(client, app_ws):
    login(client)
    h = {"X-CSRF-Token": csrf_of(client)}
    for location in [
        "http://127.0.0.1:9/feed.xml",
        "http://10.0.0.1/",
        "http://[::1]/x",
        "http://169.254.169.254/latest/meta-data/",
    ]:
        r = client.post("/api/sources", json={"location": location}, headers=h)
        assert r.status_code == 400 and "refused" in r.json()["detail"], location
    r = client.post("/api/sources", json={"location": "/etc/passwd"}, headers=h)
    assert r.status_code == 400 and "http" in r.json()["detail"]
    r = client.post("/sources", data={"location": "file:///etc/passwd", "csrf": csrf_of(client)})
    assert r.status_code == 400
    assert app_ws.sources.list() == []


def test_no_secret_is_served(client, app_ws):
    add_card(app_ws, 1)
    login(client)
    with app_ws.store.engine.connect() as conn:
        from sqlalchemy import select

        from techwatch.store import schema as t

        hashes = [r.password_hash for r in conn.execute(select(t.web_users))]
        sessions = [r.token_hash for r in conn.execute(select(t.web_sessions))]
    assert hashes and hashes[0].startswith("$argon2")
    assert PASSWORD not in hashes[0]
    bodies = [
        client.get(p).text
        for p in ["/", "/api/status", "/api/sources", "/openapi.json", "/sources", "/api/cards"]
    ]
    for body in bodies:
        assert PASSWORD not in body and hashes[0] not in body
        assert not any(s in body for s in sessions)
        assert client.cookies.get("tw_session") not in body


def test_empty_pages_say_what_to_do(client):
    login(client)
    assert "No cards yet" in client.get("/").text
    assert "No sources yet" in client.get("/sources").text
    assert "Nothing watched yet" in client.get("/watchlist").text
    assert "No newsletter issues yet" in client.get("/issues").text
    r = client.get("/cards/nope")
    assert r.status_code == 404 and "No card has this id" in r.text


def test_openapi_documents_the_json_api(client):
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    for path in [
        "/api/cards",
        "/api/cards/{card_id}",
        "/api/search",
        "/api/sources",
        "/api/runs",
        "/api/watchlist",
        "/api/trends/{trend_id}",
        "/api/status",
    ]:
        assert path in paths, path
    assert not any(p.startswith("/login") for p in paths)


def test_logout_ends_the_session(client):
    login(client)
    token = client.cookies.get("tw_session")
    r = client.post("/logout", data={"csrf": csrf_of(client)}, follow_redirects=False)
    assert r.status_code == 303
    client.cookies.set("tw_session", token)
    r = client.get("/", follow_redirects=False)
    assert r.status_code == 303  # the old session token no longer works


def test_user_passwords_are_checked(app_ws):
    from techwatch.web.auth import AuthError

    users = app_ws.web_users()
    with pytest.raises(AuthError):
        users.set_password("bob", "short")
    with pytest.raises(AuthError):
        users.set_password("bad name!", "long enough password")
    assert users.check("alice", PASSWORD).name == "alice"
    assert users.check("nobody", PASSWORD) is None
    assert re.fullmatch(r"tw_[\w-]{40,}", users.new_token("alice"))


def test_search_by_signal_state(client, app_ws):
    a = add_card(
        app_ws,
        1,
        title="Grid batteries",
        summary="grid batteries",
        signals=[Signal(name="cheap storage")],
    )
    b = add_card(
        app_ws,
        2,
        title="Home batteries",
        summary="home batteries",
        signals=[Signal(name="home storage")],
    )
    app_ws.curation().set_signal(a, 0, "confirmed")
    login(client)
    hits = client.get("/api/search", params={"q": "batteries", "state": "confirmed"}).json()
    assert [h["card"]["id"] for h in hits] == [a]
    assert client.get("/api/search", params={"q": "batteries", "state": "dismissed"}).json() == []
    # Cached results follow the corpus: a new verdict or a new card shows at once.
    app_ws.curation().set_signal(b, 0, "dismissed")
    hits = client.get("/api/search", params={"q": "batteries", "state": "dismissed"}).json()
    assert [h["card"]["id"] for h in hits] == [b]
    c = add_card(app_ws, 3, title="Sand batteries", summary="sand batteries")
    hits = client.get("/api/search", params={"q": "batteries"}).json()
    assert c in {h["card"]["id"] for h in hits}
    assert client.get("/api/search", params={"q": "x", "since": "June"}).status_code == 400


def test_issue_pages_list_their_cards(client, app_ws):
    a = add_card(app_ws, 1, title="First of March", date="2025-03-01")
    add_card(app_ws, 2, title="Second of March", date="2025-03-01")
    add_card(app_ws, 3, title="Other issue", date="2025-04-01")
    login(client)
    listing = client.get("/issues").text
    assert "Letter 2025-03-01" in listing and "2 cards" in listing
    card_page = client.get(f"/cards/{a}").text
    issue_url = card_page.split('from <a href="')[1].split('"')[0]
    issue = client.get(issue_url).text
    assert "First of March" in issue and "Second of March" in issue
    assert "Other issue" not in issue
    assert client.get("/issues/nope").status_code == 404


def test_repeated_wrong_passwords_are_throttled(client):
    for _ in range(5):
        assert login(client, password="wrong password").status_code == 401
    r = login(client)  # even the right password waits now
    assert r.status_code == 429 and "Too many failed attempts" in r.text
    assert "tw_session" not in client.cookies
