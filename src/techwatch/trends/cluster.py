"""The cluster step: unit vectors in, one label per row out (-1: not in any trend yet).

Small sets go straight to average-linkage agglomerative clustering on cosine distance
(deterministic, no number of clusters to guess). Large sets are first cut into
micro-clusters with MiniBatchKMeans (seeded), whose centroids are then clustered the
same way: two cores handle 100,000 rows in seconds instead of an O(n^2) matrix.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ClusterParams:
    similarity: float = 0.5  # cosine: joining a centroid, and the linkage cut (1 - distance)
    min_size: int = 3  # smaller groups stay in the residue until they grow
    merge_similarity: float = 0.85  # two trend centroids this close are merged
    direct_limit: int = 3000  # above this many rows, micro-clusters first
    micro_size: int = 20  # rows per micro-cluster, on average
    reduce_dim: int = 96  # PCA size for the micro-cluster step (large sets only)
    seed: int = 0


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


def _micro_then_merge(vectors: np.ndarray, p: ClusterParams) -> np.ndarray:
    from sklearn.cluster import MiniBatchKMeans
    from sklearn.decomposition import PCA

    data = vectors
    if vectors.shape[1] > p.reduce_dim:
        data = PCA(n_components=p.reduce_dim, svd_solver="randomized", random_state=p.seed)
        data = data.fit_transform(vectors).astype(np.float32)
    k = max(2, min(len(vectors) // max(1, p.micro_size), 5000))
    km = MiniBatchKMeans(
        n_clusters=k,
        init="random",
        n_init=1,
        batch_size=4096,
        max_iter=20,
        random_state=p.seed,
    )
    micro = km.fit_predict(data)
    # Centroids in the original space, so the cut uses the same cosine as joining does.
    sums = np.zeros((k, vectors.shape[1]), dtype=np.float64)
    np.add.at(sums, micro, vectors)
    used = np.flatnonzero(np.bincount(micro, minlength=k))
    centroids = sums[used]
    centroids /= np.maximum(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-12)
    top = _agglomerative(centroids.astype(np.float32), p.similarity)
    mapping = np.full(k, -1, dtype=int)
    mapping[used] = top
    return mapping[micro]


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
            raw[usable] = _micro_then_merge(data, p)
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
