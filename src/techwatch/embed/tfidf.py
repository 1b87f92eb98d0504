"""The offline default: TF-IDF + truncated SVD (latent semantic analysis), fitted on the corpus.

Why this and not a neural model: it needs no download and no heavy package (scikit-learn),
it is fast on two cores, and on a corpus of foresight cards it puts cards on the same
subject close even when they share few words (SVD folds co-occurring terms together).

The fitted model (vocabulary, idf weights, SVD components) is saved in the workspace as
plain arrays (no pickle) with a sha256 of its content, checked at load. `model_id`
carries that hash, so vectors stay comparable until the model is refitted, and a refit
(the corpus grew `refit_growth` times since the last fit) re-embeds everything under a new id.
Fitting is deterministic: the same corpus gives the same model and the same id.

Small corpora degrade instead of failing: fewer SVD components, plain TF-IDF vectors
when the corpus is too small for SVD, and the hashing embedder while there is nothing
to learn from. The components are capped at one per `TEXTS_PER_COMPONENT` texts: LSA
folds co-occurring words together only when it has far fewer components than texts. With
nearly as many components as texts (256 for the demo's ~300 texts) the projection is
little more than a rotation of raw TF-IDF, short texts on one subject share too few
words to come close (nearest-neighbour cosine ~0.12), and no trend forms at the
`[trends] similarity` cut. Corpora of 1,536 texts and more keep the full 256.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

from techwatch.embed.base import EmbedderError, normalise
from techwatch.embed.hashing import HashingEmbedder

MODEL_FILE = "tfidf-svd.npz"
FORMAT_VERSION = 2  # 2: components capped by corpus size; an older model is refitted
MIN_SVD_DIM = 8  # below this many components, SVD loses too much: keep plain TF-IDF
TEXTS_PER_COMPONENT = 6  # at most one SVD component per this many distinct texts
MAX_FIT_TEXTS = 20_000  # fit on a fixed sample beyond this (the model is a projection)
TOKEN_PATTERN = r"(?u)\b\w[\w-]*\w\b"


def _vectorizer_params(n_texts: int, max_features: int) -> dict[str, Any]:
    """Pruning adapted to the corpus size: min_df/max_df would empty a tiny vocabulary."""
    big = n_texts >= 50
    return {
        "lowercase": True,
        "strip_accents": "unicode",
        "token_pattern": TOKEN_PATTERN,
        "ngram_range": [1, 2],
        "stop_words": "english",
        "min_df": 2 if big else 1,
        "max_df": 0.5 if big else 1.0,
        "max_features": max_features,
        "sublinear_tf": True,
    }


class _Fitted:
    """A fitted model as plain arrays, with the content hash that names it."""

    def __init__(
        self,
        terms: np.ndarray,
        idf: np.ndarray,
        components: np.ndarray | None,
        params: dict[str, Any],
    ) -> None:
        self.terms = terms
        self.idf = idf.astype(np.float32)
        self.components = None if components is None else components.astype(np.float32)
        self.params = params
        self.sha256 = self._hash()
        self._counter = self._make_counter()

    @property
    def dim(self) -> int:
        return len(self.terms) if self.components is None else self.components.shape[0]

    def _hash(self) -> str:
        digest = hashlib.sha256()
        digest.update(json.dumps(self.params, sort_keys=True).encode())
        digest.update("\n".join(self.terms.tolist()).encode("utf-8"))
        digest.update(self.idf.tobytes())
        if self.components is not None:
            digest.update(self.components.tobytes())
        return digest.hexdigest()

    def _make_counter(self) -> Any:
        from sklearn.feature_extraction.text import CountVectorizer

        p = self.params["vectorizer"]
        return CountVectorizer(
            vocabulary={term: i for i, term in enumerate(self.terms.tolist())},
            lowercase=p["lowercase"],
            strip_accents=p["strip_accents"],
            token_pattern=p["token_pattern"],
            ngram_range=tuple(p["ngram_range"]),
            stop_words=p["stop_words"],
            dtype=np.float32,
        )

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        """TF-IDF exactly as at fit time (sublinear tf, idf, l2), then the SVD projection."""
        counts = self._counter.transform([t or "" for t in texts]).astype(np.float32)
        counts.data = 1.0 + np.log(counts.data)
        tfidf = counts @ sparse.diags(self.idf)
        norms = np.sqrt(np.asarray(tfidf.multiply(tfidf).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        tfidf = sparse.diags(1.0 / norms) @ tfidf
        if self.components is None:
            return normalise(tfidf.toarray())
        return normalise(np.asarray(tfidf @ self.components.T))

    def save(self, path: Path) -> None:
        """Atomically (temporary file, then rename), so a killed process leaves no half file."""
        path.parent.mkdir(parents=True, exist_ok=True)
        buffer = io.BytesIO()
        np.savez(
            buffer,
            terms=self.terms,
            idf=self.idf,
            components=self.components if self.components is not None else np.zeros((0, 0)),
            params=np.array(json.dumps(self.params, sort_keys=True)),
            sha256=np.array(self.sha256),
        )
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(buffer.getvalue())
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path) -> _Fitted:
        try:
            with np.load(path, allow_pickle=False) as data:
                components = data["components"]
                fitted = cls(
                    terms=data["terms"],
                    idf=data["idf"],
                    components=components if components.size else None,
                    params=json.loads(str(data["params"])),
                )
                expected = str(data["sha256"])
        except (OSError, KeyError, ValueError) as exc:
            raise EmbedderError(
                f"cannot read the TF-IDF model {path}: {exc}; delete it to refit"
            ) from exc
        if fitted.sha256 != expected:
            raise EmbedderError(
                f"the TF-IDF model {path} fails its hash check (file changed or corrupt); "
                "delete it to refit"
            )
        return fitted


class TfidfSvdEmbedder:
    """TF-IDF + SVD fitted on the corpus; the hashing embedder until there is a corpus."""

    def __init__(
        self,
        path: Path | None = None,
        *,
        dim: int = 256,
        refit_growth: float = 2.0,
        max_features: int = 50_000,
    ) -> None:
        if dim < 1:
            raise EmbedderError(f"embed.dim must be at least 1, got {dim}")
        self.path = path
        self.target_dim = dim
        self.refit_growth = refit_growth
        self.max_features = max_features
        self._fallback = HashingEmbedder(dim=min(dim, 1024))
        self._fitted: _Fitted | None = None
        if path is not None and path.is_file():
            self._fitted = _Fitted.load(path)

    @property
    def fitted(self) -> bool:
        return self._fitted is not None

    @property
    def outdated(self) -> bool:
        """Fitted by an older format (e.g. before components were capped by corpus size)."""
        return self._fitted is not None and self._fitted.params.get("format") != FORMAT_VERSION

    @property
    def fitted_on(self) -> int:
        return int(self._fitted.params["fitted_on"]) if self._fitted else 0

    @property
    def model_id(self) -> str:
        if self._fitted is None:
            return self._fallback.model_id
        return f"tfidf-svd-{self._fitted.dim}-{self._fitted.sha256[:16]}"

    @property
    def dim(self) -> int:
        return self._fallback.dim if self._fitted is None else self._fitted.dim

    def needs_fit(self, corpus_size: int) -> bool:
        """Not fitted yet (and there is a corpus), fitted by an older format, or the corpus
        grew `refit_growth` times."""
        if corpus_size <= 0:
            return False
        if self._fitted is None or self.outdated:
            return True
        return self.refit_growth > 0 and corpus_size >= self.fitted_on * self.refit_growth

    def fit(self, texts: Sequence[str], corpus_size: int | None = None) -> None:
        """Learn vocabulary, idf and components from the corpus; save them if a path is set.

        `corpus_size` is what `needs_fit` will compare with later (by default the number of
        distinct texts).
        """
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfVectorizer

        corpus = [t for t in dict.fromkeys(texts) if t and t.strip()]
        fitted_on = len(corpus) if corpus_size is None else corpus_size
        if len(corpus) > MAX_FIT_TEXTS:
            rng = np.random.default_rng(0)
            keep = np.sort(rng.choice(len(corpus), size=MAX_FIT_TEXTS, replace=False))
            corpus = [corpus[i] for i in keep]
        if not corpus:
            return
        vparams = _vectorizer_params(len(corpus), self.max_features)
        vectorizer = TfidfVectorizer(
            **{k: tuple(v) if k == "ngram_range" else v for k, v in vparams.items()},
            dtype=np.float32,
        )
        try:
            matrix = vectorizer.fit_transform(corpus)
        except ValueError:  # nothing but stop words: keep the fallback
            return
        vocabulary = vectorizer.vocabulary_
        terms = np.array(sorted(vocabulary, key=vocabulary.__getitem__))
        k = min(
            self.target_dim,
            matrix.shape[0] // TEXTS_PER_COMPONENT,
            matrix.shape[0] - 1,
            matrix.shape[1] - 1,
        )
        components = None
        if k >= MIN_SVD_DIM:
            svd = TruncatedSVD(n_components=k, algorithm="randomized", n_iter=5, random_state=0)
            svd.fit(matrix)
            components = svd.components_
        params = {
            "format": FORMAT_VERSION,
            "vectorizer": vparams,
            "fitted_on": fitted_on,
            "svd_components": 0 if components is None else int(components.shape[0]),
        }
        self._fitted = _Fitted(terms, vectorizer.idf_, components, params)
        if self.path is not None:
            self._fitted.save(self.path)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if self._fitted is None:
            return self._fallback.embed(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._fitted.transform(texts)
