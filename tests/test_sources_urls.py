"""URL canonicalisation, redirect unwrapping and link classification."""

from __future__ import annotations

import base64
import json

import pytest

from techwatch.sources.urls import (
    canonicalize,
    file_url,
    find_date_slug,
    is_image_or_media,
    is_social_share,
    is_tracking_redirect_host,
    same_site,
    site_of,
    unwrap_redirect,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("HTTPS://Example.COM:443", "https://example.com/"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("http://example.com:8080/a", "http://example.com:8080/a"),
        ("https://example.com/a#section", "https://example.com/a"),
        (
            "https://example.com/a?utm_source=x&b=2&utm_medium=email&a=1&fbclid=z",
            "https://example.com/a?b=2&a=1",
        ),
        (
            "https://example.com/?gclid=1&mc_cid=2&mc_eid=3&_hsenc=4&igshid=5",
            "https://example.com/",
        ),
        (
            "https://example.com/?ref=hn&vero_id=1&oly_enc_id=2&__s=3&ss_source=4",
            "https://example.com/",
        ),
        ("https://example.com/%7euser/%41%2f", "https://example.com/~user/A%2F"),
        ("https://example.com/a b/é", "https://example.com/a%20b/%C3%A9"),
        ("https://example.com/a/./b/../c", "https://example.com/a/c"),
        ("http://bücher.example/x", "http://xn--bcher-kva.example/x"),
        ("https://pub.substack.com/p/x?r=abc&triedRedirect=true", "https://pub.substack.com/p/x"),
        # `r` and `share` are only tracking on the platforms that set them
        ("https://example.com/search?r=abc&share=1", "https://example.com/search?r=abc&share=1"),
    ],
)
def test_canonicalize(raw: str, expected: str) -> None:
    assert canonicalize(raw) == expected


def test_canonicalize_is_idempotent() -> None:
    once = canonicalize("HTTP://Ex.com/a%7e?utm_x=1&q=a+b#f")
    assert canonicalize(once) == once == "http://ex.com/a~?q=a+b"


def _substack_redirect(target: str) -> str:
    token = base64.urlsafe_b64encode(json.dumps({"e": target, "p": 1}).encode()).decode()
    return f"https://substack.com/redirect/2/{token.rstrip('=')}.signature?j=abc"


@pytest.mark.parametrize(
    ("wrapped", "target"),
    [
        ("https://www.google.com/url?q=https://a.example/x&sa=D", "https://a.example/x"),
        ("https://l.facebook.com/l.php?u=https%3A%2F%2Fa.example%2Fy&h=1", "https://a.example/y"),
        ("https://out.example/go?target=https://a.example/t", "https://a.example/t"),
        ("https://out.example/r?redirect=http%3A%2F%2Fa.example%2F", "http://a.example/"),
        ("https://out.example/r?dest=https://a.example/d", "https://a.example/d"),
        (_substack_redirect("https://a.example/s"), "https://a.example/s"),
        (
            "https://tracking.tldrnewsletter.com/CL0/https:%2F%2Fa.example%2Fnews/1/0100abc",
            "https://a.example/news",
        ),
        # nested wrappers are followed
        (
            "https://www.google.com/url?q=https://l.facebook.com/l.php?u%3Dhttps://a.example/n",
            "https://a.example/n",
        ),
    ],
)
def test_unwrap_redirect(wrapped: str, target: str) -> None:
    assert unwrap_redirect(wrapped) == target


@pytest.mark.parametrize(
    "url",
    [
        "https://a.example/article?id=3",
        "https://www.bing.com/search?q=https://a.example/",  # q= is only Google's
        "https://twitter.com/intent/tweet?url=https://a.example/",  # a share link, not a redirect
        "https://out.example/r?redirect=/relative",
    ],
)
def test_unwrap_redirect_none(url: str) -> None:
    assert unwrap_redirect(url) is None


@pytest.mark.parametrize(
    "url",
    [
        "https://substack.com/redirect/0f1e2d3c-uuid?j=eyJ",
        "https://t.co/abc",
        "https://bit.ly/xyz",
        "https://lnkd.in/e1",
        "https://buff.ly/1",
        "https://ow.ly/2",
        "https://tinyurl.com/3",
        "https://click.convertkit-mail.com/abc",
        "https://pub.us1.list-manage.com/track/click?u=1&id=2&e=3",
        "https://links.pub.beehiiv.com/v1/c/abc",
        "https://mailchi.mp/abc/issue",
        "https://email.mg.example.com/c/abc",
        "https://d2v8tf04.na1.hubspotlinks.com/Ctc/abc",
        "https://feedproxy.google.com/~r/x/~3/abc/",
    ],
)
def test_tracking_redirect_hosts(url: str) -> None:
    assert is_tracking_redirect_host(url)


@pytest.mark.parametrize(
    "url",
    ["https://example.com/redirect/x", "https://pub.substack.com/p/x", "https://bitly.example/"],
)
def test_not_tracking_redirect_hosts(url: str) -> None:
    assert not is_tracking_redirect_host(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://twitter.com/intent/tweet?text=x",
        "https://x.com/intent/post?url=y",
        "https://www.facebook.com/sharer/sharer.php?u=x",
        "https://www.linkedin.com/shareArticle?mini=true&url=x",
        "https://www.reddit.com/submit?url=x",
        "https://wa.me/?text=x",
        "https://t.me/share/url?url=x",
        "mailto:?subject=x&body=y",
        "https://pinterest.com/pin/create/button/?url=x",
        "https://news.ycombinator.com/submitlink?u=x",
    ],
)
def test_social_share(url: str) -> None:
    assert is_social_share(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://twitter.com/someone/status/123",
        "https://www.reddit.com/r/python/comments/abc/title/",
        "https://www.linkedin.com/posts/someone_activity-1",
        "https://news.ycombinator.com/item?id=1",
    ],
)
def test_social_posts_are_not_share_links(url: str) -> None:
    assert not is_social_share(url)


@pytest.mark.parametrize(
    ("url", "media"),
    [
        ("https://example.com/a.PNG", True),
        ("https://example.com/clip.mp4?x=1", True),
        ("https://example.com/pod.mp3", True),
        ("https://substackcdn.com/image/fetch/w_1456/https%3A%2F%2Fx", True),
        ("https://example.com/article.html", False),
        ("https://example.com/png-is-a-format", False),
    ],
)
def test_image_or_media(url: str, media: bool) -> None:
    assert is_image_or_media(url) is media


def test_same_site() -> None:
    assert same_site("https://www.bbc.co.uk/news", "https://bbc.co.uk/sport")
    assert not same_site("https://a.co.uk/", "https://b.co.uk/")
    assert same_site("https://kghosh.substack.com/p/1", "https://kghosh.substack.com/about")
    # two publications on one platform are two sites
    assert not same_site("https://kghosh.substack.com/p/1", "https://other.substack.com/p/1")
    assert same_site("http://127.0.0.1:8000/a", "http://127.0.0.1:9000/b")
    assert not same_site("not a url", "not a url")
    assert site_of("https://news.blog.example.com/x") == "example.com"


def test_find_date_slug() -> None:
    assert find_date_slug("/p/20230701") == "2023-07-01"
    assert find_date_slug("/2023/07/01/title") == "2023-07-01"
    assert find_date_slug("2023-07-01-issue.md") == "2023-07-01"
    assert find_date_slug("20230701-some-title") == "2023-07-01"
    assert find_date_slug("/p/20250518d") == "2025-05-18"
    assert find_date_slug("/p/20231301") == ""  # month 13
    assert find_date_slug("/p/123456789") == ""
    assert find_date_slug("/p/a-title") == ""


def test_file_url(tmp_path) -> None:
    target = tmp_path / "a b.md"
    assert file_url(target) == "file://" + str(target).replace(" ", "%20")
