"""The demo corpus (34 short articles, extractive cards) forms trends with the default embedder.

A regression test: with as many TF-IDF SVD components as texts, the default embedder put
short same-subject items at cosine ~0.1 and the demo showed no trend at all. The demo's
articles carry hand-set tags; a trend is coherent when every member comes from articles
that share one of them.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import combinations

import pytest

from techwatch.analyze.base import ArticleInput
from techwatch.analyze.extractive import ExtractiveAnalyzer
from techwatch.config import Settings
from techwatch.demo.articles import ARTICLES
from techwatch.store.db import sqlite_url
from techwatch.store.store import NewArticle, Store
from techwatch.trends.data import load_items
from techwatch.trends.repo import load_state
from techwatch.trends.service import update_trends

MAIN_KINDS = ("signals", "technologies", "concerns", "issues")


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory) -> Iterator[tuple[Store, dict[str, set[str]]]]:
    """The packaged demo articles analysed by the extractive analyzer, in a real store."""
    root = tmp_path_factory.mktemp("trends-demo")
    store = Store(sqlite_url(root / "demo.sqlite"))
    analyzer = ExtractiveAnalyzer()
    tags: dict[str, set[str]] = {}
    for article in ARTICLES:
        article_id, _ = store.discover(
            NewArticle(
                url=f"https://demo.example{article.path}",
                origin_date=article.published,
                title=article.title,
                published=article.published,
            )
        )
        result = analyzer.analyze(
            ArticleInput(
                id=article_id,
                text=article.text,
                title=article.title,
                language=article.lang,
                published=article.published,
            )
        )
        assert result.status == "ok", (article.slug, result.reason)
        store.save_card(
            article_id, status="ok", card=result.card, provenance={"analyzer": "extractive"}
        )
        tags[article_id] = {tag.casefold() for tag in article.tags}
    update_trends(store, Settings(), root)
    yield store, tags
    store.engine.dispose()


def _trends(store: Store, kind: str) -> dict[str, list[str]]:
    """Active trend id -> the article ids of its members."""
    state = load_state(store, kind)
    articles = {item.key: item.article_id for item in load_items(store, kind)}
    return {
        tid: [articles[key] for key in state.members_of(tid)]
        for tid, trend in state.trends.items()
        if trend.status == "active"
    }


def _coherent(members: list[str], tags: dict[str, set[str]]) -> bool:
    """Several articles, and every pair of them shares a subject tag."""
    distinct = sorted(set(members))
    return len(distinct) >= 2 and all(tags[a] & tags[b] for a, b in combinations(distinct, 2))


@pytest.mark.parametrize("kind", MAIN_KINDS)
def test_each_main_kind_has_a_trend_on_a_shared_subject(demo_store, kind) -> None:
    store, tags = demo_store
    trends = _trends(store, kind)
    assert trends, f"the demo corpus forms no {kind} trend"
    coherent = [tid for tid, members in trends.items() if _coherent(members, tags)]
    assert coherent, f"no {kind} trend whose articles share a subject: {trends}"
    state = load_state(store, kind)
    for tid in coherent:
        assert state.trends[tid].label and state.trends[tid].terms


def test_demo_items_are_embedded_with_fewer_components_than_texts(demo_store) -> None:
    store, _ = demo_store
    from techwatch.embed import get_embedder
    from techwatch.embed.tfidf import MIN_SVD_DIM, TEXTS_PER_COMPONENT
    from techwatch.vectors import corpus_texts

    embedder = get_embedder(Settings(), None)
    embedder.fit(corpus_texts(store))
    texts = len(set(corpus_texts(store)))
    assert MIN_SVD_DIM <= embedder.dim <= texts // TEXTS_PER_COMPONENT < 256
