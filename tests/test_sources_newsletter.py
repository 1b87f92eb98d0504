"""Newsletter issues (HTML and markdown) to their outbound article links."""

from __future__ import annotations

from techwatch.sources.newsletter import parse_issue

ISSUE_URL = "https://weekly.substack.com/p/20230701"

SUBSTACK_ISSUE = """<!DOCTYPE html>
<html><head>
<meta charset="utf-8">
<title>Issue 42 | Weekly</title>
<meta property="og:title" content="Issue 42: chips and cities">
<meta property="article:published_time" content="2023-06-30T07:00:00+00:00">
<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2023-06-29"}</script>
</head><body>
<nav class="navbar">
  <a href="/">Weekly</a> <a href="/archive">Archive</a> <a href="/about">About</a>
  <a href="https://outside.example/nav-only">Sponsor</a>
</nav>
<article class="newsletter-post post">
  <header class="post-header">
    <h1 class="post-title">Issue 42</h1>
    <a href="https://substack.com/@weekly">Ann Author</a>
    <time datetime="2023-07-02T08:00:00.000Z">Jul 2</time>
  </header>
  <div class="available-content"><div class="body markup">
    <p>First, <a href="https://www.tomshardware.com/news/gpus?utm_source=substack&utm_medium=email">GPUs
       sell out</a>.</p>
    <p>Then <a href="https://substack.com/redirect/5b8e0c7e-1a2b?j=eyJ1">a tracked link</a>.</p>
    <p>A <a href="https://www.google.com/url?q=https://city.example/plan&sa=D">wrapped link</a>.</p>
    <p>Again <a href="https://www.tomshardware.com/news/gpus#comments">the same GPUs</a>.</p>
    <p>A tweet: <a href="https://twitter.com/someone/status/1234">this post</a>.</p>
    <p>Another newsletter: <a href="https://other.substack.com/p/deep-dive">deep dive</a>.</p>
    <p>Our <a href="https://weekly.substack.com/p/20230624">last issue</a>.</p>
    <figure><a href="https://substackcdn.com/image/fetch/x.png"><img src="x.png"></a></figure>
    <p><a href="https://example.org/photo.JPG">photo</a> <a href="mailto:me@example.org">mail</a>
       <a href="javascript:alert(1)">js</a> <a href="#fn1">1</a> <a href="tel:+331">call</a></p>
    <p><a href="https://twitter.com/intent/tweet?url=https://weekly.substack.com/p/20230701">Tweet</a>
       <a href="https://weekly.substack.com/subscribe?utm_source=post">Subscribe now</a>
       <a href="https://weekly.substack.com/p/20230701/comments">Leave a comment</a>
       <a href="https://news.example/story?id=7">Share</a></p>
    <p><a href="/p/relative-issue">relative same-site link</a>
       <a href="https://research.example.edu/paper.pdf">a paper</a></p>
  </div></div>
  <div class="post-footer"><a href="https://outside.example/footer-link">footer</a></div>
</article>
<div class="comments-section"><a href="https://outside.example/commenter">c</a></div>
<footer><a href="https://weekly.substack.com/action/disable_email">Unsubscribe</a></footer>
</body></html>
"""


def _urls(discovery):
    return [link.url for link in discovery.links]


def test_substack_issue_links() -> None:
    discovery = parse_issue(SUBSTACK_ISSUE, ISSUE_URL)
    assert _urls(discovery) == [
        "https://www.tomshardware.com/news/gpus",
        "https://substack.com/redirect/5b8e0c7e-1a2b?j=eyJ1",
        "https://city.example/plan",
        "https://twitter.com/someone/status/1234",
        "https://other.substack.com/p/deep-dive",
        "https://research.example.edu/paper.pdf",
    ]
    assert discovery.links[0].text == "GPUs sell out"
    assert discovery.next_pages == []


def test_substack_issue_skips_with_reasons() -> None:
    reasons = dict(parse_issue(SUBSTACK_ISSUE, ISSUE_URL).skipped)
    assert reasons["https://outside.example/nav-only"] == "outside post body"
    assert reasons["https://outside.example/footer-link"] == "outside post body"
    assert reasons["https://outside.example/commenter"] == "outside post body"
    assert reasons["https://www.tomshardware.com/news/gpus#comments"] == "duplicate"
    assert reasons["https://weekly.substack.com/p/20230624"] == "same site"
    assert reasons["https://weekly.substack.com/p/relative-issue"] == "same site"
    assert reasons["https://substackcdn.com/image/fetch/x.png"] == "substack cdn"
    assert reasons["https://example.org/photo.JPG"] == "image or media"
    assert reasons["mailto:me@example.org"] == "social share"
    assert reasons["javascript:alert(1)"] == "javascript: link"
    assert reasons["tel:+331"] == "tel: link"
    assert reasons["#fn1"] == "anchor"
    assert reasons["https://news.example/story?id=7"] == "newsletter chrome"
    assert reasons["https://weekly.substack.com/subscribe?utm_source=post"] == "newsletter chrome"
    assert (
        reasons["https://twitter.com/intent/tweet?url=https://weekly.substack.com/p/20230701"]
        == "social share"
    )


def test_issue_origin_date_and_title() -> None:
    origin = parse_issue(SUBSTACK_ISSUE, ISSUE_URL).origin
    assert (origin.kind, origin.url, origin.title) == (
        "newsletter",
        ISSUE_URL,
        "Issue 42: chips and cities",
    )
    assert (origin.date, origin.date_from) == ("2023-07-01", "url slug")


def test_issue_date_from_time_tag_then_metadata() -> None:
    origin = parse_issue(SUBSTACK_ISSUE, "https://weekly.substack.com/p/chips").origin
    assert (origin.date, origin.date_from) == ("2023-07-02", "time tag")
    no_time = SUBSTACK_ISSUE.replace('<time datetime="2023-07-02T08:00:00.000Z">Jul 2</time>', "")
    origin = parse_issue(no_time, "https://weekly.substack.com/p/chips").origin
    assert (origin.date, origin.date_from) == ("2023-06-30", "page metadata")
    no_meta = no_time.replace('property="article:published_time"', 'property="x"')
    origin = parse_issue(no_meta, "https://weekly.substack.com/p/chips").origin
    assert (origin.date, origin.date_from) == ("2023-06-29", "page metadata")
    origin = parse_issue(no_meta, "file:///tmp/x.html", filename="20250518d-issue.html").origin
    assert (origin.date, origin.date_from) == ("2025-05-18", "file name")


def test_fallback_without_post_container() -> None:
    page = b"""<html><head><title>Plain issue</title></head><body>
    <header><a href="https://ads.example/top">top</a></header>
    <div><a href="https://a.example/one">one</a> <a href="https://b.example/two?fbclid=x">two</a></div>
    <aside><a href="https://ads.example/side">side</a></aside>
    <footer><a href="https://a.example/manage-preferences">Manage preferences</a></footer>
    </body></html>"""
    discovery = parse_issue(page, "https://plain.example/2024/01/05/issue-3")
    assert _urls(discovery) == ["https://a.example/one", "https://b.example/two"]
    assert discovery.origin.title == "Plain issue"
    assert discovery.origin.date == "2024-01-05"


def test_bytes_with_declared_charset() -> None:
    page = (
        '<html><head><meta charset="iso-8859-1"></head><body><article>'
        '<a href="https://a.example/x">caf\xe9</a></article></body></html>'
    ).encode("latin-1")
    assert parse_issue(page, "https://n.example/i").links[0].text == "café"


def test_utf8_bytes_under_a_lying_latin1_declaration() -> None:
    """The declaration says iso-8859-1, the bytes are UTF-8: the one shared decoder trusts
    valid UTF-8 (the newsletter's own decoder used to produce "cafÃ© Ã  Lyon")."""
    page = (
        '<html><head><meta charset="iso-8859-1"></head><body><article>'
        '<a href="https://a.example/x">café à Lyon</a></article></body></html>'
    ).encode()
    assert parse_issue(page, "https://n.example/i").links[0].text == "café à Lyon"


def test_markdown_bytes_in_cp1252() -> None:
    text = "# Lettre\n\n- [Les réseaux de chaleur](https://a.example/reseaux) sont là.\n"
    discovery = parse_issue(text.encode("cp1252"), "file:///data/lettre.md")
    assert [link.text for link in discovery.links] == ["Les réseaux de chaleur"]


MARKDOWN_ISSUE = """---
title: Weekly 12
date: 2024-03-08
---
# Weekly 12

- [Quantum **chips**](https://q.example/chips?utm_campaign=x) are coming.
- See https://bare.example/article, and <https://angle.example/a>.
- ![diagram](https://img.example/d.png)
- [Share](https://twitter.com/intent/tweet?url=x) [again](https://q.example/chips)
- [ref link][r1]

[r1]: https://ref.example/r "A title"
"""


def test_markdown_issue() -> None:
    discovery = parse_issue(MARKDOWN_ISSUE, "file:///data/weekly-12.md")
    assert _urls(discovery) == [
        "https://q.example/chips",
        "https://bare.example/article",
        "https://angle.example/a",
        "https://ref.example/r",
    ]
    assert discovery.links[0].text == "Quantum chips"
    assert (discovery.origin.title, discovery.origin.date) == ("Weekly 12", "2024-03-08")
    assert discovery.origin.date_from == "page metadata"
    reasons = dict(discovery.skipped)
    assert reasons["https://img.example/d.png"] == "image or media"
    assert reasons["https://twitter.com/intent/tweet?url=x"] == "social share"
    assert reasons["https://q.example/chips"] == "duplicate"


def test_markdown_file_name_date_wins_over_front_matter() -> None:
    discovery = parse_issue(MARKDOWN_ISSUE, "file:///data/2024-03-01-weekly.md")
    assert (discovery.origin.date, discovery.origin.date_from) == ("2024-03-01", "file name")


def test_hostile_content_does_not_break_parsing() -> None:
    hostile = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        b'<html><body><article><a href="https://a.example/&e;">x</a>'
        b'<a href="http://[::1">bad</a><a href="data:text/html,hi">d</a></article></body></html>'
    )
    discovery = parse_issue(hostile, "https://n.example/i")
    assert all("root:" not in link.url for link in discovery.links)
    assert dict(discovery.skipped)["data:text/html,hi"] == "data: link"
    assert parse_issue(b"", "https://n.example/i").links == []
