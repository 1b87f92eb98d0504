"""The cluster step: unit vectors in, one label per row out (-1: not in any trend yet).

Small sets go straight to average-linkage agglomerative clustering on cosine distance
(deterministic, no number of clusters to guess). Large sets are clustered a
sample at a time: the sample's clusters become centroids, every row close enough to one
joins it (one matrix product), and the rows left over go round again. Two cores handle
100,000 rows in seconds instead of an O(n^2) distance matrix. (MiniBatchKMeans micro-
clusters were tried first: slower at 100,000 rows, and a k to choose.)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ClusterParams:
    similarity: float = 0.5  # cosine: joining a centroid, and the linkage cut (1 - distance)
    min_size: int = 3  # smaller groups stay in the residue until they grow
    merge_similarity: float = 0.85  # two trend centroids this close are merged
    direct_limit: int = 4000  # above this many rows: sample, assign, repeat on the rest
    sample_size: int = 4000  # rows clustered per round on large sets
    max_rounds: int = 12


def _agglomerative(vectors: np.ndarray, similarity: float) -> np.ndarray:
    from sklearn.cluster import AgglomerativeClustering

    if len(vectors) == 1:
        return np.zeros(1, dtype=int)
    model = AgglomerativeClustering(
        n_clusters=None,
        metric="cosine",
        linkage="average",
        distance_threshold=max(1e-9, 1.0 - similarity),
    )
    return model.fit_predict(vectors)


def _sample_and_assign(vectors: np.ndarray, p: ClusterParams) -> np.ndarray:
    """Cluster a sample, give every row the nearest sample centroid when close enough,
    then do the same on the rows left over, until they fit the direct method.

    A rare subject missed by the first sample is most of what is left over, so a later
    round (or the final direct clustering) finds it: weak signals are not averaged away.
    """
    n = len(vectors)
    labels = np.full(n, -1, dtype=int)
    remaining = np.arange(n)
    next_label = 0
    for _ in range(p.max_rounds):
        if len(remaining) <= p.direct_limit:
            break
        # The model passes rows in item-key order (hashes: a pseudo-random order that
        # does not move when items are added), so the first rows are a stable sample:
        # a recluster after growth samples mostly the same items and keeps its trends.
        sample = remaining[: p.sample_size]
        found = _agglomerative(vectors[sample], p.similarity)
        sizes = np.bincount(found)
        kept = np.flatnonzero(sizes >= 2)
        if not len(kept):
            break
        sums = np.zeros((len(kept), vectors.shape[1]), dtype=np.float64)
        index = np.full(len(sizes), -1)
        index[kept] = np.arange(len(kept))
        rows = index[found] >= 0
        np.add.at(sums, index[found[rows]], vectors[sample[rows]])
        centroids = (sums / np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-12)).astype(
            np.float32
        )
        best = np.empty(len(remaining), dtype=int)
        best_sim = np.empty(len(remaining), dtype=np.float32)
        for start in range(0, len(remaining), 16384):
            chunk = vectors[remaining[start : start + 16384]] @ centroids.T
            best[start : start + len(chunk)] = chunk.argmax(axis=1)
            best_sim[start : start + len(chunk)] = chunk.max(axis=1)
        close = best_sim >= p.similarity
        if not close.any():
            break
        labels[remaining[close]] = next_label + best[close]
        next_label += len(kept)
        remaining = remaining[~close]
    if 0 < len(remaining) <= p.direct_limit:
        rest = _agglomerative(vectors[remaining], p.similarity)
        labels[remaining] = next_label + rest
    return labels


def cluster_vectors(vectors: np.ndarray, params: ClusterParams | None = None) -> np.ndarray:
    """Labels 0..k-1 ordered by first appearance; groups under `min_size` get -1."""
    p = params or ClusterParams()
    n = len(vectors)
    if n == 0:
        return np.zeros(0, dtype=int)
    # A text with no known word embeds to zero: it has no direction, so no cluster.
    usable = np.flatnonzero(np.linalg.norm(vectors, axis=1) > 1e-6)
    raw = np.full(n, -1, dtype=int)
    if len(usable):
        data = vectors[usable]
        if len(usable) <= p.direct_limit:
            raw[usable] = _agglomerative(data, p.similarity)
        else:
            raw[usable] = _sample_and_assign(data, p)
    sizes = np.bincount(raw[raw >= 0], minlength=1)
    labels = np.full(n, -1, dtype=int)
    order: dict[int, int] = {}
    for row, label in enumerate(raw):
        if label < 0 or sizes[label] < p.min_size:
            continue
        if label not in order:
            order[label] = len(order)
        labels[row] = order[label]
    return labels
