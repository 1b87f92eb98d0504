"""Wiring for the workspace: settings to parameters, the store's vectors to the model.

Item vectors come from `techwatch.vectors.ensure_vectors` (computed once per text and
model, kept in the store), so an incremental update embeds only the new items.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from techwatch.store.store import Store
from techwatch.trends.analysis import TrendReport, build_report
from techwatch.trends.cluster import ClusterParams
from techwatch.trends.curation import Curated
from techwatch.trends.data import TREND_KINDS, TrendItem, item_key
from techwatch.trends.emergence import EmergenceParams
from techwatch.trends.model import TrendModel, UpdateReport

_PLURAL = {
    "signal": "signals",
    "technology": "technologies",
    "concern": "concerns",
    "behavior": "behaviors",
    "issue": "issues",
}


def cluster_params(settings: Any) -> ClusterParams:
    cfg = getattr(settings, "trends", None)
    if cfg is None:
        return ClusterParams()
    return ClusterParams(
        similarity=cfg.similarity, min_size=cfg.min_size, merge_similarity=cfg.merge_similarity
    )


def emergence_params(settings: Any) -> EmergenceParams:
    cfg = getattr(settings, "trends", None)
    if cfg is None:
        return EmergenceParams()
    return EmergenceParams(
        time_weight=cfg.time_weight,
        window=cfg.window,
        burst_s=cfg.burst_s,
        burst_gamma=cfg.burst_gamma,
        decay=cfg.decay,
        decay_power=cfg.decay_power,
        low_percentile=cfg.low_percentile,
        high_percentile=cfg.high_percentile,
        min_periods=cfg.min_periods,
    )


def store_vectors(store: Store, embedder: Any):  # -> VectorFn
    """Item vectors from the store (embedding only what is missing), by item key."""
    from techwatch.vectors import ensure_vectors

    vset = ensure_vectors(store, embedder, "items")
    index: dict[str, int] = {}
    for row, (card_id, kind, name) in enumerate(
        zip(vset.card_ids, vset.kinds, vset.names, strict=True)
    ):
        index.setdefault(item_key(card_id, _PLURAL.get(kind, kind), name), row)

    def vectors(items: list[TrendItem]) -> np.ndarray:
        rows = [index.get(i.key) for i in items]
        out = np.zeros((len(items), vset.matrix.shape[1]), dtype=np.float32)
        known = [(n, r) for n, r in enumerate(rows) if r is not None]
        if known:
            out[[n for n, _ in known]] = vset.matrix[[r for _, r in known]]
        missing = [n for n, r in enumerate(rows) if r is None]
        if missing:  # an item stored after the set was read: embed it now
            out[missing] = embedder.embed([items[n].text for n in missing])
        return out

    return vectors


def make_model(store: Store, settings: Any, root: Path | None, embedder: Any = None) -> TrendModel:
    if embedder is None:
        from techwatch.embed import get_embedder

        embedder = get_embedder(settings, root)
    vectors = store_vectors(store, embedder)
    return TrendModel(embedder, cluster_params(settings), vectors=vectors)


def update_trends(
    store: Store,
    settings: Any,
    root: Path | None = None,
    *,
    kinds: tuple[str, ...] | list[str] | None = None,
    full: bool = False,
    embedder: Any = None,
) -> list[UpdateReport]:
    """Cluster new items into the trends of each kind (incremental unless `full`).

    With `[trends] llm_labels` and an LLM configured, the model names the trends it
    relabels; otherwise (or when its reply is not a name) c-TF-IDF does.
    """
    model = make_model(store, settings, root, embedder)
    cfg = getattr(settings, "trends", None)
    if cfg is None or not getattr(cfg, "llm_labels", False):
        return [model.update(store, kind, full=full) for kind in (kinds or TREND_KINDS)]
    from techwatch.outputs.llm import chat_model
    from techwatch.trends.llm_labels import llm_labeler

    with chat_model(settings) as chat:
        model.labeler = llm_labeler(chat) if chat is not None else None
        return [model.update(store, kind, full=full) for kind in (kinds or TREND_KINDS)]


def trend_report(
    store: Store,
    settings: Any,
    kind: str = "signals",
    period: str | None = None,
    as_of: date | None = None,
    curation: Curated | None = None,
) -> TrendReport:
    cfg = getattr(settings, "trends", None)
    period = period or (cfg.period if cfg else "month")
    return build_report(store, kind, period, as_of, emergence_params(settings), curation)
