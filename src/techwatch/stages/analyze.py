"""The analyze stage: a card for every fetched article that lacks one.

A failure that is the backend's, not the article's (auth error, server down, no model
file), is never saved: the article stays pending. After `SYSTEMIC_LIMIT` of them in a row
the stage stops with one clear message (`BackendUnavailable`) instead of marking every
article failed. The analyzer is closed at the end (HTTP clients, a loaded model).
"""

from __future__ import annotations

import contextlib
import time
from typing import Any

from techwatch.analyze.base import Analysis, ArticleInput
from techwatch.analyze.llm import failure_code, is_systemic
from techwatch.analyze.registry import BackendError, make_analyzer
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


SYSTEMIC_LIMIT = 3


class BackendUnavailable(BackendError):
    """The backend failed for several articles in a row for a reason of its own."""


def run_analyze(
    ctx: StageContext,
    *,
    backend: str | None = None,
    retry_failed: bool = False,
    limit: int | None = None,
    replace: bool = False,
) -> StageReport:
    """Analyse articles without a card (or with a failed one, on retry); one commit each.

    With `replace`, cards made by another backend, or by another model or version of
    this one (an older extractive analyzer), are redone with this one.
    """
    backend = backend or ctx.settings.analyze.backend
    analyzer = make_analyzer(backend, ctx.settings, DbCache(ctx.store), log=ctx.log)
    try:
        return _run(ctx, analyzer, backend, retry_failed, limit, replace)
    finally:
        close = getattr(analyzer, "close", None)
        if close is not None:
            close()


def _run(
    ctx: StageContext,
    analyzer: Any,
    backend: str,
    retry_failed: bool,
    limit: int | None,
    replace: bool,
) -> StageReport:
    report = StageReport(stage="analyze")
    totals = report.totals
    for key in ("calls", "prompt_tokens", "completion_tokens", "cached", "dropped", "flagged"):
        totals[key] = 0
    totals["cost_usd"] = 0.0
    rows = ctx.store.articles_to_analyze(
        retry_failed=retry_failed,
        limit=limit,
        analyzer=backend if replace else None,
        model=analyzer.model if replace else None,
    )
    started = time.perf_counter()
    ctx.progress.start("analyze", len(rows))
    titles = {row["id"]: row["title"] or "" for row in rows}
    in_a_row = 0
    results = analyzer.analyze_many(article_input(r) for r in rows)
    with contextlib.closing(results):  # stopping early also stops the workers
        for article, analysis in results:
            if analysis.status != "ok" and is_systemic(analysis.reason):
                in_a_row += 1
                report.counts["pending"] += 1  # not the article's fault: left pending
                ctx.progress.advance("pending")
                ctx.log.warning("card %s left pending: %s", article.id, analysis.reason[:300])
                if in_a_row >= SYSTEMIC_LIMIT:
                    ctx.progress.finish()
                    report.elapsed = time.perf_counter() - started
                    code = failure_code(analysis.reason)
                    message = (
                        f"analyze stopped: the {backend} backend failed {in_a_row} times in a "
                        f"row ({code}); articles without a card stay pending. Last error: "
                        f"{analysis.reason[:300]}"
                    )
                    ctx.log.error(message)
                    raise BackendUnavailable(message)
                continue
            in_a_row = 0
            _record(ctx, analyzer, report, article, analysis, titles.get(article.id, ""))
    ctx.progress.finish()
    report.elapsed = time.perf_counter() - started
    return report


def _record(
    ctx: StageContext,
    analyzer: Any,
    report: StageReport,
    article: ArticleInput,
    analysis: Analysis,
    title: str,
) -> None:
    """Save one outcome and add it to the report's counts and totals."""
    _save(ctx, analyzer.name, article, analysis, title)
    totals = report.totals
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
