"""The evaluation of the similarity of findings on a labelled file, touching no database.

The file: `{"findings": [{"id", "unit", "round", "category", "text"}], "clusters": {name: [ids]},
"repeats": [[earlier, later]], "hard_negatives": [[a, b]]}`. A finding's counterparts are the others
of its cluster (and of its repeat pairs); rounds sort by the year they name, then by their order of
first appearance in the file.

Figures, each over the findings that have at least one counterpart:
- precision@5: counterparts among the first five, over min(5, counterparts) — a finding with two
  counterparts that finds both scores 1 (`precision_at_5_over_5` divides by five whatever the
  cluster's size, so it cannot reach 1 with clusters of fewer than six);
- recall@10: counterparts among the first ten, over all its counterparts;
- MRR: the mean of 1 / rank of the first counterpart;
- hard negatives: the share of directed pairs (a, b) in which b takes a place that belongs to a's
  counterparts (b within a's first max(1, counterparts) places);
- the repeat flag at its threshold: pairs of the same unit, later round, scored at or above it. The
  false-positive rate is the share of flagged pairs that are not labelled repeats; recall the share
  of labelled repeats flagged.

`baseline` scores the same file with a plain character-bigram TF-IDF cosine, the yardstick the issue
names.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from taizhang.similar import engine

HERE = Path(__file__).resolve().parent
_YEAR = re.compile(r"((?:19|20)\d\d)")


class BadFile(ValueError):
    pass


@dataclass
class Labelled:
    findings: list[dict]
    counterparts: dict[str, set[str]]
    repeats: set[tuple[str, str]]
    hard_negatives: list[tuple[str, str]]
    round_order: dict[str, tuple[int, int]] = field(default_factory=dict)


def load(path) -> Labelled:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BadFile(f"无法读取评测文件：{exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("findings"), list):
        raise BadFile("评测文件缺少 findings 列表。")
    ids = set()
    for i, f in enumerate(data["findings"]):
        if not isinstance(f, dict) or not f.get("id") or not isinstance(f.get("text"), str):
            raise BadFile(f"第 {i + 1} 条问题缺少 id 或 text。")
        if f["id"] in ids:
            raise BadFile(f"问题编号 {f['id']} 重复。")
        ids.add(f["id"])

    def known(pair_or_ids, what):
        missing = [x for x in pair_or_ids if x not in ids]
        if missing:
            raise BadFile(f"{what} 引用了不存在的问题：{'、'.join(map(str, missing))}")
        return list(pair_or_ids)

    counterparts: dict[str, set[str]] = defaultdict(set)
    for name, members in (data.get("clusters") or {}).items():
        members = known(members, f"聚类 {name}")
        for m in members:
            counterparts[m].update(x for x in members if x != m)
    repeats = set()
    for pair in data.get("repeats") or []:
        a, b = known(pair, "repeats")
        repeats.add((a, b))
        counterparts[a].add(b)
        counterparts[b].add(a)
    hard = [tuple(known(p, "hard_negatives")) for p in data.get("hard_negatives") or []]
    order: dict[str, tuple[int, int]] = {}
    for f in data["findings"]:
        name = f.get("round") or ""
        if name not in order:
            year = _YEAR.search(name)
            order[name] = (int(year.group(1)) if year else 0, len(order))
    return Labelled(data["findings"], dict(counterparts), repeats, hard, order)


def rank_all(labelled: Labelled, *, baseline: bool = False) -> dict[str, list[tuple[str, float]]]:
    """For every finding, every other one by similarity, best first."""
    if baseline:
        return _baseline(labelled)
    docs = [engine.doc(f["id"], f["text"]) for f in labelled.findings]
    weights = engine.Weights(engine.document_frequencies(docs), len(docs))
    return {d.key: engine.rank(d, [o for o in docs if o.key != d.key], weights) for d in docs}


def _baseline(labelled: Labelled) -> dict[str, list[tuple[str, float]]]:
    grams = {f["id"]: Counter(_bigrams(f["text"])) for f in labelled.findings}
    df = Counter(g for bag in grams.values() for g in bag)
    n = len(grams)
    vecs = {}
    for key, bag in grams.items():
        vec = {g: c * (math.log((n + 1) / (df[g] + 1)) + 1) for g, c in bag.items()}
        norm = math.sqrt(sum(w * w for w in vec.values())) or 1.0
        vecs[key] = {g: w / norm for g, w in vec.items()}
    out = {}
    for key, vec in vecs.items():
        scored = [(o, round(sum(w * ov.get(g, 0.0) for g, w in vec.items()), 4)) for o, ov in vecs.items() if o != key]
        scored.sort(key=lambda pair: (-pair[1], pair[0]))
        out[key] = scored
    return out


def _bigrams(text: str):
    text = "".join(ch for ch in text if ch.isalnum())
    return [text[i : i + 2] for i in range(len(text) - 1)]


def repeat_pairs(labelled: Labelled, ranked: dict, threshold: float) -> list[tuple[str, str]]:
    """The pairs the product would flag: same unit, the second in a later round, scored ≥ threshold."""
    by_id = {f["id"]: f for f in labelled.findings}
    pairs = set()
    for key, scored in ranked.items():
        mine = by_id[key]
        for other, score in scored:
            if score < threshold:
                break
            theirs = by_id[other]
            if theirs.get("unit") == mine.get("unit") and _later(labelled, theirs, mine):
                pairs.add((other, key))
    return sorted(pairs)


def _later(labelled: Labelled, earlier: dict, later: dict) -> bool:
    return labelled.round_order[earlier.get("round") or ""] < labelled.round_order[later.get("round") or ""]


def metrics(labelled: Labelled, ranked: dict, threshold: float) -> dict:
    queries = [f["id"] for f in labelled.findings if labelled.counterparts.get(f["id"])]
    p5 = p5_plain = r10 = mrr = 0.0
    for q in queries:
        rel = labelled.counterparts[q]
        order = [k for k, _ in ranked[q]]
        p5 += len(rel.intersection(order[:5])) / min(5, len(rel))
        p5_plain += len(rel.intersection(order[:5])) / 5
        r10 += len(rel.intersection(order[:10])) / len(rel)
        first = next((i for i, k in enumerate(order) if k in rel), None)
        mrr += 1.0 / (first + 1) if first is not None else 0.0
    intrusions = directed = 0
    for a, b in labelled.hard_negatives:
        for x, y in ((a, b), (b, a)):
            directed += 1
            places = max(1, len(labelled.counterparts.get(x, ())))
            intrusions += y in [k for k, _ in ranked[x][:places]]
    flagged = repeat_pairs(labelled, ranked, threshold)
    false = [p for p in flagged if p not in labelled.repeats]
    n = len(queries) or 1
    return {
        "findings": len(labelled.findings),
        "queries": len(queries),
        "precision_at_5": round(p5 / n, 4),
        "precision_at_5_over_5": round(p5_plain / n, 4),
        "recall_at_10": round(r10 / n, 4),
        "mrr": round(mrr / n, 4),
        "hard_negative_rate": round(intrusions / directed, 4) if directed else 0.0,
        "threshold": threshold,
        "flagged": len(flagged),
        "repeat_false_positive_rate": round(len(false) / len(flagged), 4) if flagged else 0.0,
        "repeat_recall": round(sum(p in flagged for p in labelled.repeats) / len(labelled.repeats), 4)
        if labelled.repeats
        else 0.0,
    }
