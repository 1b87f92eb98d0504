"""RSS/Atom feeds and OPML lists, parsed from bytes."""

from __future__ import annotations

import pytest

from techwatch.sources.feeds import FeedError, parse_feed, parse_opml

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
<title>Lab   Notes</title><link>https://lab.example/</link>
<item><title>Solid-state batteries</title>
  <link>https://lab.example/2024/batteries?utm_source=rss</link>
  <pubDate>Sat, 02 Mar 2024 23:30:00 -0800</pubDate><dc:creator>Ada</dc:creator></item>
<item><title>Relative link</title><link>/posts/relative</link>
  <pubDate>Mon, 04 Mar 2024 10:00:00 GMT</pubDate></item>
<item><title>Only a guid</title><guid isPermaLink="true">https://lab.example/guid-only</guid></item>
<item><title>No link at all</title><description>text</description></item>
<item><title>Dup</title><link>https://lab.example/2024/batteries</link></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom Weekly</title>
<id>urn:uuid:1</id><updated>2024-05-01T00:00:00Z</updated>
<entry><title>Edge AI</title><id>urn:uuid:2</id>
  <link rel="alternate" href="https://atom.example/edge-ai"/>
  <link rel="enclosure" href="https://atom.example/edge-ai.mp3"/>
  <published>2024-04-30T22:00:00-05:00</published><author><name>Bo</name></author></entry>
<entry><title>Updated only</title><id>https://atom.example/updated</id>
  <updated>2024-04-28T09:00:00Z</updated></entry>
</feed>"""


def test_rss_feed() -> None:
    discovery = parse_feed(RSS, "https://lab.example/feed.xml")
    assert discovery.origin.kind == "feed"
    assert discovery.origin.title == "Lab Notes"
    got = [(link.url, link.published, link.title, link.author) for link in discovery.links]
    assert got == [
        ("https://lab.example/2024/batteries", "2024-03-02", "Solid-state batteries", "Ada"),
        ("https://lab.example/posts/relative", "2024-03-04", "Relative link", ""),
        ("https://lab.example/guid-only", "", "Only a guid", ""),
    ]
    reasons = dict(discovery.skipped)
    assert reasons["No link at all"] == "entry without a link"
    assert reasons["https://lab.example/2024/batteries"] == "duplicate"


def test_atom_feed() -> None:
    discovery = parse_feed(ATOM, "https://atom.example/atom.xml")
    got = [(link.url, link.published, link.author) for link in discovery.links]
    assert got == [
        ("https://atom.example/edge-ai", "2024-04-30", "Bo"),
        ("https://atom.example/updated", "2024-04-28", ""),
    ]
    assert discovery.origin.title == "Atom Weekly"


def test_broken_feed_with_entries_is_used() -> None:
    broken = RSS.replace(b"</channel></rss>", b"<item><title>cut & off</title>")
    discovery = parse_feed(broken, "https://lab.example/feed.xml")
    assert len(discovery.links) == 3
    assert any(reason.startswith("feed not well-formed") for _, reason in discovery.skipped)


def test_broken_feed_without_entries_raises() -> None:
    with pytest.raises(FeedError, match="not well-formed"):
        parse_feed(b"<rss><channel><title>x & y</tit", "https://x.example/feed")
    with pytest.raises(FeedError):
        parse_feed(b"<html><body>hello</body></html>", "https://x.example/")


def test_empty_valid_feed() -> None:
    empty = b'<?xml version="1.0"?><rss version="2.0"><channel><title>E</title></channel></rss>'
    assert parse_feed(empty, "https://x.example/feed").links == []


OPML = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>My feeds</title></head><body>
<outline text="Tech">
  <outline text="Lab Notes" title="Lab Notes" type="rss" xmlUrl="https://lab.example/feed.xml?utm_source=opml"/>
  <outline text="Deeper"><outline text="Atom   Weekly" type="rss" xmlUrl="https://atom.example/atom.xml"/></outline>
</outline>
<outline text="Dup" xmlurl="https://lab.example/feed.xml"/>
<outline text="No feed" htmlUrl="https://site.example/"/>
<outline text="Bad scheme" xmlUrl="file:///etc/passwd"/>
</body></opml>"""


def test_opml_nested_outlines() -> None:
    assert parse_opml(OPML) == [
        ("https://lab.example/feed.xml", "Lab Notes"),
        ("https://atom.example/atom.xml", "Atom Weekly"),
    ]


@pytest.mark.parametrize(
    "content",
    [
        b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<opml><body><outline text="&x;" xmlUrl="https://a.example/f"/></body></opml>',
        b"<opml><body><outline",
        b"<rss><channel/></rss>",
    ],
)
def test_opml_refused(content: bytes) -> None:
    with pytest.raises(FeedError):
        parse_opml(content)
