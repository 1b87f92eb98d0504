"""URL lists: one URL a line, junk reported with its line number, never fatal."""

from __future__ import annotations

from techwatch.sources.urllist import looks_like_url_list, parse_url_list

URL_LIST = """\ufeff# my reading list

https://a.example/one?utm_source=x
https://b.example/two   Two: a title
foo bar
- https://c.example/three
[Four](https://d.example/four)
ftp://files.example/x
https://a.example/one
  <https://e.example/five>\t tabbed title
http://
"""


def test_parse_url_list() -> None:
    discovery = parse_url_list(URL_LIST, "reading.txt")
    got = [(link.url, link.text, link.title) for link in discovery.links]
    assert got == [
        ("https://a.example/one", "", ""),
        ("https://b.example/two", "", "Two: a title"),
        ("https://c.example/three", "", ""),
        ("https://d.example/four", "Four", ""),
        ("https://e.example/five", "", "tabbed title"),
    ]
    assert discovery.origin.kind == "urllist"
    assert discovery.origin.title == "reading.txt"
    assert discovery.skipped == [
        ("foo bar", "line 5: not a URL: 'foo bar'"),
        ("ftp://files.example/x", "line 8: not a URL: 'ftp://files.example/x'"),
        ("https://a.example/one", "line 9: duplicate of line 3"),
        ("http://", "line 11: not a URL: 'http://'"),
    ]


def test_long_junk_line_is_shortened() -> None:
    discovery = parse_url_list("x" * 500)
    assert discovery.links == []
    assert len(discovery.skipped[0][1]) < 100


def test_looks_like_url_list() -> None:
    assert looks_like_url_list(URL_LIST)
    assert not looks_like_url_list("Dear reader,\nthis week https://a.example/ was fun.\nBye\n")
    assert not looks_like_url_list("# only comments\n\n")
