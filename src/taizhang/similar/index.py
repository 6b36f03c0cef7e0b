"""The product's index of findings: kept in step by the actions that write findings, read by the
finding page, the import preview and the repeat flags. Scoring is `engine`'s, the same code the
evaluation runs; this module only stores and looks up.

A lookup costs the same at a million findings as at ten thousand: it reads the query's `QUERY_KEYS`
most telling features, at most `PER_KEY` postings each (the newest), adds their weights per finding
in one statement, then scores the best `RERANK` exactly with every feature of both texts. What a
finding shares only through common features is not found; the benchmark prints how often the
brute-force scan's best five differ from the lookup's.

The index tables are derived from the findings like a search index: not in the audit chain, rebuilt
by `taizhang similar rebuild`, compared by `taizhang similar rebuild --check`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from contextlib import contextmanager
from contextvars import ContextVar
from typing import NamedTuple

import numpy as np
from django.db import connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr

from taizhang.core.bulk import insert_rows
from taizhang.core.permissions import unrestricted
from taizhang.org.models import PATH_STEP
from taizhang.similar import engine, filing
from taizhang.similar.models import Corpus, Indexed, PostingBlock, Term
from taizhang.tasks.origins import Origin, OriginKind

POSTING_KEYS = 8  # features a finding is filed under, once the index holds FILE_ALL_BELOW findings
FILE_ALL_BELOW = 2000  # until then the frequencies say little: a finding is filed under every feature
QUERY_KEYS = 16  # features a lookup reads
PER_KEY = 300  # postings read per feature, newest first
RERANK = 60  # candidates scored exactly
BLOCK = 120  # findings per posting block: 960 bytes, stored inside the row on both databases
SHOWN_FROM = 0.1  # below this score a finding is not shown as similar (docs/similarity.md)
REPEAT_FROM = 0.15  # from this score a same-unit finding of a later round is flagged (docs/similarity.md)
_CHUNK = 5000


class Entry(NamedTuple):  # a tuple: an import makes one per finding
    origin_id: int
    source_id: int
    unit_id: int | None
    unit_path: str
    dated: dt.date
    category: str
    norm: str

    @property
    def grams(self) -> Counter:
        return engine.grams_of(self.norm)


def entries(origin_ids) -> list[Entry]:
    """The index's view of these findings, read from the ledger (one query)."""
    rows = Origin.objects.filter(pk__in=list(origin_ids), kind=OriginKind.FINDING).values_list(
        "pk",
        "source_id",
        "found_in_id",
        "found_in__path",
        "source__inspected_unit_id",
        "source__inspected_unit__path",
        "source__feedback_date",
        "category__name",
        "text",
    )
    rows = list(rows)
    norms = engine.normalise_many([row[-1] for row in rows])
    return [
        Entry(pk, src, found or inspected, (found_path if found else inspected_path) or "", day, cat or "", norm)
        for (pk, src, found, found_path, inspected, inspected_path, day, cat, _), norm in zip(rows, norms, strict=True)
    ]


def weights_for(keys) -> engine.Weights:
    keys = list(keys)
    df = {}
    for i in range(0, len(keys), _CHUNK):
        df.update(Term.objects.filter(key__in=keys[i : i + _CHUNK]).values_list("key", "df"))
    corpus = Corpus.objects.filter(pk=1).values_list("documents", flat=True).first() or 0
    return engine.Weights(df, corpus)


@transaction.atomic
def update(origin_ids) -> list[Entry]:
    """(Re)index these findings as they now stand; called inside the write that changed them."""
    origin_ids = list(origin_ids)
    forget(origin_ids)
    return _add(entries(origin_ids))


def add_new(source, rows) -> list[Entry]:
    """Index findings just inserted into `source` (an import's batch): `rows` are (id, text, category
    name); nothing is read back from the ledger."""
    unit = source.inspected_unit
    unit_id, path = (unit.pk, unit.path) if unit else (None, "")
    norms = engine.normalise_many([text for _, text, _ in rows])
    day = source.feedback_date
    return _add(
        [Entry(pk, source.pk, unit_id, path, day, cat, norm) for (pk, _, cat), norm in zip(rows, norms, strict=True)]
    )


def _add(new: list[Entry]) -> list[Entry]:
    if not new:
        return []
    found = filing.features([e.norm for e in new])
    freq = filing.frequencies(found)
    pending = _pending.get()
    if pending is None:
        dfs = freq.looked_up(_add_df(freq.as_dict()))
        before = _count_documents(len(new))
    else:
        dfs, before = pending.frequencies(freq), pending.documents(len(new))
    _write_indexed(new)
    filed = None if before < FILE_ALL_BELOW else POSTING_KEYS
    position, keys = filing.filed_under(found, freq, dfs, before + len(new), filed)
    docs = np.array([e.origin_id for e in new], dtype=np.int64)[position]
    rounds = np.array([e.source_id for e in new], dtype=np.int64)[position]
    dated = {e.source_id: e.dated for e in new}
    if pending is None:
        _write_postings(keys, docs, rounds, dated)
    else:
        pending.hold(keys, docs, rounds, dated)
    return new


def _write_indexed(new: list[Entry]) -> None:
    rounds: dict[tuple, list] = {}  # the findings of one round share four of the seven columns
    for e in new:
        rounds.setdefault((e.source_id, e.unit_id, e.unit_path, e.dated), []).append((e.origin_id, e.category, e.norm))
    for (source, unit, path, dated), rows in rounds.items():
        same = {"source_id": source, "unit_id": unit, "unit_path": path, "dated": dated}
        insert_rows(Indexed, ("origin_id", "category", "norm"), rows, same=same)


def _count_documents(added: int) -> int:
    """Add `added` to the corpus' count; returns the count before."""
    corpus, _ = Corpus.objects.get_or_create(pk=1)
    Corpus.objects.filter(pk=1).update(documents=F("documents") + added)
    return corpus.documents


MERGE_BELOW = 1000  # postings written at once below which they join their features' newest blocks


def _write_postings(keys: np.ndarray, docs: np.ndarray, rounds: np.ndarray, dated: dict) -> None:
    """File `docs[i]` (a finding of round `rounds[i]`, whose date `dated` gives) under `keys[i]`: for
    each feature, its findings newest first, in blocks of at most BLOCK findings of one round.

    A block names its round and the round's date, so a lookup passes over the blocks of its own
    round and of rounds older than it asks for without reading their findings. A few postings (a
    finding entered or edited on its page) join their feature's newest block where it is of the same
    round, has room and is older, so findings added one at a time still fill blocks."""
    if len(keys) and len(keys) < MERGE_BELOW:
        keys, docs, rounds = _merged_with_newest(keys, docs, rounds)
    rows = [
        (key, last, first, round_, dated[round_], packed)
        for key, last, first, round_, packed in _blocks(keys, docs, rounds)
    ]
    insert_rows(PostingBlock, ("key", "last", "first", "source_id", "dated", "docs"), rows)


_LOCK_CLASS = 0x7369  # advisory locks of the postings' features ("si"); the workers' class is another
_LOCK_BUCKETS = 256  # features share locks: a transaction holds at most this many, whatever it touches


def _lock_features(keys) -> None:
    """Serialise the read-rewrite of these features' blocks with other transactions' (PostgreSQL runs
    writers side by side; SQLite's IMMEDIATE transactions already queue). Without it two findings
    of one block changed at once (a deletion takes its finding out before its audit event, so the
    chain's lock does not queue it behind an edit) could each rewrite the block from what it was
    before the other's change: a finding left filed, or two blocks with one primary key."""
    if connection.vendor != "postgresql":
        return
    buckets = sorted({int(k) % _LOCK_BUCKETS for k in keys})  # one order for everyone: no deadlock
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, b) FROM (SELECT unnest(%s::int[]) AS b ORDER BY 1) AS ordered",
            [_LOCK_CLASS, buckets],
        )


def _merged_with_newest(keys: np.ndarray, docs: np.ndarray, rounds: np.ndarray):
    """The postings plus the newest blocks they join (taken out of the table to be written again)."""
    table = PostingBlock._meta.db_table
    adding = Counter(keys.tolist())
    _lock_features(adding)
    oldest, round_of = {}, {}
    for key, doc, round_ in zip(keys.tolist(), docs.tolist(), rounds.tolist(), strict=True):
        oldest[key] = min(doc, oldest.get(key, doc))
        round_of[key] = round_ if round_of.get(key, round_) == round_ else None  # one round, or none joins
    marks = ",".join(["%s"] * len(adding))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT b.key, b.last, b.source_id, b.docs FROM {table} b JOIN (SELECT key, MAX(last) AS last "
            f"FROM {table} WHERE key IN ({marks}) GROUP BY key) n ON n.key = b.key AND n.last = b.last",
            list(adding),
        )
        joined = [
            (key, last, round_, _unpacked(packed))
            for key, last, round_, packed in cursor.fetchall()
            if last < oldest[key] and round_ == round_of[key] and len(packed) // 8 + adding[key] <= BLOCK
        ]
        if not joined:
            return keys, docs, rounds
        cursor.executemany(
            f"DELETE FROM {table} WHERE key = %s AND last = %s", [(key, last) for key, last, _, _ in joined]
        )
    sizes = [len(packed) for *_, packed in joined]
    return (
        np.concatenate([keys, np.repeat(np.array([j[0] for j in joined], dtype=np.int64), sizes)]),
        np.concatenate([docs, *[packed.astype(np.int64) for *_, packed in joined]]),
        np.concatenate([rounds, np.repeat(np.array([j[2] for j in joined], dtype=np.int64), sizes)]),
    )


def _blocks(keys: np.ndarray, docs: np.ndarray, rounds: np.ndarray) -> list[tuple]:
    """(key, newest, oldest, round, packed ids) rows: each key's findings newest first, a block for
    each run of one round, cut every BLOCK."""
    if not len(keys):
        return []
    order = np.lexsort((-docs, keys))
    keys, docs, rounds = keys[order], docs[order], rounds[order]
    runs = np.flatnonzero(np.r_[True, (keys[1:] != keys[:-1]) | (rounds[1:] != rounds[:-1])])
    lengths = np.diff(np.r_[runs, len(keys)])
    per_run = (lengths + BLOCK - 1) // BLOCK
    within = np.arange(per_run.sum()) - np.repeat(np.cumsum(per_run) - per_run, per_run)
    starts = np.repeat(runs, per_run) + within * BLOCK
    ends = np.minimum(starts + BLOCK, np.repeat(runs + lengths, per_run))
    packed = docs.astype("<i8").tobytes()
    return [
        (key, newest, oldest, round_, packed[8 * a : 8 * b])
        for key, newest, oldest, round_, a, b in zip(
            keys[starts].tolist(),
            docs[starts].tolist(),
            docs[ends - 1].tolist(),
            rounds[starts].tolist(),
            starts.tolist(),
            ends.tolist(),
            strict=True,
        )
    ]


def _unpacked(docs) -> np.ndarray:
    return np.frombuffer(bytes(docs), dtype="<i8")


def postings() -> list[tuple[int, int]]:
    """Every (feature, finding) pair the index files (for checks and tests)."""
    return [
        (key, doc)
        for key, docs in PostingBlock.objects.values_list("key", "docs").iterator()
        for doc in _unpacked(docs).tolist()
    ]


def _unfile(ids: list[int], keys: set[int]) -> None:
    """Take the findings `ids` out of the blocks of `keys` they are filed in: each block holding one
    of them is rewritten once without them (or deleted when nothing is left)."""
    if not ids or not keys:
        return
    table, gone = PostingBlock._meta.db_table, np.array(sorted(ids), dtype=np.int64)
    keys = sorted(keys)
    _lock_features(keys)
    with connection.cursor() as cursor:
        for i in range(0, len(keys), 500):
            part = keys[i : i + 500]
            cursor.execute(
                f"SELECT key, last, source_id, dated, docs FROM {table} "
                f"WHERE key IN ({','.join(['%s'] * len(part))}) AND last >= %s AND first <= %s",
                [*part, int(gone[0]), int(gone[-1])],
            )
            stale, kept = [], []
            for key, last, round_, dated, docs in cursor.fetchall():
                docs = _unpacked(docs)
                keep = ~_member(docs, gone)
                if keep.all():
                    continue
                stale.append((key, last))
                docs = docs[keep]
                if len(docs):
                    kept.append((key, int(docs[0]), int(docs[-1]), round_, dated, docs.astype("<i8").tobytes()))
            if stale:
                cursor.executemany(f"DELETE FROM {table} WHERE key = %s AND last = %s", stale)
            if kept:
                insert_rows(PostingBlock, ("key", "last", "first", "source_id", "dated", "docs"), kept)


class _Pending:
    """An import's index writes, held until it ends (`batched`). Every batch of an import touches
    the postings of nearly every feature: written batch by batch, the same pages of the postings'
    index were rewritten each time (half of what indexing added to an import); held, they are
    written in one sorted pass, and the frequencies added in one statement per 500 features.
    The frequencies the batches are weighed with stay exact: read once per feature, then kept
    with what the earlier batches added."""

    FLUSH_AT = 500_000  # postings held at most (8 MB): memory stays flat in the file's length

    def __init__(self):
        self.df: dict[int, int] = {}  # stored + held, for the features seen
        self.stored: dict[int, int] = {}  # as stored, for the same features
        self.stored_documents: int | None = None
        self.added = 0
        self.keys: list[np.ndarray] = []
        self.docs: list[np.ndarray] = []
        self.rounds: list[np.ndarray] = []
        self.dated: dict = {}
        self.held = 0

    def frequencies(self, freq: filing.Frequencies) -> np.ndarray:
        """Each of the batch's features' frequency with the batch counted (as `filed_under` takes it)."""
        keys = freq.keys.tolist()
        unseen = [k for k in keys if k not in self.df]
        for i in range(0, len(unseen), _CHUNK):
            part = unseen[i : i + _CHUNK]
            read = dict.fromkeys(part, 0) | dict(Term.objects.filter(key__in=part).values_list("key", "df"))
            self.df.update(read)
            self.stored.update(read)
        df, after = self.df, []
        for k, n in zip(keys, freq.findings.tolist(), strict=True):
            df[k] = value = df[k] + n
            after.append(value)
        return np.array(after, dtype=np.int64)

    def documents(self, added: int) -> int:
        if self.stored_documents is None:
            self.stored_documents = Corpus.objects.filter(pk=1).values_list("documents", flat=True).first() or 0
        before = self.stored_documents + self.added
        self.added += added
        return before

    def hold(self, keys: np.ndarray, docs: np.ndarray, rounds: np.ndarray, dated: dict) -> None:
        self.keys.append(keys)
        self.docs.append(docs)
        self.rounds.append(rounds)
        self.dated.update(dated)
        self.held += len(keys)
        if self.held >= self.FLUSH_AT:
            self.flush()

    def drop(self, origin_ids) -> None:
        """Held postings of findings taken out of the index (re-indexed within the same import)."""
        for i, docs in enumerate(self.docs):
            keep = ~np.isin(docs, list(origin_ids))
            self.keys[i], self.docs[i], self.rounds[i] = self.keys[i][keep], docs[keep], self.rounds[i][keep]

    def flush(self) -> None:
        stored = self.stored
        _add_df({k: n - stored[k] for k, n in self.df.items() if n != stored[k]})
        self.stored = dict(self.df)
        if self.added:
            _count_documents(self.added)
            self.stored_documents += self.added
        if self.keys:
            held = (np.concatenate(self.keys), np.concatenate(self.docs), np.concatenate(self.rounds))
            _write_postings(*held, self.dated)
        self.added, self.keys, self.docs, self.rounds, self.held = 0, [], [], [], 0


_pending: ContextVar[_Pending | None] = ContextVar("similar_pending", default=None)


@contextmanager
def batched():
    """Hold the index's writes of the findings added inside this block and write them at its end;
    used inside the transaction of an import (the index is then complete when it commits). A block
    that raises writes nothing (its transaction rolls back)."""
    if _pending.get() is not None:
        yield
        return
    pending = _Pending()
    token = _pending.set(pending)
    try:
        yield
        if not connection.needs_rollback:  # a refused import is rolled back: nothing to write
            pending.flush()
    finally:
        _pending.reset(token)


def forget(origin_ids) -> None:
    """Take these findings out of the index (before an edit is re-indexed, or when they are deleted)."""
    old = list(Indexed.objects.filter(origin_id__in=list(origin_ids)).values_list("origin_id", "norm"))
    if not old:
        return
    delta = Counter()
    for _pk, norm in old:
        delta.update(engine.keys_of(engine.grams_of(norm)))
    ids = [pk for pk, _ in old]
    _unfile(ids, set(delta))  # filed under some of their own features
    _add_df({k: -n for k, n in delta.items()})
    pending = _pending.get()
    if pending is not None:
        pending.drop(ids)
        for k, n in delta.items():  # already taken off the stored frequencies
            if k in pending.df:
                pending.df[k] -= n
                pending.stored[k] -= n
        if pending.stored_documents is not None:
            pending.stored_documents -= len(old)
    Indexed.objects.filter(origin_id__in=ids).delete()
    Corpus.objects.filter(pk=1).update(documents=F("documents") - len(old))


def _add_df(delta: dict) -> dict[int, int]:
    """Add `delta` to the document frequencies, inserting new features (one statement per 500);
    returns each feature's frequency after the change."""
    items = [(k, n) for k, n in delta.items() if n]
    table = Term._meta.db_table
    after = {}
    with connection.cursor() as cursor:
        for i in range(0, len(items), 500):
            part = items[i : i + 500]
            marks = ",".join(["(%s, %s)"] * len(part))
            cursor.execute(
                f"INSERT INTO {table} (key, df) VALUES {marks} "
                f"ON CONFLICT (key) DO UPDATE SET df = {table}.df + excluded.df RETURNING key, df",
                [v for pair in part for v in pair],
            )
            after.update(cursor.fetchall())
    return after


def candidates(
    grams: Counter,
    weights: engine.Weights,
    *,
    own: bool,
    exclude_source=None,
    visible=None,
    since=None,
    category=None,
    limit=RERANK,
) -> list[int]:
    """Findings sharing the query's most telling features, best first: the newest PER_KEY findings
    the filters admit under each of those features, their weights added per finding.

    `visible` is a queryset of origin ids the reader may see (None: everything); `since` a date the
    round must not be older than; `category` a category name the finding must carry; `own` says the
    query is itself indexed (its own features then count once more)."""
    keys = engine.posting_keys(grams, weights, QUERY_KEYS, min_df=1 + own)
    if not keys:
        return []
    admitted = _Admission(exclude_source, visible, since, category)
    weight_of = dict(keys)
    newest = _newest(weight_of, admitted)
    docs = np.array([doc for key in newest for doc in newest[key]], dtype=np.int64)
    if not len(docs):
        return []
    weight = np.repeat([weight_of[key] for key in newest], [len(found) for found in newest.values()])
    ids, where = np.unique(docs, return_inverse=True)
    score = np.bincount(where, weights=weight)
    best = np.lexsort((-ids, -score))[: int(limit)]  # the highest sum first, then the newest
    return ids[best].tolist()


class _Admission:
    """Which findings a lookup's filters admit: the round and its date by the blocks read, the
    reader's scope and the category asked of the database once per finding, a round of blocks at a
    time (one statement, the ids passed as one array on PostgreSQL, one JSON text on SQLite, rather
    than thousands of bound parameters)."""

    def __init__(self, exclude_source, visible, since, category):
        # The round and its date are the blocks' own: blocks of other rounds are read, never asked about.
        self.block_where, self.block_params = [], []
        if exclude_source is not None:
            self.block_where.append(" AND source_id <> %s")
            self.block_params.append(exclude_source)
        if since is not None:
            self.block_where.append(" AND dated >= %s")
            self.block_params.append(since)
        where, params = [], []
        if category:
            where.append("category = %s")
            params.append(category)
        if visible is not None:
            sub, sub_params = visible.query.sql_with_params()
            where.append(f"origin_id IN ({sub})")
            params.extend(sub_params)
        self.where, self.params = where, params  # none: every indexed finding is admitted
        self.asked = np.array([], dtype=np.int64)  # sorted
        self.admitted = np.array([], dtype=np.int64)  # sorted

    def learn(self, docs: np.ndarray) -> None:
        if not self.where:
            return
        unknown = np.unique(docs[~_member(docs, self.asked)])
        if not len(unknown):
            return
        self.asked = np.sort(np.concatenate([self.asked, unknown]))
        if connection.vendor == "postgresql":
            ids, listed = "origin_id = ANY(%s)", unknown.tolist()
        else:
            ids, listed = "origin_id IN (SELECT value FROM json_each(%s))", json.dumps(unknown.tolist())
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT origin_id FROM {Indexed._meta.db_table} WHERE {ids} AND {' AND '.join(self.where)}",
                [listed, *self.params],
            )
            found = [row[0] for row in cursor.fetchall()]
        self.admitted = np.sort(np.concatenate([self.admitted, np.array(found, dtype=np.int64)]))

    def __call__(self, docs: np.ndarray) -> np.ndarray:
        """The admitted among `docs`, in their order."""
        return docs[_member(docs, self.admitted)] if self.where else docs


def _member(values: np.ndarray, sorted_values: np.ndarray) -> np.ndarray:
    """Which of `values` are in `sorted_values` (a binary search each: np.isin hashes both arrays,
    which cost more than the lookup's SQL when called per feature)."""
    if not len(sorted_values):
        return np.zeros(len(values), dtype=bool)
    at = np.searchsorted(sorted_values, values)
    at[at == len(sorted_values)] = 0
    return sorted_values[at] == values


def _newest(keys: dict[int, float], admitted: _Admission) -> dict[int, list[int]]:
    """For each key, the newest PER_KEY findings filed under it that `admitted` admits.

    Blocks are read newest first (by their newest finding), a few per key, then twice as many for
    the keys still short. A block's findings may be older than an unread block's newest (an edited
    finding is filed again in a block of its own), so one block more is asked for than is read:
    only findings newer than its newest are taken until the key's blocks are all read."""
    table = PostingBlock._meta.db_table
    found: dict[int, list[np.ndarray]] = {key: [] for key in keys}
    below: dict[int, int | None] = dict.fromkeys(keys)  # the newest id of the last block read
    chosen: dict[int, list[int]] = {}
    want, count = list(keys), PER_KEY // BLOCK + 2  # enough for PER_KEY when nothing is filtered out
    while want:
        parts, params = [], []
        for n, key in enumerate(want):
            older = "" if below[key] is None else " AND last < %s"
            parts.append(
                f"SELECT * FROM (SELECT key, last, docs FROM {table} WHERE key = %s{older}"
                f"{''.join(admitted.block_where)} ORDER BY last DESC LIMIT {count + 1}) AS b{n}"
            )
            params += ([key] if below[key] is None else [key, below[key]]) + admitted.block_params
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            rows = cursor.fetchall()
        read: dict[int, list] = {key: [] for key in want}
        for key, last, docs in rows:
            read[key].append((last, docs))
        short, ready = [], {}
        for key in want:
            blocks = sorted(read[key], key=lambda block: block[0], reverse=True)
            unread = blocks[count][0] if len(blocks) > count else None  # the newest id not yet read
            blocks = blocks[:count]
            found[key] += [_unpacked(docs) for _, docs in blocks]
            if blocks:
                below[key] = blocks[-1][0]
            docs = np.sort(np.concatenate(found[key]))[::-1] if found[key] else np.array([], dtype=np.int64)
            ready[key] = (docs[docs > unread] if unread is not None else docs, unread)
        if ready:
            admitted.learn(np.concatenate([docs for docs, _ in ready.values()]))
        for key, (docs, unread) in ready.items():
            taken = admitted(docs)[:PER_KEY].tolist()
            chosen[key] = taken
            if len(taken) < PER_KEY and unread is not None:
                short.append(key)
        want, count = short, count * 2
    return chosen


def score(query_norm: str, others: list[tuple[int, str]], weights: engine.Weights | None = None):
    """`others` ((id, normalised text)) scored against the query, best first."""
    query = engine.Doc(None, query_norm, engine.grams_of(query_norm))
    docs = [engine.Doc(pk, norm, engine.grams_of(norm)) for pk, norm in others]
    if weights is None:
        keys = set(engine.keys_of(query.grams))
        for d in docs:
            keys |= engine.keys_of(d.grams)
        weights = weights_for(keys)
    return engine.rank(query, docs, weights)


def similar(origin: Origin, user, *, limit=5, since=None, category=None) -> list[tuple[int, float]]:
    """The findings of other rounds most like `origin` that `user` may see, (id, score) best first.
    A finding the reader may not see is never counted, scored or returned."""
    norm = engine.normalise(origin.text)
    grams = engine.grams_of(norm)
    weights = weights_for(engine.keys_of(grams))
    visible = None if user is None or unrestricted(user) else Origin.objects.restrict(user).values("pk")
    own = origin.pk is not None and Indexed.objects.filter(pk=origin.pk, norm=norm).exists()
    found = candidates(
        grams, weights, own=own, exclude_source=origin.source_id, visible=visible, since=since, category=category
    )
    found = [pk for pk in found if pk != origin.pk]
    if not found:
        return []
    others = list(Indexed.objects.filter(origin_id__in=found).values_list("origin_id", "norm"))
    ranked = score(norm, others)
    return [(pk, s) for pk, s in ranked if s >= SHOWN_FROM][:limit]


def follow_move(sender, old_path: str, new_path: str, **kwargs) -> None:
    """A unit moved in the tree (`org.actions.subtree_moved`): its subtree's findings are filed by
    their new paths, inside the move's transaction, so "the same unit" of the repeat flags follows."""
    Indexed.objects.filter(unit_path__gte=old_path, unit_path__lt=subtree_upper(old_path)).update(
        unit_path=Concat(Value(new_path), Substr("unit_path", len(old_path) + 1))
    )


def subtree_upper(path: str) -> str:
    return str(int(path) + 1).zfill(len(path)) if path else ""


def ancestors(path: str) -> list[str]:
    return [path[:i] for i in range(PATH_STEP, len(path), PATH_STEP)]
