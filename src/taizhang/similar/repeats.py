"""屡查屡犯: a finding that repeats, in a later round, a problem already found in the same unit or a
unit inside it. Raised when findings are indexed (by the write that made them), decided by the office
(`actions.decide`). A flag once decided is never raised again nor changed by a re-index or a
re-import: only pending flags are withdrawn when a finding is edited away from its counterpart.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from django.db.models import Q
from django.utils import timezone

from taizhang.core import audit
from taizhang.core.bulk import insert_rows
from taizhang.org.models import PATH_STEP
from taizhang.similar import engine, filing
from taizhang.similar.index import (
    FILE_ALL_BELOW,
    POSTING_KEYS,
    REPEAT_FROM,
    Entry,
    ancestors,
    subtree_upper,
    weights_for,
)
from taizhang.similar.models import FlagStatus, Indexed, RepeatFlag

LINE_LIMIT = 20_000  # findings of one unit's line compared with a batch (newest rounds first)
RECHECK = 8  # candidates of a new finding scored exactly for a repeat
FLAGS_PER_FINDING = 3  # the closest earlier findings a repeat is flagged against (the office reads each)
_LINE_CHUNK = 100_000  # findings of the line filed with one array operation
LINE_KEYS, LINE_PER_KEY = 8, 100  # what a new finding looks up in its line: a repeat shares its rarest words


def in_line(unit_path: str, other_path: str) -> bool:
    """The one rule of "the same unit": `other_path` is the unit itself or a unit inside it — except
    under the whole organisation (the tree's root), where only the root itself counts: a province's
    inspection of the city does not repeat what a district once found in its own ledger."""
    if not unit_path or not other_path:
        return False
    if len(unit_path) <= PATH_STEP:
        return other_path == unit_path
    return other_path.startswith(unit_path)


def raise_flags(new: list[Entry], *, by, among=None) -> int:
    """Flag each new finding against the findings of other rounds of its unit's line; returns how many.

    The pending flags of `among` (the new findings by default; a subquery for a whole source, whose
    ids an import would otherwise pass back by the ten thousand) are withdrawn first, and its decided
    flags stand."""
    if among is None:
        if not new:
            return 0
        among = {e.origin_id for e in new}
    RepeatFlag.objects.filter(Q(earlier_id__in=among) | Q(later_id__in=among), status=FlagStatus.PENDING).delete()
    pairs: dict[tuple[int, int], float] = {}
    groups = defaultdict(list)
    for e in new:
        if e.unit_path:
            groups[e.unit_path].append(e)
    for path, group in groups.items():
        sources = {e.source_id for e in group}
        line = _line(path, sources if len(sources) == 1 else set())  # an import's own round: never its line
        if line:
            pairs.update(_pairs(group, line))
    if not pairs:
        return 0
    decided = set(
        RepeatFlag.objects.filter(Q(earlier_id__in=among) | Q(later_id__in=among)).values_list("earlier_id", "later_id")
    )
    best = defaultdict(list)  # a later finding is flagged against its closest earlier ones only
    for (a, b), score in pairs.items():
        best[b].append((score, a))
    flags = sorted(
        (a, b, score)
        for b, found in best.items()
        for score, a in sorted(found, reverse=True)[:FLAGS_PER_FINDING]
        if (a, b) not in decided
    )
    if not flags:
        return 0
    now = timezone.now()
    ids = insert_rows(
        RepeatFlag,
        ("earlier_id", "later_id", "score"),
        flags,
        returning=True,
        same={"status": FlagStatus.PENDING, "note": "", "created_at": now, "decided_by_id": None, "decided_at": None},
    )
    audit.record_many(
        by,
        "repeat.flag",
        RepeatFlag,
        ((pk, f"{a} → {b}", {"earlier": a, "later": b, "score": s}) for pk, (a, b, s) in zip(ids, flags, strict=True)),
    )
    return len(flags)


def _line(path: str, sources: set[int]) -> list[Entry]:
    """Indexed findings of the unit at `path`, inside it, or of its ancestors (for a new finding of an
    earlier round than theirs), in other rounds than `sources`, newest first."""
    inside = Q(unit_path=path) if len(path) <= PATH_STEP else Q(unit_path__gte=path, unit_path__lt=subtree_upper(path))
    rows = (
        Indexed.objects.filter(inside | Q(unit_path__in=ancestors(path)))
        .exclude(source_id__in=sources)
        .order_by("-dated", "-origin_id")
        .values_list("origin_id", "source_id", "unit_id", "unit_path", "dated", "category", "norm")[:LINE_LIMIT]
    )
    return [Entry(*row) for row in rows]


def _pairs(group: list[Entry], line: list[Entry]) -> dict[tuple[int, int], float]:
    """(earlier, later) → score for the group's findings against the line, through the same two stages
    as a lookup (the most telling features, then the exact score), in memory: the line is filed once
    (each feature keeping its newest LINE_PER_KEY findings), each new finding looks up its LINE_KEYS
    features and scores its best RECHECK candidates exactly."""
    docs = {e.origin_id: engine.Doc(e.origin_id, e.norm, e.grams) for e in [*group, *line]}
    by_id = {o.origin_id: o for o in line}
    keys = set()
    for d in docs.values():
        keys.update(d.grams)
    weights = weights_for(keys)
    filed = defaultdict(list)
    limit = None if len(line) < FILE_ALL_BELOW else POSTING_KEYS
    for start in range(0, len(line), _LINE_CHUNK):  # the line is newest first, and so is each bucket
        part = line[start : start + _LINE_CHUNK]
        found = filing.features([e.norm for e in part])
        freq = filing.frequencies(found)
        position, keys_filed = filing.filed_under(found, freq, freq.looked_up(weights.df), weights.documents, limit)
        for at, key in zip(position.tolist(), keys_filed.tolist(), strict=True):
            bucket = filed[key]
            if len(bucket) < LINE_PER_KEY:
                bucket.append(part[at].origin_id)
    out = {}
    for e in group:
        query = docs[e.origin_id]
        hits = Counter()
        for key, _ in engine.top_keys(query.vector(weights), weights, LINE_KEYS, min_df=2):
            hits.update(filed.get(key, ()))
        hits.pop(e.origin_id, None)
        best = [
            pk
            for pk, _ in hits.most_common(RECHECK)
            if by_id[pk].dated != e.dated and by_id[pk].source_id != e.source_id
        ]
        for pk, score in engine.rank(query, [docs[pk] for pk in best], weights):
            if score < REPEAT_FROM:
                break
            other = by_id[pk]
            earlier, later = (other, e) if other.dated < e.dated else (e, other)
            if in_line(later.unit_path, earlier.unit_path):
                out[(earlier.origin_id, later.origin_id)] = score
    return out
