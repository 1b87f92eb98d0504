"""The analyze stage: a card for every fetched article that lacks one."""

from __future__ import annotations

import time
from typing import Any

from techwatch.analyze.base import Analysis, ArticleInput
from techwatch.analyze.registry import make_analyzer
from techwatch.progress import StageReport
from techwatch.stages.context import StageContext
from techwatch.store.store import DbCache


def article_input(row: dict[str, Any]) -> ArticleInput:
    return ArticleInput(
        id=row["id"],
        text=row["text"] or "",
        title=row["title"] or "",
        url=row["url"],
        language=row["language"] or "",
        content_hash=row["content_hash"] or "",
        published=row["published"] or "",
    )


def run_analyze(
    ctx: StageContext,
    *,
    backend: str | None = None,
    retry_failed: bool = False,
    limit: int | None = None,
    replace: bool = False,
) -> StageReport:
    """Analyse articles without a card (or with a failed one, on retry); one commit each.

    With `replace`, cards made by another backend are redone with this one.
    """
    backend = backend or ctx.settings.analyze.backend
    analyzer = make_analyzer(backend, ctx.settings, DbCache(ctx.store))
    report = StageReport(stage="analyze")
    totals = report.totals
    for key in ("calls", "prompt_tokens", "completion_tokens", "cached", "dropped", "flagged"):
        totals[key] = 0
    totals["cost_usd"] = 0.0
    rows = ctx.store.articles_to_analyze(
        retry_failed=retry_failed, limit=limit, analyzer=backend if replace else None
    )
    started = time.perf_counter()
    ctx.progress.start("analyze", len(rows))
    titles = {row["id"]: row["title"] or "" for row in rows}
    for article, analysis in analyzer.analyze_many(article_input(r) for r in rows):
        _save(ctx, analyzer.name, article, analysis, titles.get(article.id, ""))
        report.counts[analysis.status] += 1
        totals["calls"] += analysis.calls
        totals["prompt_tokens"] += analysis.prompt_tokens
        totals["completion_tokens"] += analysis.completion_tokens
        totals["cost_usd"] += analysis.cost_usd
        totals["cached"] += int(analysis.cached)
        totals["dropped"] += analysis.ungrounded_dropped
        totals["flagged"] += analysis.ungrounded_flagged
        ctx.progress.advance(
            analysis.status,
            tokens=totals["prompt_tokens"] + totals["completion_tokens"],
            cost=totals["cost_usd"],
        )
    ctx.progress.finish()
    report.elapsed = time.perf_counter() - started
    return report


def _save(
    ctx: StageContext, backend: str, article: ArticleInput, analysis: Analysis, title: str
) -> None:
    card = analysis.card
    if card is not None and not card.title:
        card = card.model_copy(update={"title": title})
    provenance = {
        "analyzer": backend,
        "model": analysis.model,
        "prompt_version": analysis.prompt_version,
        "prompt_tokens": analysis.prompt_tokens,
        "completion_tokens": analysis.completion_tokens,
        "cost_usd": analysis.cost_usd,
        "calls": analysis.calls,
        "cached": analysis.cached,
        "ungrounded_dropped": analysis.ungrounded_dropped,
        "ungrounded_flagged": analysis.ungrounded_flagged,
    }
    status = analysis.status if analysis.status in ("ok", "failed") else "failed"
    ctx.store.save_card(
        article.id,
        status=status,
        reason=analysis.reason,
        card=card if status == "ok" else None,
        provenance=provenance,
    )
    if status != "ok":
        ctx.log.warning("card %s %s failed: %s", article.id, article.url, analysis.reason)
