"""Near-duplicate detection: word 5-gram shingles, MinHash signatures, LSH banding.

The same story syndicated on two sites, or re-fetched with a changed footer, should become
one card. A signature is a short `bytes` value (stored beside the item), two signatures give
an estimate of the Jaccard similarity of the shingle sets, and `NearDuplicateIndex` finds
candidates through LSH bands instead of comparing against every stored item.

MinHash is written here on numpy (already installed through yake and scikit-learn) rather
than taken from `datasketch`: the whole thing is ~30 lines, the signature layout and hash
functions stay under our control (so stored signatures never change with a library
upgrade), and one dependency is saved.
"""

from __future__ import annotations

import re
import zlib
from collections import defaultdict
from collections.abc import Hashable, Iterable

import numpy as np

SHINGLE_WORDS = 5
NUM_PERM = 128
_VERSION = 1
_MAX_HASH = np.uint32(0xFFFFFFFF)
_WORD = re.compile(r"\w+")

# Fixed seed: signatures are stored, so the hash family must never change between runs.
_rng = np.random.default_rng(20240229)
_A = _rng.integers(1, 2**63, size=NUM_PERM, dtype=np.uint64) | np.uint64(1)  # odd multipliers
_B = _rng.integers(0, 2**63, size=NUM_PERM, dtype=np.uint64)
_MIX = np.uint64(0x9E3779B97F4A7C15)


def shingles(text: str, size: int = SHINGLE_WORDS) -> np.ndarray:
    """Distinct 64-bit hashes of the word `size`-grams of `text` (lower-cased).

    A text shorter than `size` words is one shingle of all its words, so short texts still
    compare; a text without words has no shingles.
    """
    words = _WORD.findall(text.lower())
    if not words:
        return np.zeros(0, dtype=np.uint64)
    hashed = np.fromiter(
        (zlib.crc32(w.encode("utf-8")) for w in words), dtype=np.uint64, count=len(words)
    )
    size = min(size, len(words))
    count = len(words) - size + 1
    combined = np.zeros(count, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for offset in range(size):  # polynomial combination, wrapping mod 2**64
            combined = combined * _MIX + hashed[offset : offset + count]
    return np.unique(combined)


def signature(text: str) -> bytes:
    """The MinHash signature of `text`: 1 version byte + NUM_PERM little-endian uint32.

    Texts without any word all share one signature: do not index them.
    """
    hashes = shingles(text)
    if hashes.size == 0:
        mins = np.full(NUM_PERM, _MAX_HASH, dtype=np.uint32)
    else:
        with np.errstate(over="ignore"):
            # multiply-shift hashing: the high 32 bits of (a * x + b) mod 2**64
            permuted = (hashes[:, None] * _A[None, :] + _B[None, :]) >> np.uint64(32)
        mins = permuted.min(axis=0).astype(np.uint32)
    return bytes([_VERSION]) + mins.astype("<u4").tobytes()


def _values(sig: bytes) -> np.ndarray:
    if len(sig) != 1 + 4 * NUM_PERM or sig[0] != _VERSION:
        raise ValueError(f"not a version-{_VERSION} signature of {NUM_PERM} hashes")
    return np.frombuffer(sig, dtype="<u4", offset=1)


def similarity(sig_a: bytes, sig_b: bytes) -> float:
    """Estimated Jaccard similarity of the two texts' shingle sets (0.0 to 1.0)."""
    return float(np.count_nonzero(_values(sig_a) == _values(sig_b))) / NUM_PERM


class NearDuplicateIndex:
    """An in-memory LSH index of signatures.

    With the default 16 bands of 8 rows, a pair at similarity 0.9 becomes a candidate with
    probability > 0.9999 and a pair at 0.5 with probability ~0.06; candidates are then
    checked against `threshold`. Query thresholds far below ~0.7 lose recall: use more
    bands (fewer rows) for those.
    """

    def __init__(self, bands: int = 16) -> None:
        if bands < 1 or NUM_PERM % bands:
            raise ValueError(f"bands must divide {NUM_PERM}")
        self.bands = bands
        self.rows = NUM_PERM // bands
        self._sigs: dict[Hashable, bytes] = {}
        self._buckets: defaultdict[tuple[int, bytes], set[Hashable]] = defaultdict(set)

    def __len__(self) -> int:
        return len(self._sigs)

    def __contains__(self, key: object) -> bool:
        return key in self._sigs

    def _band_keys(self, sig: bytes) -> Iterable[tuple[int, bytes]]:
        _values(sig)  # validates
        width = 4 * self.rows
        for band in range(self.bands):
            yield band, sig[1 + band * width : 1 + (band + 1) * width]

    def add(self, key: Hashable, sig: bytes) -> None:
        """Index `sig` under `key`, replacing what `key` held before."""
        if key in self._sigs:
            self.remove(key)
        for bucket in self._band_keys(sig):
            self._buckets[bucket].add(key)
        self._sigs[key] = sig

    def remove(self, key: Hashable) -> None:
        sig = self._sigs.pop(key)
        for bucket in self._band_keys(sig):
            members = self._buckets[bucket]
            members.discard(key)
            if not members:
                del self._buckets[bucket]

    def query(self, sig: bytes, threshold: float = 0.9) -> list[tuple[Hashable, float]]:
        """Indexed keys whose estimated similarity to `sig` is >= threshold, best first."""
        candidates: set[Hashable] = set()
        for bucket in self._band_keys(sig):
            candidates.update(self._buckets.get(bucket, ()))
        scored = [(key, similarity(sig, self._sigs[key])) for key in candidates]
        hits = [(key, score) for key, score in scored if score >= threshold]
        hits.sort(key=lambda item: -item[1])
        return hits
