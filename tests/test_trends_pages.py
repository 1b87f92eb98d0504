"""`techwatch pages` writes trend lists, trend pages, topics, reviews and links them."""

from __future__ import annotations

import re
from datetime import date

from techwatch.workspace import Workspace
from test_trends_corpus import seed_topics

LINK = re.compile(r"\]\(([^)\s]+\.(?:md|svg))\)")


def test_pages_include_trends_topics_and_reviews(tmp_path):
    ws = Workspace.init(tmp_path / "ws", overrides={"trends": {"similarity": 0.3}})
    try:
        seed_topics(ws.store, start=date(2024, 1, 1), months=6)
        before = ws.pages()
        assert not (before.out / "trends").exists()  # no trends computed yet: no trend pages
        ws.update_trends()
        report = ws.pages()
        out = report.out
        index = (out / "index.md").read_text()
        assert "## Trends, topics and reviews" in index
        listed = [m for m in LINK.findall(index) if "/" in m]
        assert "trends/signals.md" in listed
        assert any(x.startswith("topics/") for x in listed)
        assert any(x.startswith("reviews/year-2024") for x in listed)
        for target in listed:
            page = out / target
            assert page.is_file(), target
            # Every link of a trend, topic or review page resolves to a written file.
            for link in LINK.findall(page.read_text()):
                if link.startswith("http"):
                    continue
                assert (page.parent / link).resolve().is_file(), (target, link)
        assert (out / "trends" / "emergence-signals.svg").read_text().lstrip().startswith("<?xml")
        again = ws.pages()
        assert again.written == 0  # the same store writes the same bytes
    finally:
        ws.close()


def test_run_updates_trends_after_embedding_and_before_pages(tmp_path):
    ws = Workspace.init(tmp_path / "ws", overrides={"trends": {"similarity": 0.3}})
    try:
        seed_topics(ws.store, start=date(2024, 1, 1), months=4)
        report = ws.run()
        assert report.trends is not None
        assert [u.kind for u in report.trends] == [
            "signals",
            "technologies",
            "concerns",
            "behaviors",
            "issues",
        ]
        assert report.trends[0].trends >= 1
        assert (report.pages.out / "trends" / "signals.md").is_file()
    finally:
        ws.close()
