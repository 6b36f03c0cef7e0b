"""Rebuilding and checking the index, and the precision of the offices' past decisions."""

from collections import Counter
from dataclasses import dataclass

from django.db import transaction

from taizhang.similar import engine, index, repeats
from taizhang.similar.models import Corpus, FlagStatus, Indexed, PostingBlock, RepeatFlag, Term
from taizhang.tasks.origins import Origin, OriginKind

BATCH = 5000


@dataclass
class Report:
    ok: bool
    text: str


def rebuild(*, check: bool = False, progress=None) -> Report:
    if check:
        return compare()
    ids = list(
        Origin.objects.filter(kind=OriginKind.FINDING)
        .order_by("source__feedback_date", "pk")
        .values_list("pk", flat=True)
    )
    with transaction.atomic():
        PostingBlock.objects.all().delete()
        Indexed.objects.all().delete()
        Term.objects.all().delete()
        Corpus.objects.all().delete()
        flagged = 0
        for start in range(0, len(ids), BATCH):
            flagged += repeats.raise_flags(index.update(ids[start : start + BATCH]), by=None)
            if progress:
                progress(f"已索引 {min(start + BATCH, len(ids))} / {len(ids)} 条问题")
    return Report(True, f"已重建相似问题索引：{len(ids)} 条问题，新标记疑似屡查屡犯 {flagged} 对。")


def compare() -> Report:
    """The index against the findings as they stand: every finding indexed with its current text, and
    every document frequency equal to a fresh count."""
    problems = []
    texts = dict(Origin.objects.filter(kind=OriginKind.FINDING).values_list("pk", "text"))
    filed = {pk: (norm, path) for pk, norm, path in Indexed.objects.values_list("origin_id", "norm", "unit_path")}
    stored = {pk: norm for pk, (norm, _path) in filed.items()}
    missing = texts.keys() - stored.keys()
    extra = stored.keys() - texts.keys()
    stale = [pk for pk in texts.keys() & stored.keys() if engine.normalise(texts[pk]) != stored[pk]]
    filed_at = Origin.objects.filter(kind=OriginKind.FINDING).values_list(
        "pk", "found_in__path", "source__inspected_unit__path"
    )
    moved = [pk for pk, found, inspected in filed_at if pk in filed and filed[pk][1] != (found or inspected or "")]
    if missing:
        problems.append(f"未索引的问题 {len(missing)} 条（如 {sorted(missing)[:5]}）")
    if moved:
        problems.append(f"索引中单位位置与单位树不一致 {len(moved)} 条（如 {sorted(moved)[:5]}）")
    if extra:
        problems.append(f"索引中多出的问题 {len(extra)} 条")
    if stale:
        problems.append(f"索引文字与问题不一致 {len(stale)} 条（如 {sorted(stale)[:5]}）")
    df = Counter()
    for norm in stored.values():
        df.update(engine.keys_of(engine.grams_of(norm)))
    kept = {k: n for k, n in Term.objects.values_list("key", "df") if n}
    if kept != dict(df):
        problems.append(f"词频与重新统计不一致的特征 {len(set(kept.items()) ^ set(df.items()))} 个")
    documents = Corpus.objects.filter(pk=1).values_list("documents", flat=True).first() or 0
    if documents != len(stored):
        problems.append(f"索引文档数 {documents} 与实际 {len(stored)} 不符")
    if problems:
        return Report(False, "；".join(problems))
    return Report(True, f"相似问题索引与问题台账一致（{len(stored)} 条问题）。")


def decisions_text() -> str:
    """How many decided flags the offices confirmed, overall and by score band: what re-tuning
    `index.REPEAT_FROM` starts from."""
    rows = list(RepeatFlag.objects.exclude(status=FlagStatus.PENDING).values_list("score", "status"))
    if not rows:
        return "尚无已处理的疑似屡查屡犯标记。"
    lines = [f"阈值 {index.REPEAT_FROM}；已处理 {len(rows)} 对，确认 {_confirmed(rows)} 对，精确率 {_precision(rows)}"]
    bands = [(0.0, 0.2), (0.2, 0.3), (0.3, 0.5), (0.5, 1.01)]
    for low, high in bands:
        part = [r for r in rows if low <= r[0] < high]
        if part:
            lines.append(f"  相似度 {low:.2f}–{min(high, 1):.2f}：{len(part)} 对，精确率 {_precision(part)}")
    return "\n".join(lines)


def _confirmed(rows) -> int:
    return sum(status == FlagStatus.CONFIRMED for _, status in rows)


def _precision(rows) -> str:
    return f"{_confirmed(rows) / len(rows):.2f}"
