"""The offline `extractive` analyzer: a foresight card from the article's own words.

No model, no network, deterministic. It never invents: every item quotes a verbatim
sentence of the article as evidence, and a field it cannot ground in the text stays
empty. Keywords come from YAKE, themes/category/type from lexicon scoring, the summary
from centroid + position sentence ranking, and the item lists from cue sentences.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache

import yake

from techwatch.analyze.base import Analysis, ArticleInput
from techwatch.analyze.lexicons import (
    ACTOR_NOUNS,
    CATEGORY_THEMES,
    GENERIC_WORDS,
    LEXICON_VERSION,
    NON_TECH_ACRONYMS,
    REPORTING_THAT,
    TECH_HEADS,
    TYPE_CUES,
    TYPE_URL_HINTS,
    category_patterns,
    stopwords,
    tech_term_pattern,
    theme_patterns,
    yake_language,
)
from techwatch.analyze.sentences import (
    Sentence,
    cause_span,
    change_span,
    cue_scores,
    has_future_horizon,
    is_verb_like,
    noun_phrases,
    split_sentences,
)
from techwatch.card import CATEGORIES, SUMMARY_MAX_WORDS, TYPES, Card, Item, Signal
from techwatch.workers import process_pool

VERSION = "2"
YAKE_NGRAM = 2  # trigrams cost more and are mostly fragments
YAKE_CHARS = 5_000  # YAKE cost grows with text length; the head of an article suffices.
MIN_CUE = {"signals": 1.5, "concerns": 1.2, "behaviors": 1.2, "issues": 1.2}
_TIE_ORDER = ("behaviors", "concerns", "issues", "signals")  # the more specific cue wins a tie
DESCRIPTION_MAX_CHARS = 400

_TOKEN = re.compile(r"[^\W\d_][\w'’-]*", re.UNICODE)
_ACRONYM = re.compile(r"(?<![\w-])[A-Z][A-Z0-9]{1,5}s?(?![\w-])")
_ADJECTIVE_SUFFIX = re.compile(r"(?:able|ible|al|ous|ful|less|ive|ier|est)$")
_MONTHS = frozenset(
    [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ]
)
_PRODUCT = re.compile(
    r"(?<![\w-])[A-Z][A-Za-z]{2,20} (?:[A-Z]{1,3}\d{1,4}|\d{1,3})[A-Za-z]{0,3}(?![\w-])"
)


@dataclass
class _Doc:
    """Per-article intermediate results, computed once and shared by the field extractors."""

    text: str
    language: str
    stop: frozenset[str]
    sentences: list[Sentence]
    tokens: list[list[str]] = field(default_factory=list)  # content tokens per sentence
    centrality: list[float] = field(default_factory=list)
    phrases: list[str] = field(default_factory=list)  # YAKE candidates, best first
    phrase_keys: list[frozenset[str]] = field(default_factory=list)  # their word sets
    df: Counter[str] = field(default_factory=Counter)  # sentences holding each content word
    title_words: frozenset[str] = frozenset()
    title: str = ""


@cache
def _extractor(language: str, n: int, top: int) -> yake.KeywordExtractor:
    return yake.KeywordExtractor(lan=language, n=n, top=top, stopwords=stopwords(language))


def _title_case(phrase: str) -> str:
    """Capitalise each word's first letter, keeping inner capitals (GPUs, iPhone)."""
    words = []
    for word in phrase.split():
        words.append(
            word if word[:1].isupper() or not word[:1].isalpha() else word[:1].upper() + word[1:]
        )
    return " ".join(words)


def _norm(phrase: str) -> str:
    """A comparison key: lowercase, single spaces, naive singular."""
    words = []
    for w in phrase.lower().replace("’", "'").split():
        if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
            w = w[:-1]
        words.append(w)
    return " ".join(words)


@lru_cache(maxsize=8192)
def _phrase_regex(phrase: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)", re.IGNORECASE)


def _contains(haystack: str, phrase: str) -> bool:
    """Whole-word, case-insensitive containment."""
    if phrase.lower() not in haystack.lower():  # cheap pre-check
        return False
    return _phrase_regex(phrase).search(haystack) is not None


def _trim(text: str, limit: int = DESCRIPTION_MAX_CHARS) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > 0 else limit].rstrip(",;:") + "…"


class ExtractiveAnalyzer:
    """Foresight cards without a model: YAKE, lexicons and cue sentences."""

    name = "extractive"
    model = f"extractive-{VERSION}.{LEXICON_VERSION}"
    prompt_version = ""

    def __init__(
        self,
        categories: tuple[str, ...] | list[str] = CATEGORIES,
        types: tuple[str, ...] | list[str] = TYPES,
        max_items: int = 6,
        workers: int = 1,
    ) -> None:
        self.categories = tuple(categories)
        self.types = tuple(types)
        self.max_items = max(1, max_items)
        self.workers = max(1, workers)

    # ------------------------------------------------------------------ protocol

    def analyze(self, article: ArticleInput) -> Analysis:
        """One card, or a failure with a reason; never raises."""
        if not article.text or not article.text.strip():
            return Analysis.failed("empty: no text", model=self.model)
        try:
            card = self.build_card(article)
        except Exception as exc:  # one bad article must not stop a batch
            return Analysis.failed(f"error: {type(exc).__name__}: {exc}"[:300], model=self.model)
        if card.is_empty():
            return Analysis.failed("empty: nothing extractable", model=self.model)
        return Analysis(status="ok", card=card, model=self.model, prompt_version="")

    def close(self) -> None:
        """Nothing to release: worker pools live only inside `analyze_many`."""

    def analyze_many(
        self, articles: Iterable[ArticleInput]
    ) -> Iterator[tuple[ArticleInput, Analysis]]:
        """Analyse in order; with `workers` > 1, in a process pool (YAKE is CPU-bound)."""
        items = list(articles)
        pool = process_pool(self.workers, len(items))
        if pool is None:
            for article in items:
                yield article, self.analyze(article)
            return
        with pool:
            chunk = max(1, min(16, len(items) // (self.workers * 4) or 1))
            yield from zip(items, pool.map(self.analyze, items, chunksize=chunk), strict=True)

    # ------------------------------------------------------------------ card

    def build_card(self, article: ArticleInput) -> Card:
        doc = self._prepare(article)
        technologies = self._technologies(doc)
        keywords = self._keywords(doc, technologies)
        themes = self._themes(doc.text)
        used: set[int] = set()
        signals, concerns, behaviors, issues = self._cue_items(doc, used)
        return Card(
            title=article.title.strip()[:300],
            summary=self._summary(doc),
            keywords=keywords,
            themes=[t for t, _ in themes],
            category=self._category(doc.text, themes),
            type=self._type(doc.text, article.url),
            signals=signals,
            concerns=concerns,
            behaviors=behaviors,
            technologies=technologies,
            issues=issues,
        )

    def cue_sentences(self, article: ArticleInput, limit: int = 14) -> list[tuple[str, str]]:
        """(hint, sentence) pairs an LLM can name and classify, in article order.

        The hint is the strongest cue of the sentence (change, risk, behavior, issue), or
        "technology" for a sentence naming one; if cues are scarce, the most central
        sentences fill up to `limit` as "fact". Every sentence is verbatim.
        """
        if not article.text.strip():
            return []
        doc = self._prepare(article)
        hints = {"signals": "change", "concerns": "risk", "behaviors": "behavior"}
        hints["issues"] = "issue"
        picked: dict[int, tuple[float, str]] = {}
        for s in doc.sentences:
            n = len(s.text.split())
            if n < 6 or n > 80 or s.text.endswith("?"):
                continue
            cues = cue_scores(s.text)
            kind = max(cues, key=lambda k: (cues[k] - MIN_CUE[k], -_TIE_ORDER.index(k)))
            if cues[kind] >= MIN_CUE[kind]:
                picked[s.index] = (cues[kind] + 2.0 * doc.centrality[s.index], hints[kind])
        by_text = {s.text: s.index for s in doc.sentences}
        for rank, item in enumerate(self._technologies(doc)[:4]):
            index = by_text.get(item.evidence)
            if index is not None and index not in picked:
                picked[index] = (3.0 - rank * 0.1, f"technology: {item.name}")
        best = sorted(picked.items(), key=lambda kv: -kv[1][0])[:limit]
        if len(best) < limit:
            central = sorted(
                (s for s in doc.sentences if s.index not in picked and len(s.text.split()) >= 6),
                key=lambda s: -doc.centrality[s.index],
            )
            best += [(s.index, (0.0, "fact")) for s in central[: limit - len(best)]]
        texts = {s.index: s.text for s in doc.sentences}
        return [(hint, texts[index]) for index, (_, hint) in sorted(best)]

    def _prepare(self, article: ArticleInput) -> _Doc:
        language = yake_language(article.language)
        stop = stopwords(language)
        doc = _Doc(article.text, language, stop, split_sentences(article.text))
        doc.tokens = [
            [w.lower() for w in _TOKEN.findall(s.text) if len(w) > 2 and w.lower() not in stop]
            for s in doc.sentences
        ]
        doc.centrality = self._centrality(doc.tokens)
        raw = _extractor(language, YAKE_NGRAM, 40).extract_keywords(article.text[:YAKE_CHARS])
        doc.phrases = self._clean_phrases([kw for kw, _ in raw], stop)
        doc.phrase_keys = [frozenset(_norm(p).split()) for p in doc.phrases]
        for toks in doc.tokens:
            doc.df.update(set(toks))
        doc.title = article.title
        doc.title_words = frozenset(_norm(w) for w in _TOKEN.findall(article.title))
        return doc

    @staticmethod
    def _centrality(tokens: list[list[str]]) -> list[float]:
        """Cosine of each sentence's tf-idf vector to the document centroid."""
        df: Counter[str] = Counter()
        for toks in tokens:
            df.update(set(toks))
        n = max(1, len(tokens))
        idf = {w: math.log(1 + n / c) for w, c in df.items()}
        centroid: Counter[str] = Counter()
        vectors = []
        for toks in tokens:
            vec = {w: c * idf[w] for w, c in Counter(toks).items()}
            vectors.append(vec)
            centroid.update(vec)
        cnorm = math.sqrt(sum(v * v for v in centroid.values())) or 1.0
        out = []
        for vec in vectors:
            norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
            out.append(sum(v * centroid[w] for w, v in vec.items()) / (norm * cnorm))
        return out

    @staticmethod
    def _clean_phrases(phrases: list[str], stop: frozenset[str]) -> list[str]:
        """YAKE candidates minus junk (numbers, URLs, stopword edges), best first."""
        out: list[str] = []
        for phrase in phrases:
            phrase = " ".join(phrase.split()).strip(" -–—'\"“”’.,:;()[]")
            words = phrase.split()
            if not words or len(phrase) < 3 or len(words) > 4:
                continue
            if any(c in phrase for c in "/@#=<>{}|\\") or not any(ch.isalpha() for ch in phrase):
                continue
            if words[0].lower() in stop or words[-1].lower() in stop:
                continue
            if all(w.lower() in stop or not w.isalpha() for w in words):
                continue
            if any(
                is_verb_like(
                    w, words[i - 1] if i else "", words[i + 1] if i + 1 < len(words) else ""
                )
                for i, w in enumerate(words)
            ):
                continue  # "batteries earned", "sounded implausible": not noun phrases
            if len(words) == 1 and (
                phrase.lower() in _MONTHS
                or phrase.islower()
                and (phrase in GENERIC_WORDS or _ADJECTIVE_SUFFIX.search(phrase))
            ):
                continue
            out.append(phrase)
        return out

    # ------------------------------------------------------------------ keywords, themes

    def _keywords(self, doc: _Doc, technologies: list[Item], count: int = 8) -> list[str]:
        """Top YAKE phrases and named multi-word technologies, re-ranked toward named
        entities and title terms, without repeats."""
        ranked = []
        for rank, item in enumerate(technologies[:3]):
            if len(item.name.split()) > 1:
                name = item.name if item.name in doc.text else item.name.lower()
                ranked.append((4.0 + rank, -1, name))
        for rank, phrase in enumerate(doc.phrases):
            words = phrase.split()
            bonus = 0.0
            if len(words) == 1 and phrase.lower() != phrase and phrase.lower() in doc.text:
                bonus += 2  # "Batteries" at a sentence start is not a name
            elif all(w[:1].isupper() or w.isupper() for w in words):
                bonus -= 3 if len(words) > 1 else 2
            elif len(words) == 3:
                bonus += 3  # lowercase trigrams are mostly fragments
            elif len(words) == 1:
                bonus += 2  # a lone common word is rarely the article's key term
            if doc.title and _contains(doc.title, phrase):
                bonus -= 3
            ranked.append((rank + bonus, rank, phrase))
        ranked.sort()
        kept: list[str] = []
        keys: list[set[str]] = []
        for _, _, phrase in ranked:
            key = set(_norm(phrase).split())
            if any(len(key & other) * 2 >= min(len(key), len(other)) for other in keys):
                continue
            kept.append(phrase)
            keys.append(key)
            if len(kept) == count:
                break
        return kept

    @staticmethod
    def _themes(text: str) -> list[tuple[str, int]]:
        counts = []
        for theme, pattern in theme_patterns().items():
            n = len(pattern.findall(text))
            if n:
                counts.append((theme, n))
        counts.sort(key=lambda tc: (-tc[1], tc[0]))
        strong = [tc for tc in counts if tc[1] >= 2][:5]
        if len(strong) < 2:
            strong = counts[:2]
        return strong

    def _category(self, text: str, themes: list[tuple[str, int]]) -> str:
        theme_count = dict(themes)
        scores: dict[str, float] = {}
        for category, pattern in category_patterns().items():
            if category not in self.categories:
                continue
            votes = sum(theme_count.get(t, 0) for t in CATEGORY_THEMES.get(category, ()))
            scores[category] = votes + 1.5 * len(pattern.findall(text))
        choice = self._pick(scores, self.categories, minimum=3.0)
        if choice in {"others", ""} and "technology" in self.categories:
            # Weak evidence: a text naming technologies is about technology, else "others".
            tech = scores.get("technology", 0.0) + len(tech_term_pattern().findall(text[:20_000]))
            if tech >= 2.0:
                return "technology"
        return choice

    def _type(self, text: str, url: str) -> str:
        head = text[:20_000]
        words = max(50, len(head.split()))
        scores: dict[str, float] = {}
        for kind, cues in TYPE_CUES.items():
            total = 0.0
            for pattern, weight in cues:
                hits = len(re.findall(pattern, head, re.IGNORECASE | re.MULTILINE))
                total += weight * min(hits, 5)
            scores[kind] = total * math.sqrt(600 / words)
        for pattern, kind in TYPE_URL_HINTS:
            if url and re.search(pattern, url, re.IGNORECASE):
                scores[kind] = scores.get(kind, 0.0) + 4.0
        return self._pick_type(scores)

    def _pick_type(self, scores: dict[str, float]) -> str:
        """Research or social only on strong cues, news on reporting cues, else blog post.

        Reference cards call most web articles blog posts, so that is the default rather
        than "others", which says nothing.
        """
        allowed = {k: v for k, v in scores.items() if k in self.types}
        best = max(allowed, key=lambda k: (allowed[k], -self.types.index(k)), default="")
        news, blog = allowed.get("news", 0.0), allowed.get("blog post", 0.0)
        if best in {"research article", "social network"} and allowed[best] >= 3.0:
            return best
        if "news" in allowed and news >= 2.0 and news > blog:
            return "news"
        for fallback in ("blog post", "news", "others"):
            if fallback in self.types:
                return fallback
        return self._pick(scores, self.types, minimum=3.0)

    @staticmethod
    def _pick(scores: dict[str, float], vocabulary: tuple[str, ...], minimum: float) -> str:
        allowed = {k: v for k, v in scores.items() if k in vocabulary}
        if allowed:
            best = max(allowed, key=lambda k: (allowed[k], -vocabulary.index(k)))
            if allowed[best] >= minimum:
                return best
        return "others" if "others" in vocabulary else ""

    # ------------------------------------------------------------------ summary

    def _summary(self, doc: _Doc) -> str:
        """Central, early sentences in article order, within the word budget."""
        candidates = []
        for s in doc.sentences:
            n = len(s.text.split())
            if n < 5 or n > 70 or s.text.endswith("?") or s.text.endswith(":"):
                continue
            position = 0.35 / (1 + s.index) + (0.1 if s.index < 3 else 0.0)
            candidates.append((doc.centrality[s.index] + position, s))
        candidates.sort(key=lambda c: (-c[0], c[1].index))
        chosen: list[Sentence] = []
        words = 0
        for _, s in candidates:
            n = len(s.text.split())
            if words + n > SUMMARY_MAX_WORDS:
                continue
            chosen.append(s)
            words += n
            if len(chosen) == 5 or words > SUMMARY_MAX_WORDS - 8:
                break
        if not chosen and doc.sentences:  # only over-long sentences: cut the first one
            return " ".join(doc.sentences[0].text.split()[: SUMMARY_MAX_WORDS - 1]) + " …"
        return " ".join(" ".join(s.text.split()) for s in sorted(chosen, key=lambda s: s.index))

    # ------------------------------------------------------------------ item lists

    def _name(self, doc: _Doc, sentence: Sentence, taken: set[str]) -> str:
        """A short noun phrase naming what the sentence is about, in Title Case.

        Candidates are the sentence's noun phrases (after "X warn/say that", only the
        reported clause's); they score for being multi-word, key phrases of the article,
        frequent in it, named entities or title words, and lose for naming who speaks.
        """
        text = sentence.text
        phrases = noun_phrases(text, doc.stop)
        reported = REPORTING_THAT.search(text)
        if reported:
            phrases = [p for p in phrases if p[0] >= reported.end()] or phrases
        best: tuple[float, str] | None = None
        for order, (offset, phrase) in enumerate(phrases):
            key = _norm(phrase)
            if key in taken or len(phrase) < 3:
                continue
            words = key.split()
            keyset = frozenset(words)
            score = (0.0, 1.2, 1.4, 1.0)[min(len(words), 4) - 1]
            if words[-1] in ACTOR_NOUNS or words[-1] in GENERIC_WORDS:
                score -= 1.5
            for rank, pkey in enumerate(doc.phrase_keys[:40]):
                if pkey <= keyset:
                    score += (2.0 - rank * 0.04) * (0.5 if len(words) == 1 else 1.0)
                    break
            score += 0.25 * min(4, max(doc.df.get(w.lower(), 0) for w in phrase.split()) - 1)
            score += 0.3 * min(3, len(keyset & doc.title_words))
            if offset > 0 and any(w[:1].isupper() for w in phrase.split()):
                score += 0.4
            score -= 0.25 * order
            if best is None or score > best[0]:
                best = (score, phrase)
        choice = best[1] if best else self._content_run(doc, sentence)
        if not choice or _norm(choice) in taken:
            return ""
        taken.add(_norm(choice))
        return _title_case(choice)

    @staticmethod
    def _content_run(doc: _Doc, sentence: Sentence) -> str:
        """The longest run of content words (at most 4) in a sentence."""
        best: list[str] = []
        run: list[str] = []
        for word in [*_TOKEN.findall(sentence.text), ""]:
            if word and word.lower() not in doc.stop and len(word) > 2:
                run.append(word)
                continue
            if len(run) > len(best):
                best = run[:4]
            run = []
        return " ".join(best)

    def _cue_items(
        self, doc: _Doc, used: set[int]
    ) -> tuple[list[Signal], list[Item], list[Item], list[Item]]:
        """Cue sentences to lists: first by each sentence's strongest cue, then to fill gaps."""
        top_phrases = doc.phrases[:15]
        scored: dict[str, list[tuple[bool, float, float, Sentence]]] = {k: [] for k in MIN_CUE}
        for s in doc.sentences:
            n = len(s.text.split())
            if n < 8 or n > 80 or s.text.endswith("?"):
                continue
            cues = cue_scores(s.text)
            best = max(cues, key=lambda k: (cues[k] - MIN_CUE[k], -_TIE_ORDER.index(k)))
            overlap = sum(1 for p in top_phrases if _contains(s.text, p))
            for kind, cue in cues.items():
                if cue < MIN_CUE[kind]:
                    continue
                rank = cue + 0.8 * min(overlap, 4) + 2.0 * doc.centrality[s.index]
                scored[kind].append((kind == best, rank, cue + overlap / 2, s))
        out: dict[str, list[Item]] = {k: [] for k in MIN_CUE}
        taken: dict[str, set[str]] = {k: set() for k in MIN_CUE}
        for primary_pass in (True, False):
            for kind, rows in scored.items():
                rows.sort(key=lambda r: (-r[1], r[3].index))
                for primary, _, strength, s in rows:
                    if primary != primary_pass or s.index in used:
                        continue
                    if len(out[kind]) == self.max_items:
                        break
                    name = self._name(doc, s, taken[kind])
                    if name:
                        used.add(s.index)
                        out[kind].append(self._item(kind, name, s, strength))
        for kind in out:  # present in article order of importance: by relevancy, then position
            out[kind].sort(key=lambda item: -(item.relevancy or 0))
        return out["signals"], out["concerns"], out["behaviors"], out["issues"]  # type: ignore[return-value]

    @staticmethod
    def _item(kind: str, name: str, s: Sentence, strength: float) -> Item:
        relevancy = max(1, min(5, round(1 + strength / 2)))
        common = {
            "name": name,
            "description": _trim(s.text),
            "relevancy": relevancy,
            "evidence": s.text,
            "grounded": True,
        }
        if kind != "signals":
            return Item(**common)
        return Signal(
            **common,
            change=change_span(s.text) or (_trim(s.text) if _has_change_verb(s.text) else ""),
            ten_year=_trim(s.text) if has_future_horizon(s.text) else "",
            driving_force=cause_span(s.text),
        )

    # ------------------------------------------------------------------ technologies

    def _technologies(self, doc: _Doc) -> list[Item]:
        """Named technologies: lexicon terms, '<modifier> <tech head>' phrases, acronyms."""
        text = doc.text[:60_000]
        scores: Counter[str] = Counter()
        surface: dict[str, str] = {}

        def add(term: str, weight: float) -> None:
            term = " ".join(term.split()).strip(" -")
            key = _norm(term)
            if len(term) < 2 or not key:
                return
            surface.setdefault(key, term)
            scores[key] += weight

        for match in tech_term_pattern().finditer(text):
            add(match.group(0), 2.0)
        heads = "|".join(re.escape(h) for h in TECH_HEADS)
        head_re = re.compile(
            r"(?<![\w-])((?:[A-Za-z][\w-]{1,24} ){1,2})(" + heads + r")(?![\w-])", re.IGNORECASE
        )
        generic = {"system", "systems", "technology", "software", "model", "models"}
        for match in head_re.finditer(text):
            mods: list[str] = []
            for word in reversed(match.group(1).split()):  # trailing content words only
                if word.lower() in doc.stop:
                    break
                mods.insert(0, word)
            if not mods or not all(len(m) > 2 for m in mods):
                continue
            head = match.group(2)
            if head.lower() in generic and not any(m[:1].isupper() or "-" in m for m in mods):
                continue
            add(" ".join([*mods, head]), 1.0)
        for match in _ACRONYM.finditer(text):
            word = match.group(0)
            if word.rstrip("s").upper() in NON_TECH_ACRONYMS or word.upper() in NON_TECH_ACRONYMS:
                continue
            add(word, 0.6)
        for match in _PRODUCT.finditer(text):
            add(match.group(0), 0.8)

        # Prefer the longer term when one contains another ("batteries" in "sodium-ion batteries").
        keys = sorted(scores, key=lambda k: (-scores[k], -len(k), k))
        kept: list[str] = []
        for key in keys:
            if scores[key] < 1.2:
                continue
            if any(re.search(r"(?<!\w)" + re.escape(key) + r"(?!\w)", other) for other in kept):
                continue
            kept = [o for o in kept if not re.search(r"(?<!\w)" + re.escape(o) + r"(?!\w)", key)]
            kept.append(key)
        items: list[Item] = []
        for key in kept:
            term = surface[key]
            sentence = next((s for s in doc.sentences if _contains(s.text, term)), None)
            if sentence is None:
                continue
            items.append(
                Item(
                    name=_title_case(term) if term.islower() else term,
                    description=_trim(sentence.text),
                    relevancy=max(1, min(5, round(scores[key]))),
                    evidence=sentence.text,
                    grounded=True,
                )
            )
            if len(items) == self.max_items:
                break
        return items


_CHANGE_VERB = re.compile(
    r"\b(?:shift(?:s|ed|ing)?|chang(?:e|es|ed|ing)|grow(?:s|ing)?|grew|doubl(?:e|ed|es|ing)|"
    r"tripl(?:e|ed|es)|ris(?:e|es|ing)|rose|surg(?:e|ed|es|ing)|declin(?:e|ed|es|ing)|"
    r"increas(?:e|ed|es|ing)|decreas(?:e|ed|es|ing)|transform(?:s|ed|ing)?|"
    r"replac(?:e|ed|es|ing)|emerg(?:e|ed|es|ing)|for the first time)\b",
    re.IGNORECASE,
)


def _has_change_verb(sentence: str) -> bool:
    return bool(_CHANGE_VERB.search(sentence))
