"""`TrendModel`: embed, cluster, represent, behind one object, with stable trend ids.

- A first run (or `full=True`) clusters every item. Later runs are incremental: a new
  item joins the nearest trend when its cosine to the centroid reaches `similarity`;
  only the residue (items in no trend) is clustered again, and groups of `min_size`
  become new trends.
- Ids come from content: a hash of the founding members' keys. The same data gives the
  same ids on a rerun and in a fresh store.
- A full recluster keeps ids by member overlap (a cluster keeps the id of the old trend
  it shares most members with, when that trend shares most with it too). What does not
  match is recorded in `trend_history` as a split, a merge or a dissolution. Trend
  centroids that come within `merge_similarity` are merged, also recorded.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from techwatch.store.store import Store
from techwatch.trends.cluster import ClusterParams, cluster_vectors
from techwatch.trends.data import TREND_KINDS, TrendItem, load_items, no_gc
from techwatch.trends.repo import StoredTrend, TrendState, load_state, save_state
from techwatch.trends.represent import ctfidf_terms, pick_label

RELABEL_GROWTH = 1.1  # an incremental update relabels a trend once it grew by 10 %
LABEL_ITEMS = 200  # member texts per trend read for its terms (the first by key)
BACKGROUND = 200  # trends that stand in for the corpus when only a few are relabelled
VectorFn = Callable[[list[TrendItem]], np.ndarray]
Labeler = Callable[[list[str], list[str]], str | None]  # (member names, terms) -> label
_PREFIX = {
    "signals": "sig",
    "technologies": "tec",
    "concerns": "con",
    "behaviors": "beh",
    "issues": "iss",
}


def trend_id(kind: str, keys: list[str]) -> str:
    """A stable id from the founding members: same members, same id, in any store."""
    digest = hashlib.sha1(("\n".join([kind, *sorted(keys)])).encode()).hexdigest()[:10]
    return f"{_PREFIX.get(kind, kind[:3])}-{digest}"


@dataclass
class UpdateReport:
    kind: str
    mode: str = "incremental"
    items: int = 0
    new_items: int = 0
    removed_items: int = 0
    joined: int = 0
    created: list[str] = field(default_factory=list)
    merged: list[tuple[str, str]] = field(default_factory=list)
    split: list[tuple[str, str]] = field(default_factory=list)
    dissolved: list[str] = field(default_factory=list)
    residue: int = 0
    trends: int = 0
    seconds: float = 0.0

    def counts(self) -> dict[str, int]:
        return {
            "items": self.items,
            "new_items": self.new_items,
            "removed_items": self.removed_items,
            "joined": self.joined,
            "created": len(self.created),
            "merged": len(self.merged),
            "split": len(self.split),
            "dissolved": len(self.dissolved),
            "residue": self.residue,
            "trends": self.trends,
        }


def _unit(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=-1, keepdims=True)
    return matrix / np.maximum(norms, 1e-12)


class TrendModel:
    """The trend pipeline for one store. Swap a step by passing another embedder,
    other cluster parameters, another vector source or a labeler (e.g. an LLM)."""

    def __init__(
        self,
        embedder: object,
        params: ClusterParams | None = None,
        *,
        vectors: VectorFn | None = None,
        labeler: Labeler | None = None,
    ) -> None:
        self.embedder = embedder
        self.params = params or ClusterParams()
        self.labeler = labeler
        self._vectors = vectors
        self._cache: dict[str, np.ndarray] = {}
        self.model_id = str(
            getattr(embedder, "model_id", None) or getattr(embedder, "name", "embedder")
        )

    # -- the embed step -------------------------------------------------------------------

    def vectors(self, items: list[TrendItem]) -> np.ndarray:
        if self._vectors is not None:
            return np.asarray(self._vectors(items), dtype=np.float32)
        missing = [i for i in items if i.key not in self._cache]
        if missing:
            matrix = self.embedder.embed([i.text for i in missing])  # type: ignore[attr-defined]
            for item, row in zip(missing, matrix, strict=True):
                self._cache[item.key] = np.asarray(row, dtype=np.float32)
        dim = int(getattr(self.embedder, "dim", 0) or 0)
        if not items:
            return np.zeros((0, dim), dtype=np.float32)
        return np.stack([self._cache[i.key] for i in items])

    # -- update ---------------------------------------------------------------------------

    def update_all(self, store: Store, *, full: bool = False) -> list[UpdateReport]:
        return [self.update(store, kind, full=full) for kind in TREND_KINDS]

    def update(
        self,
        store: Store,
        kind: str,
        items: list[TrendItem] | None = None,
        *,
        full: bool = False,
    ) -> UpdateReport:
        """Bring one kind's trends up to date with the items in the store."""
        with no_gc():
            return self._update(store, kind, items, full=full)

    def _update(
        self,
        store: Store,
        kind: str,
        items: list[TrendItem] | None,
        *,
        full: bool,
    ) -> UpdateReport:
        if kind not in TREND_KINDS:
            raise ValueError(f"unknown kind {kind!r}; choose one of {', '.join(TREND_KINDS)}")
        started = time.perf_counter()
        items = load_items(store, kind) if items is None else sorted(items, key=lambda i: i.key)
        by_key = {i.key: i for i in items}
        state = load_state(store, kind)
        report = UpdateReport(kind=kind, items=len(items))
        dirty: set[str] = set()
        for key in [k for k in state.members if k not in by_key]:
            tid = state.members.pop(key)
            state.similarity.pop(key, None)
            state.articles.pop(key, None)
            report.removed_items += 1
            if tid:
                dirty.add(tid)
        new = [i for i in items if i.key not in state.members]
        report.new_items = len(new)
        for item in new:
            state.articles[item.key] = item.article_id
        active = {tid: tr for tid, tr in state.trends.items() if tr.status == "active"}
        if full or not active or any(tr.model != self.model_id for tr in active.values()):
            report.mode = "full"
            changed = self._full(state, items, report)
        else:
            changed = self._incremental(state, new, by_key, dirty, report)
        changed |= self._merge_close(state, changed, report)
        self._relabel(state, by_key, changed, incremental=report.mode == "incremental")
        active_now = [tr for tr in state.trends.values() if tr.status == "active"]
        report.trends = len(active_now)
        report.residue = sum(1 for v in state.members.values() if v is None)
        report.seconds = time.perf_counter() - started
        save_state(
            store,
            state,
            {"kind": kind, "mode": report.mode, "model": self.model_id, "counts": report.counts()},
        )
        return report

    def _incremental(
        self,
        state: TrendState,
        new: list[TrendItem],
        by_key: dict[str, TrendItem],
        dirty: set[str],
        report: UpdateReport,
    ) -> set[str]:
        changed: set[str] = set(dirty)
        active = sorted(tid for tid, tr in state.trends.items() if tr.status == "active")
        for tid in sorted(dirty):  # lost members: centroid from the members left
            keys = state.members_of(tid)
            tr = state.trends[tid]
            if len(keys) == 0:
                tr.status, tr.size = "dissolved", 0
                state.record("dissolve", tid, reason="its items left the corpus")
                report.dissolved.append(tid)
                continue
            tr.centroid_sum = self.vectors([by_key[k] for k in keys]).sum(axis=0)
            tr.size = len(keys)
        active = [tid for tid in active if state.trends[tid].status == "active"]
        if new:
            vectors = self.vectors(new)
            if active:
                sums = np.stack([state.trends[tid].centroid_sum for tid in active])
                sims = vectors @ _unit(sums).T
                best = sims.argmax(axis=1)
                best_sim = sims[np.arange(len(new)), best]
            for row, item in enumerate(new):
                if active and best_sim[row] >= self.params.similarity:
                    tid = active[int(best[row])]
                    tr = state.trends[tid]
                    tr.centroid_sum = tr.centroid_sum + vectors[row]
                    tr.size += 1
                    state.members[item.key] = tid
                    state.similarity[item.key] = float(best_sim[row])
                    changed.add(tid)
                    report.joined += 1
                else:
                    state.members[item.key] = None
                    state.similarity[item.key] = None
        residue = [by_key[k] for k in sorted(k for k, v in state.members.items() if v is None)]
        if len(residue) >= self.params.min_size:
            vectors = self.vectors(residue)
            labels = cluster_vectors(vectors, self.params)
            for label in range(int(labels.max()) + 1 if len(labels) else 0):
                rows = np.flatnonzero(labels == label)
                keys = [residue[r].key for r in rows]
                changed.add(self._create(state, keys, vectors[rows], report))
        return changed

    def _create(
        self, state: TrendState, keys: list[str], vectors: np.ndarray, report: UpdateReport
    ) -> str:
        tid = trend_id(state.kind, keys)
        while tid in state.trends and state.trends[tid].status == "active":
            tid = trend_id(state.kind, [*keys, tid])  # founders seen before, in a live trend
        centroid = vectors.sum(axis=0)
        unit = centroid / max(float(np.linalg.norm(centroid)), 1e-12)
        previous = state.trends.get(tid)
        state.trends[tid] = StoredTrend(
            tid,
            state.kind,
            previous.label if previous else "",
            [],
            "active",
            len(keys),
            centroid,
            self.model_id,
            None,
            None,
            previous.label_pinned if previous else False,
        )
        for key, vec in zip(keys, vectors, strict=True):
            state.members[key] = tid
            state.similarity[key] = float(vec @ unit)
        state.record("create" if previous is None else "revive", tid, size=len(keys))
        report.created.append(tid)
        return tid

    def _full(self, state: TrendState, items: list[TrendItem], report: UpdateReport) -> set[str]:
        old_members = {k: v for k, v in state.members.items() if v is not None}
        old_active = {tid for tid, tr in state.trends.items() if tr.status == "active"}
        vectors = self.vectors(items)
        labels = cluster_vectors(vectors, self.params)
        groups: dict[int, list[int]] = defaultdict(list)
        for row, label in enumerate(labels):
            if label >= 0:
                groups[int(label)].append(row)
        overlap: dict[int, Counter[str]] = {}
        for label, rows in groups.items():
            overlap[label] = Counter(
                old_members[items[r].key]
                for r in rows
                if old_members.get(items[r].key) in old_active
            )
        best_old = {
            c: min(o.items(), key=lambda x: (-x[1], x[0]))[0] for c, o in overlap.items() if o
        }
        by_old: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for c, o in overlap.items():
            for tid, n in o.items():
                by_old[tid].append((n, c))
        best_new = {
            tid: min(pairs, key=lambda x: (-x[0], x[1]))[1] for tid, pairs in by_old.items()
        }
        for key in state.members:
            state.members[key] = None
            state.similarity[key] = None
        keep: dict[int, str] = {}
        for c in sorted(groups):
            tid = best_old.get(c)
            if tid is not None and best_new.get(tid) == c:
                keep[c] = tid
        changed: set[str] = set()
        created_ids: dict[int, str] = {}
        for c in sorted(groups):
            rows = groups[c]
            keys = [items[r].key for r in rows]
            if c in keep:
                tid = keep[c]
                tr = state.trends[tid]
                tr.centroid_sum = vectors[rows].sum(axis=0)
                tr.size, tr.model = len(rows), self.model_id
                unit = tr.centroid_sum / max(float(np.linalg.norm(tr.centroid_sum)), 1e-12)
                for key, r in zip(keys, rows, strict=True):
                    state.members[key] = tid
                    state.similarity[key] = float(vectors[r] @ unit)
                changed.add(tid)
                continue
            tid = self._create(state, keys, vectors[rows], report)
            created_ids[c] = tid
            changed.add(tid)
            parent = best_old.get(c)
            if parent is not None and parent in keep.values():
                state.record("split", tid, parent, shared=overlap[c][parent])
                report.split.append((parent, tid))
        kept = set(keep.values())
        for old in sorted(old_active - kept):
            tr = state.trends[old]
            target = best_new.get(old)
            into = None
            if target is not None:
                into = keep.get(target) or created_ids.get(target)
            if into and into != old:
                tr.status, tr.merged_into, tr.size = "merged", into, 0
                state.record("merge", old, into, reason="recluster")
                report.merged.append((old, into))
            else:
                tr.status, tr.size = "dissolved", 0
                state.record("dissolve", old, reason="recluster left its items in no trend")
                report.dissolved.append(old)
        return changed

    def _merge_close(
        self, state: TrendState, candidates: set[str], report: UpdateReport
    ) -> set[str]:
        """Merge trends whose centroids are within `merge_similarity` (smaller into larger)."""
        changed: set[str] = set()
        ids = sorted(tid for tid, tr in state.trends.items() if tr.status == "active")
        if len(ids) < 2:
            return changed
        row = {tid: i for i, tid in enumerate(ids)}
        units = _unit(np.stack([state.trends[tid].centroid_sum for tid in ids]).astype(np.float64))
        alive = np.ones(len(ids), dtype=bool)
        todo = sorted(c for c in candidates if c in row)
        while todo:
            tid = todo.pop(0)
            i = row[tid]
            if not alive[i]:
                continue
            sims = units @ units[i]
            sims[i] = -np.inf
            sims[~alive] = -np.inf
            j = int(sims.argmax())
            if sims[j] < self.params.merge_similarity:
                continue
            tr, other = state.trends[tid], state.trends[ids[j]]
            big, small = (tr, other) if (tr.size, other.id) >= (other.size, tr.id) else (other, tr)
            for key in state.members_of(small.id):
                state.members[key] = big.id
            big.centroid_sum = big.centroid_sum + small.centroid_sum
            big.size += small.size
            small.status, small.merged_into, small.size = "merged", big.id, 0
            state.record("merge", small.id, big.id, similarity=round(float(sims[j]), 4))
            report.merged.append((small.id, big.id))
            alive[row[small.id]] = False
            units[row[big.id]] = _unit(big.centroid_sum.astype(np.float64))
            changed.add(big.id)
            todo.append(big.id)
        return changed

    # -- the represent step -----------------------------------------------------------

    @staticmethod
    def _grew(state: TrendState, tid: str, incremental: bool) -> bool:
        """Relabel after a recluster, or once a trend grew by RELABEL_GROWTH since its label."""
        before = state.loaded_trends.get(tid)
        if not incremental or before is None or not before[0]:
            return True
        return state.trends[tid].size >= before[4] * RELABEL_GROWTH or before[2] != "active"

    def _relabel(
        self,
        state: TrendState,
        by_key: dict[str, TrendItem],
        changed: set[str],
        incremental: bool = False,
    ) -> None:
        active = sorted(tid for tid, tr in state.trends.items() if tr.status == "active")
        if not active or not changed:
            return
        members: dict[str, list[str]] = defaultdict(list)
        for key, tid in state.members.items():
            if tid is not None:
                members[tid].append(key)
        unlabelled = {tid for tid in active if not state.trends[tid].label}
        todo = {tid for tid in changed if self._grew(state, tid, incremental)} | unlabelled
        if not todo:
            return
        if len(active) > 2 * BACKGROUND and len(todo) < len(active) // 2:
            # A small update: the changed trends against a fixed background of others, so
            # relabelling costs what changed, not the whole corpus.
            background = [tid for tid in active if tid not in todo][:BACKGROUND]
            active = sorted(todo & set(active)) + background
        docs = [
            " \n".join(by_key[k].text for k in sorted(members[tid])[:LABEL_ITEMS]) for tid in active
        ]
        all_terms = ctfidf_terms(docs)
        for tid, terms in zip(active, all_terms, strict=True):
            if tid not in todo:
                continue
            tr = state.trends[tid]
            tr.terms = [term for term, _ in terms]
            if tr.label_pinned:
                continue
            names = [by_key[k].name for k in members[tid]]
            label = (self.labeler(names, tr.terms) if self.labeler else None) or pick_label(
                names, terms
            )
            if tr.label and label != tr.label:
                state.record("relabel", tid, detail_from=tr.label, detail_to=label)
            tr.label = label
