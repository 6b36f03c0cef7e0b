"""How alike two findings are: the one scoring rule, used by the product's index and by the evaluation
alike, touching no database.

A finding is 20–200 Chinese characters written by an inspector. Words are not separated, the same
problem is worded differently in each round, and different problems share the boilerplate of the
genre (存在……问题, 不到位, 不规范, 个别, 部分). So:

- `normalise` folds full-width forms and case, drops punctuation, spaces and the list numbering in
  front (一、 (1) ①), turns every run of digits into one `#` (a year or a sum names the round, not
  the problem), then folds the genre's synonyms and removes its framing (`thesaurus.py`).
- `features` are the character bigrams of what is left, each under the key of its two code points. (Trigrams were
  tried and dropped: on the tuning set they added nothing — MRR 0.978 with, 0.979 without — and
  cost half the indexing time.)
- `Weights` turns features into TF-IDF weights from document frequencies (the index keeps those
  counts per feature; the evaluation counts them in its file), with IDF raised to `IDF_POWER`: the
  genre's common words weigh little, what names the problem weighs a lot.
- `similarity` blends the cosine of the weighted vectors with an edit-distance ratio of the two
  normalised texts (rapidfuzz), which rewards the same phrase in the same order.

Every constant here was chosen on `similar/evaluation/dev.json` and checked once on `holdout.json`
(docs/similarity.md gives the figures); a change here must keep both floors in the tests.
"""

from __future__ import annotations

import heapq
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from rapidfuzz.distance import Indel

from taizhang.similar.thesaurus import fold

IDF_POWER = 1.5
COSINE_SHARE = 0.85  # the rest is the edit-distance ratio

# List numbering and the genre's framing, removed before features are taken. Texts are normalised
# together, joined by NUL (punctuation, so in no normalised text): numbering starts a text.
_NUMBERING = re.compile(r"(?:^|(?<=\0))\s*(?:[（(]?[一二三四五六七八九十\d]+[)）、.．]|[①-⑳])\s*")
_DIGITS = re.compile(r"\d+")
# Anything that is not a letter, a digit or a CJK character (punctuation of both widths, spaces).
_NOT_WORD = re.compile(r"[^\w#\0]|_", re.UNICODE)


def normalise(text: str) -> str:
    return normalise_many([text])[0]


def normalise_many(texts: list[str]) -> list[str]:
    """`normalise` of each text, in one pass of each step over all of them (an import's batch)."""
    if not texts:
        return []
    texts = [t or "" for t in texts]
    joined = "\0".join(texts)
    if joined.count("\0") != len(texts) - 1:  # a text holding NUL itself (SQLite keeps it)
        joined = "\0".join(t.replace("\0", "") for t in texts)
    # Punctuation goes before NFKC: most of what NFKC changes in a Chinese text is full-width
    # punctuation, and a text left with letters, digits and ideographs passes its quick check
    # untouched (an import's indexing spent half its normalising time in NFKC). The patterns take
    # both widths; what NFKC still changes (full-width letters, circled digits) is cleaned again.
    joined = _NOT_WORD.sub("", _DIGITS.sub("#", _NUMBERING.sub("", joined)))
    if not unicodedata.is_normalized("NFKC", joined):
        joined = _NOT_WORD.sub("", _DIGITS.sub("#", unicodedata.normalize("NFKC", joined)))
    return fold(joined.lower()).split("\0")


def features(text: str) -> Counter:
    """The character bigrams of the normalised text, as feature keys with their counts."""
    return grams_of(normalise(text))


KEY_SHIFT = 21  # bits of a code point (U+10FFFF at most)


def feature_key(feature: str) -> int:
    """The index's key of a feature: its characters' code points side by side (exact, no checksum:
    two features never share a key, and `filing` computes the same keys with array operations)."""
    if len(feature) == 1:
        return ord(feature)
    return (ord(feature[0]) << KEY_SHIFT) | ord(feature[1])


def grams_of(norm: str) -> Counter:
    """`features` of a text already normalised (the index keeps the normalised text)."""
    if len(norm) < 2:
        return Counter([ord(norm)] if norm else [])
    codes = list(map(ord, norm))
    return Counter([(a << KEY_SHIFT) | b for a, b in zip(codes, codes[1:], strict=False)])


@dataclass(frozen=True)
class Weights:
    """Document frequencies by feature key, and how many documents they were counted over (a feature
    absent from `df` counts as in none)."""

    df: Mapping[int, int]
    documents: int
    _idf: dict = field(default_factory=dict, compare=False, repr=False)

    def idf(self, key: int) -> float:
        value = self._idf.get(key)
        if value is None:
            value = self._idf[key] = (math.log((self.documents + 1) / (self.df.get(key, 0) + 1)) + 1.0) ** IDF_POWER
        return value

    def vector(self, grams: Counter) -> dict[int, float]:
        idf = self.idf
        vec = {key: (1.0 + math.log(count)) * idf(key) if count > 1 else idf(key) for key, count in grams.items()}
        norm = math.sqrt(sum(w * w for w in vec.values())) or 1.0
        return {k: w / norm for k, w in vec.items()}


def cosine(a: Mapping[int, float], b: Mapping[int, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(k, 0.0) for k, w in a.items())


def similarity(norm_a: str, vec_a: Mapping[int, float], norm_b: str, vec_b: Mapping[int, float]) -> float:
    """0 (nothing alike) … 1 (the same text)."""
    ratio = Indel.normalized_similarity(norm_a, norm_b) if norm_a and norm_b else 0.0
    return round(COSINE_SHARE * cosine(vec_a, vec_b) + (1 - COSINE_SHARE) * ratio, 4)


@dataclass
class Doc:
    """One finding as the scorer sees it (its vector kept for the weights it was computed with)."""

    key: object
    norm: str
    grams: Counter
    _vec: tuple = field(default=(None, None), compare=False, repr=False)

    def vector(self, weights: Weights) -> dict[int, float]:
        if self._vec[0] is not weights:
            self._vec = (weights, weights.vector(self.grams))
        return self._vec[1]


def doc(key, text: str) -> Doc:
    norm = normalise(text)
    return Doc(key, norm, grams_of(norm))


def keys_of(grams: Counter) -> set[int]:
    return set(grams)


def document_frequencies(docs: Iterable[Doc]) -> Counter:
    df: Counter = Counter()
    for d in docs:
        df.update(keys_of(d.grams))
    return df


def rank(query: Doc, candidates: Iterable[Doc], weights: Weights) -> list[tuple[object, float]]:
    """The candidates by similarity to the query, best first (ties by key, for a stable order)."""
    qvec = query.vector(weights)
    scored = [(c.key, similarity(query.norm, qvec, c.norm, c.vector(weights))) for c in candidates]
    scored.sort(key=lambda pair: (-pair[1], str(pair[0])))
    return scored


def posting_keys(grams: Counter, weights: Weights, limit: int | None, min_df: int = 0) -> list[tuple[int, float]]:
    """The `limit` features that say most about a finding (highest TF-IDF), as (key, weight), among
    those at least `min_df` findings carry: what the index files a finding under, and what a query
    looks up (a query skips the features only it has: they lead nowhere). Few features keep a
    lookup's cost flat as the ledger grows; the scoring above then runs on every feature of the
    candidates found."""
    return top_keys(weights.vector(grams), weights, limit, min_df)


def top_keys(vec: dict, weights: Weights, limit: int | None, min_df: int = 0) -> list[tuple[int, float]]:
    """`posting_keys` of a vector already computed."""
    usable = [kv for kv in vec.items() if weights.df.get(kv[0], 0) >= min_df] if min_df else list(vec.items())
    if limit is None:
        return usable
    return heapq.nsmallest(limit, usable, key=lambda kv: (-kv[1], kv[0]))
