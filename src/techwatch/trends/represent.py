"""The represent step: c-TF-IDF terms per trend, and a label that reads like a name.

c-TF-IDF (Grootendorst 2022, BERTopic): each trend's member texts form one document;
weight(t, c) = tf(t, c) / words(c) x log(1 + A / f(t)), with A the average number of
words per trend and f(t) the frequency of t over all trends. The label is the member
name that carries most of that weight (a name someone actually wrote), not a bag of terms.
"""

from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np

_TOKEN = r"(?u)\b[^\W\d_][^\W_]+\b"
_WORD = re.compile(_TOKEN)


def ctfidf_terms(docs: list[str], top: int = 8) -> list[list[tuple[str, float]]]:
    """Top distinctive terms (unigrams and bigrams) for each class document."""
    from sklearn.feature_extraction.text import CountVectorizer

    if not docs or not any(d.strip() for d in docs):
        return [[] for _ in docs]
    vectorizer = CountVectorizer(ngram_range=(1, 2), stop_words="english", token_pattern=_TOKEN)
    try:
        counts = vectorizer.fit_transform(docs)
    except ValueError:  # only stop words
        return [[] for _ in docs]
    vocab = vectorizer.get_feature_names_out()
    words = np.asarray(counts.sum(axis=1)).ravel().astype(float)
    freq = np.asarray(counts.sum(axis=0)).ravel().astype(float)
    avg = float(words.mean()) if len(words) else 1.0
    idf = np.log1p(avg / np.maximum(freq, 1e-12))
    out: list[list[tuple[str, float]]] = []
    csr = counts.tocsr()
    for row in range(csr.shape[0]):
        start, end = csr.indptr[row], csr.indptr[row + 1]
        cols, vals = csr.indices[start:end], csr.data[start:end]
        if not len(cols) or words[row] == 0:
            out.append([])
            continue
        weights = vals / words[row] * idf[cols]
        if len(cols) > 4 * top:  # only the best few need a full sort
            keep = np.argpartition(-weights, 4 * top)[: 4 * top]
            cols, weights = cols[keep], weights[keep]
        ranked = sorted(zip(cols, weights, strict=True), key=lambda x: (-x[1], vocab[x[0]]))
        chosen: list[tuple[str, float]] = []
        for col, weight in ranked:
            term = str(vocab[col])
            if any(term in kept.split() or kept in term.split() for kept, _ in chosen):
                continue  # "battery" next to "sodium battery" says nothing new
            chosen.append((term, float(weight)))
            if len(chosen) == top:
                break
        out.append(chosen)
    return out


def pick_label(names: list[str], terms: list[tuple[str, float]]) -> str:
    """The member name whose words carry the most c-TF-IDF weight, shorter names winning ties.

    A name repeated by several members counts more (people agree on it).
    """
    if not names:
        return ""
    weights: dict[str, float] = {}
    for term, weight in terms:
        for word in term.split():
            weights[word] = max(weights.get(word, 0.0), weight)
    counts = Counter(n.strip() for n in names if n.strip())
    best, best_score = "", -math.inf
    for name, count in sorted(counts.items()):
        words = [w.casefold() for w in _WORD.findall(name)]
        if not words:
            continue
        covered = sum(weights.get(w, 0.0) for w in set(words))
        score = covered / math.sqrt(len(words)) * (1.0 + math.log(count))
        if len(words) > 8:
            score *= 0.5  # a sentence, not a name
        if score > best_score or (score == best_score and len(name) < len(best)):
            best, best_score = name, score
    return best or sorted(counts)[0] if counts else ""
