"""Synthetic cards in a real store, shared by the trends, topic and review tests."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

from techwatch.card import Card, Item, Signal
from techwatch.store.db import sqlite_url
from techwatch.store.store import NewArticle, Store

# Three subjects, each said in several ways, so an embedder can tell them apart.
TOPICS: dict[str, list[str]] = {
    "battery": [
        "Sodium battery storage for the grid",
        "Grid storage with sodium batteries",
        "Sodium-ion battery packs for grid storage",
        "Cheap sodium batteries store grid power",
        "Sodium battery plants for grid storage",
        "Grid-scale sodium battery storage",
    ],
    "quantum": [
        "Quantum error correction for qubits",
        "Error-corrected quantum qubits",
        "Qubits with quantum error correction",
        "Logical qubits from quantum error correction",
        "Quantum computers correct qubit errors",
        "Quantum qubit error correction codes",
    ],
    "farming": [
        "Vertical farming in urban towers",
        "Urban vertical farms grow greens",
        "Vertical farm towers in cities",
        "Indoor vertical farming for urban food",
        "Urban farming goes vertical",
        "City vertical farming towers",
    ],
}


def make_store(tmp_path, name: str = "s.sqlite") -> Store:
    return Store(sqlite_url(tmp_path / name))


def add_card(
    store: Store,
    seed: str,
    day: date | None,
    *,
    title: str = "",
    signals: list[str] = (),
    technologies: list[str] = (),
    concerns: list[str] = (),
    behaviors: list[str] = (),
    issues: list[str] = (),
    keywords: list[str] = (),
    summary: str = "",
) -> str:
    """One ok card dated `day` (its newsletter issue date); returns the article id."""
    url = f"https://news.example/{hashlib.md5(seed.encode()).hexdigest()[:12]}"
    article_id, _ = store.discover(
        NewArticle(url=url, origin_date=day.isoformat() if day else "", title=title or seed)
    )
    card = Card(
        title=title or seed,
        summary=summary or f"{title or seed}. This article reports it in detail.",
        keywords=list(keywords),
        category="technology",
        type="news",
        signals=[
            Signal(
                name=s,
                description=f"{s}, seen in {seed}.",
                change=f"from old ways to {s.lower()}",
                ten_year=f"{s} everywhere",
                driving_force="cost",
                relevancy=4,
            )
            for s in signals
        ],
        technologies=[Item(name=x, description=f"{x} in {seed}.") for x in technologies],
        concerns=[Item(name=x, description=f"{x}.") for x in concerns],
        behaviors=[Item(name=x, description=f"{x}.") for x in behaviors],
        issues=[Item(name=x, description=f"{x}.") for x in issues],
    )
    store.save_card(article_id, status="ok", card=card, provenance={"analyzer": "test"})
    return article_id


def month(start: date, n: int) -> date:
    """The 10th of the n-th month after `start`."""
    m = start.month - 1 + n
    return date(start.year + m // 12, m % 12 + 1, 10)


def seed_topics(store: Store, start: date = date(2024, 1, 1), months: int = 6) -> list[str]:
    """Each topic gets one card a month with two of its phrasings as signals."""
    ids = []
    for n in range(months):
        for topic, phrases in TOPICS.items():
            a, b = phrases[n % len(phrases)], phrases[(n + 3) % len(phrases)]
            ids.append(
                add_card(
                    store,
                    f"{topic}-{n}",
                    month(start, n) + timedelta(days=list(TOPICS).index(topic)),
                    title=f"{topic.title()} news {n}",
                    signals=[a, b],
                    technologies=[f"{topic} technology"],
                    keywords=[topic, "innovation"],
                )
            )
    return ids


def test_the_helper_stores_dated_cards(tmp_path):
    store = make_store(tmp_path)
    ids = seed_topics(store, months=2)
    assert len(ids) == 6 and len(store.list_cards()) == 6
