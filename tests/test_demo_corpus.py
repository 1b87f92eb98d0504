"""The demo corpus: the site on disk, the loopback server, and the reference cards."""

from __future__ import annotations

import http.client
import json
from collections import Counter
from email.utils import formatdate

import httpx
import pytest
import trafilatura
from pypdf import PdfReader

from techwatch.card import CATEGORIES, TYPES, Card
from techwatch.demo.articles import ARTICLES
from techwatch.demo.corpus import (
    REFERENCE_CARDS_FILE,
    DemoSite,
    load_reference_cards,
    write_demo_site,
)
from techwatch.demo.server import DemoServer

MIN_CHARS = 1500


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> DemoSite:
    return write_demo_site(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="module")
def server(site: DemoSite):
    with DemoServer(site.root) as running:
        yield running


@pytest.fixture(scope="module")
def client():
    with httpx.Client(timeout=5, trust_env=False) as c:
        yield c


def test_corpus_size_languages_and_months() -> None:
    assert len(ARTICLES) >= 32
    langs = Counter(a.lang for a in ARTICLES)
    assert langs["en"] >= 30 and len(langs) >= 3
    months = {a.published[:7] for a in ARTICLES}
    assert months == {"2026-06", "2026-07", "2026-08", "2026-09", "2026-10"}
    assert len({a.path for a in ARTICLES}) == len(ARTICLES)
    for item in ARTICLES:
        assert 1800 <= len(item.text) <= 4500, item.slug
        assert item.title and item.author and item.site and len(item.paragraphs) >= 4


def test_site_files_keep_placeholders_and_expected_covers_links(site: DemoSite) -> None:
    issue = site.file_for(site.issue_paths[0]).read_text("utf-8")
    assert "{{NEWSLETTER}}" in issue and "{{ARTICLES}}" in issue and "127.0.0.1" not in issue
    assert len(site.issue_paths) == 5
    for links in site.issue_links.values():
        assert 6 <= len(links) <= 8
        assert all(link in site.expected for link in links)
    assert set(site.expected.values()) == {
        "ok",
        "binary",
        "not_article",
        "dead",
        "too_short",
        "duplicate",
    }
    assert not site.file_for(site.dead_path).exists()
    feed_only = set(site.feed_items) - {p for ls in site.issue_links.values() for p in ls}
    assert len(site.feed_items) == 10 and len(feed_only) == 2


def test_every_article_extracts_enough_text(site: DemoSite) -> None:
    short = []
    for path, status in site.expected.items():
        if status in {"dead", "binary"} or path == site.pdf_path:
            continue
        text = trafilatura.extract(site.file_for(path).read_bytes()) or ""
        if (len(text) >= MIN_CHARS) != (status in {"ok", "duplicate"}):
            short.append((path, status, len(text)))
    assert short == []


def test_pdf_extracts_as_an_article(site: DemoSite) -> None:
    reader = PdfReader(site.file_for(site.pdf_path))
    text = "".join(page.extract_text() for page in reader.pages)
    assert len(text) >= MIN_CHARS and "clinker" in text


def test_server_substitutes_placeholders_on_both_hosts(server: DemoServer, site, client) -> None:
    issue = client.get(server.newsletter_base + site.issue_paths[0])
    assert issue.status_code == 200
    assert issue.headers["content-type"] == "text/html; charset=utf-8"
    assert "{{" not in issue.text
    assert f'href="{server.articles_base}/' in issue.text
    assert f'href="{server.newsletter_base}/archive"' in issue.text
    assert "utm_source=" in issue.text and "twitter.com/intent/tweet" in issue.text
    article = client.get(server.articles_base + site.ok_paths()[0])
    assert article.status_code == 200 and "<article" in article.text


def test_feed_opml_urllist_and_robots(server: DemoServer, site, client) -> None:
    feed = client.get(server.url + site.feed_path)
    assert feed.headers["content-type"].startswith("application/rss+xml")
    assert feed.text.count("<item>") == 10 and server.articles_base in feed.text
    opml = client.get(server.url + site.opml_path)
    assert f'xmlUrl="{server.articles_base}{site.feed_path}"' in opml.text
    urls = client.get(server.url + site.urllist_path)
    assert urls.headers["content-type"].startswith("text/plain")
    lines = [ln.strip() for ln in urls.text.splitlines()]
    assert sum(ln.startswith(server.articles_base) for ln in lines) == len(site.urllist_items)
    robots = client.get(server.url + "/robots.txt")
    assert "Allow: /" in robots.text


def test_archive_and_redirects(server: DemoServer, site, client) -> None:
    archive = client.get(server.newsletter_base + site.archive_path)
    for path in site.issue_paths:
        assert f'href="{server.newsletter_base}{path}"' in archive.text
    for token_path, target in site.redirects.items():
        response = client.get(server.newsletter_base + token_path)
        assert response.status_code == 302
        assert response.headers["location"] == server.articles_base + target
    issue = client.get(server.newsletter_base + site.issue_paths[0]).text
    assert sum(server.newsletter_base + t in issue for t in site.redirects) == 1


def test_missing_file_and_no_directory_listing(server: DemoServer, site, client) -> None:
    assert client.get(server.url + site.dead_path).status_code == 404
    assert client.get(server.url + "/gridline/").status_code == 404
    assert client.get(server.url + "/_routes.json").status_code == 404


@pytest.mark.parametrize(
    "raw_path", ["/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/gridline/..%2f..%2fetc/passwd"]
)
def test_path_traversal_refused(server: DemoServer, raw_path: str) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    conn.request("GET", raw_path)  # sent as is, not normalised by a client
    response = conn.getresponse()
    body = response.read()
    conn.close()
    assert response.status == 404 and b"root:" not in body


def test_feed_conditional_get_and_head(server: DemoServer, site, client) -> None:
    first = client.get(server.url + site.feed_path)
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    again = client.get(server.url + site.feed_path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    since = client.get(server.url + site.feed_path, headers={"If-Modified-Since": modified})
    assert since.status_code == 304
    old = formatdate(0, usegmt=True)
    stale = client.get(server.url + site.feed_path, headers={"If-Modified-Since": old})
    assert stale.status_code == 200
    head = client.head(server.url + site.feed_path)
    assert head.status_code == 200 and head.content == b""
    assert int(head.headers["content-length"]) == len(first.content)


def test_windows_1252_page_is_served_and_decodes(server: DemoServer, site, client) -> None:
    response = client.get(server.url + site.windows1252_path)
    assert response.headers["content-type"] == "text/html; charset=windows-1252"
    with pytest.raises(UnicodeDecodeError):
        response.content.decode("utf-8")
    text = response.text  # httpx decodes with the declared charset
    assert "l’épreuve du télétravail" in text and "Besançon" in text
    assert "{{" not in text


def test_bad_items_are_served_as_such(server: DemoServer, site, client) -> None:
    binary = client.get(server.url + site.binary_path)
    assert binary.headers["content-type"].startswith("text/html")
    assert binary.content.startswith(b"\x89PNG\r\n\x1a\n")
    pdf = client.get(server.url + site.pdf_path)
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")


def test_server_binds_loopback_only(site: DemoSite) -> None:
    with pytest.raises(ValueError):
        DemoServer(site.root, host="0.0.0.0")
    with DemoServer(site.root) as running:
        assert running._httpd is not None
        assert running._httpd.server_address[0] == "127.0.0.1"


def test_reference_cards_validate(site: DemoSite) -> None:
    data = json.loads(REFERENCE_CARDS_FILE.read_text("utf-8"))
    assert len(data) >= 12 and load_reference_cards().keys() == data.keys()
    for path, raw in data.items():
        assert site.expected.get(path) == "ok", path
        card = Card.model_validate(raw)
        assert card.category in CATEGORIES and card.type in TYPES
        assert 6 <= len(card.keywords) <= 10, path
        assert 2 <= len(card.signals) <= 4, path
        for kind in ("concerns", "behaviors", "issues"):
            assert 2 <= len(getattr(card, kind)) <= 4, (path, kind)
        assert card.technologies, path
        for item in (i for items in card.items().values() for i in items):
            assert item.evidence == "" and item.relevancy is not None
        assert len(card.summary.split()) <= 150


# -- the articles are data shipped with the package ------------------------------------------


def test_demo_articles_are_data_files_declared_as_package_data() -> None:
    """Every data file is matched by a package-data glob of pyproject.toml (else a wheel
    would ship a demo without articles), and no article is left in Python modules."""
    import tomllib
    from pathlib import Path, PurePosixPath

    import techwatch

    package = Path(techwatch.__file__).parent
    data = sorted((package / "demo" / "data").rglob("*.md"))
    assert len(data) == len(ARTICLES) + 1  # the articles and the short note
    pyproject = tomllib.loads((package.parents[1] / "pyproject.toml").read_text("utf-8"))
    globs = pyproject["tool"]["setuptools"]["package-data"]["techwatch"]
    for path in data:
        relative = PurePosixPath(path.relative_to(package).as_posix())
        assert any(relative.match(g) and len(relative.parts) == len(g.split("/")) for g in globs), (
            relative
        )
    assert not list((package / "demo").glob("articles_*.py"))


def test_demo_article_files_round_trip(tmp_path) -> None:
    from techwatch.demo.articles import load_article

    page = tmp_path / "x.md"
    page.write_text(
        '+++\nslug = "x"\ntitle = "T"\nauthor = "A"\nsite = "s"\nsite_name = "S"\n'
        'published = "2026-01-02"\ntags = ["a", "b"]\n+++\n\nOne\nwrapped line.\n\nTwo.\n',
        encoding="utf-8",
    )
    item = load_article(page)
    assert item.paragraphs == ("One wrapped line.", "Two.") and item.tags == ("a", "b")
    assert item.path == "/s/2026/01/x.html" and item.lang == "en"
