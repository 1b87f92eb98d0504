"""Cards for the web tests: ordinary ones, and hostile ones whose every string attacks HTML."""

from __future__ import annotations

from techwatch.card import Card, Item, Signal
from techwatch.store.store import NewArticle

HOSTILE_TITLE = '<script>alert("title")</script> Batteries & "quotes"'
HOSTILE_SUMMARY = (
    "Sodium batteries <img src=x onerror=alert(1)> grow. "
    "[click me](javascript:alert('md')) and [ok link](https://example.org/a_(b)) "
    "<b>raw html</b>"
)
HOSTILE_URL = "javascript:alert('url')"


def add_card(
    ws,
    n: int,
    *,
    title: str = "",
    summary: str = "",
    keywords: list[str] | None = None,
    themes: list[str] | None = None,
    category: str = "technology",
    type_: str = "news",
    url: str = "",
    text: str = "",
    date: str = "",
    signals: list[Signal] | None = None,
    source_id: int | None = None,
) -> str:
    """Store one article with text and an ok card; returns the article (card) id."""
    url = url or f"https://news.example.org/{n}"
    day = date or f"2025-{1 + n % 12:02d}-{1 + n % 28:02d}"
    article_id, _ = ws.store.discover(
        NewArticle(
            url=url,
            source_id=source_id,
            origin_kind="issue",
            origin_url=f"https://letter.example.org/{day}",
            origin_title=f"Letter {day}",
            origin_date=day,
            title=title or f"Article {n}",
        )
    )
    ws.store.save_article(article_id, status="ok", text=text, text_chars=len(text))
    card = Card(
        title=title or f"Article {n} about topic {n % 5}",
        summary=summary or f"Summary of article {n}, on topic {n % 5}.",
        keywords=keywords if keywords is not None else [f"topic {n % 5}", f"kw{n % 7}"],
        themes=themes if themes is not None else [f"theme {n % 3}"],
        category=category,
        type=type_,
        signals=signals or [],
    )
    ws.store.save_card(article_id, status="ok", card=card, provenance={"analyzer": "test"})
    return article_id


def add_hostile(ws) -> str:
    text = (
        "Intro paragraph about grids.\n\n"
        "Sodium-ion cells now cost less than lithium ones in pilot plants. More text.\n\n"
        "<script>alert('article text')</script> closing words."
    )
    return add_card(
        ws,
        999,
        title=HOSTILE_TITLE,
        summary=HOSTILE_SUMMARY,
        keywords=["<b>bold kw</b>", "batteries"],
        themes=["energy </title><script>x</script>"],
        url=HOSTILE_URL,
        text=text,
        signals=[
            Signal(
                name="<svg onload=alert(2)>cheap sodium",
                description="[x](javascript:alert(3)) <iframe src=//evil>",
                evidence="Sodium-ion cells now cost less than lithium ones",
                change="from <i>lithium</i>",
                relevancy=4,
            )
        ],
    )


def assert_no_live_script(html: str) -> None:
    """No attacker markup survived: the hostile strings are present only as escaped text."""
    lowered = html.lower()
    for bad in (
        "<script>alert",
        "<img src=x",
        "<svg onload",
        "<iframe",
        'href="javascript:',
        "href='javascript:",
        "<b>raw html</b>",
        "</title><script>",
    ):
        assert bad not in lowered, bad


__all__ = ["Item", "add_card", "add_hostile", "assert_no_live_script", "HOSTILE_TITLE"]
