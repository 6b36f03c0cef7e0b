"""Features, frequencies and posting keys of many findings at once, with numpy: what the index does
with an import's batch, an edit and a rebuild.

The same keys and weights as `engine` computes for one text (the tests compare the two on generated
texts): a feature's key is its two characters' code points side by side, its weight
`engine.Weights`' TF-IDF. Done one finding at a time in Python, counting features and choosing the
ones a finding is filed under cost three times what writing the postings costs, and nearly doubled
an import of 50,000 findings; here each step is one array operation over the whole batch.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from taizhang.similar import engine

_DOC_SHIFT = 2 * engine.KEY_SHIFT  # a (finding, feature) pair packed into one int64: finding above the key
_KEY_MASK = (1 << _DOC_SHIFT) - 1
SHARED = 2  # findings (itself included) that carry a feature it is preferably filed under
MAX_BATCH = 1 << (61 - _DOC_SHIFT)  # findings one call takes (2^19): the packed pairs and sort keys stay positive


@dataclass(frozen=True)
class Features:
    """Every (finding, feature) of a batch once, sorted by finding then key, with its count in the
    finding's text; `doc` is the finding's position in the batch."""

    doc: np.ndarray
    key: np.ndarray
    count: np.ndarray


def _runs(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of a sorted array and how often each occurs (np.unique sorts again)."""
    if not len(values):
        return values, values
    starts = np.flatnonzero(np.r_[True, values[1:] != values[:-1]])
    return values[starts], np.diff(np.r_[starts, len(values)])


def features(norms: Sequence[str]) -> Features:
    """The features of normalised texts (`engine.grams_of` of each, as arrays)."""
    if len(norms) >= MAX_BATCH:
        raise ValueError(f"at most {MAX_BATCH - 1} texts a batch")
    # NUL separates the texts: normalising removes it with the rest of the punctuation.
    codes = np.frombuffer("\0".join(norms).encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    gap = codes == 0
    doc = np.cumsum(gap)
    inside = ~(gap[:-1] | gap[1:])
    packed = (doc[:-1][inside] << _DOC_SHIFT) | (codes[:-1][inside] << engine.KEY_SHIFT) | codes[1:][inside]
    singles = [(i << _DOC_SHIFT) | ord(n) for i, n in enumerate(norms) if len(n) == 1]  # one character: itself
    if singles:
        packed = np.concatenate([packed, np.array(singles, dtype=np.int64)])
    pairs, counts = _runs(np.sort(packed))
    return Features(pairs >> _DOC_SHIFT, pairs & _KEY_MASK, counts)


@dataclass(frozen=True)
class Frequencies:
    """The batch's distinct features (`keys`, sorted), in how many of its findings each occurs
    (`findings`), and which of them each (finding, feature) pair is (`where`)."""

    keys: np.ndarray
    findings: np.ndarray
    where: np.ndarray

    def as_dict(self) -> dict[int, int]:
        return dict(zip(self.keys.tolist(), self.findings.tolist(), strict=True))

    def looked_up(self, df: Mapping[int, int]) -> np.ndarray:
        """`df`'s frequency of each of `keys` (0 where it has none)."""
        return np.array([df.get(k, 0) for k in self.keys.tolist()], dtype=np.int64)


def frequencies(found: Features) -> Frequencies:
    """How many findings of the batch carry each feature: what it adds to the document frequencies."""
    keys, where, findings = np.unique(found.key, return_inverse=True, return_counts=True)
    return Frequencies(keys, findings, where)


def filed_under(
    found: Features, freq: Frequencies, dfs: np.ndarray, documents: int, limit: int | None
) -> tuple[np.ndarray, np.ndarray]:
    """The features each finding is filed under, as (position in the batch, key) arrays: all of
    them with `limit` None, else its `limit` heaviest (TF-IDF, ties by the smaller key) among those
    another finding already carries (`dfs`: the frequency of each of `freq.keys`, this batch
    counted), the heaviest of the others after them.

    The heaviest features of a finding are its rarest, and a feature no other finding has is mostly
    its own wording (a name, a turn of phrase) that the next round's inspector will not repeat:
    filed under those, a finding was found by half as many of its labelled counterparts among
    30,000 others as a scan of all of them finds; preferring the features already shared brought
    it to 95 % of the scan on the tuning set, 82 % on the holdout (docs/similarity.md)."""
    if limit is None or not len(found.key):
        return found.doc, found.key
    where = freq.where
    idf = (np.log((documents + 1) / (dfs + 1)) + 1.0) ** engine.IDF_POWER
    weight = np.where(found.count > 1, 1.0 + np.log(found.count), 1.0) * idf[where]
    # Pairs arrive by finding, then key: one stable sort by finding, then shared before not, then
    # the weight's rank (heaviest first), leaves equal weights in key order.
    _, heavier = np.unique(-weight, return_inverse=True)
    alone = (dfs[where] < SHARED).astype(np.int64)
    order = np.argsort((found.doc << 33) | (alone << 32) | heavier, kind="stable")
    doc = found.doc[order]
    first = np.flatnonzero(np.r_[True, doc[1:] != doc[:-1]])
    rank = np.arange(len(doc)) - np.repeat(first, np.diff(np.r_[first, len(doc)]))
    chosen = order[rank < limit]
    return found.doc[chosen], found.key[chosen]
