"""A provincial-size risk register for the benchmarks (`seed_scale --risks N`): risks over every unit,
in every status and cell of the matrix, and one campaign asking every unit.

Rows are inserted directly (core.bulk), as `scale.py` inserts tasks, and each gets its creation event
in the audit chain with the state it was written in (`audit_the_rest`, so `verify_audit --objects`
passes); the register,
the matrix and the campaign are made through the actions (the campaign's returns and tasks are real).
"""

import datetime as dt
import random
import sys
import uuid

from django.db import transaction
from django.utils import timezone

from taizhang.core.bulk import insert_rows
from taizhang.org.models import Unit
from taizhang.risks import actions, actions_campaign
from taizhang.risks.matrix import assess
from taizhang.risks.models import Risk, RiskStatus
from taizhang.scale import BATCH, Progressbar, audit_the_rest
from taizhang.tasks.origins import Origin, OriginKind

STATUS_MIX = [
    (RiskStatus.IDENTIFIED, 10),
    (RiskStatus.ASSESSED, 50),
    (RiskStatus.DISPOSING, 30),
    (RiskStatus.CLEARED, 7),
    (RiskStatus.CLOSED, 3),
]
POINTS = ["稿件审核把关不严", "活动审批备案滞后", "阵地管理台账缺失", "岗位责任清单未细化", "外包人员培训缺失"]


def seed_risks(count: int, *, seed: int = 1, out=sys.stderr) -> dict:
    rng = random.Random(seed)
    register = actions.ensure_register()
    matrix = actions.default_matrix()
    areas = [a.pk for a in actions.areas()]
    units = list(Unit.objects.filter(parent__isnull=False).values_list("pk", flat=True))
    statuses = [s for s, weight in STATUS_MIX for _ in range(weight)]
    cells = {(lk, im): assess(matrix.scheme, matrix.config, lk, im) for lk in range(1, 6) for im in range(1, 6)}
    first = Origin.objects.filter(source=register).count() + 1
    bar = Progressbar("risks", count, out)
    now, today = timezone.now(), timezone.localdate()
    for start in range(0, count, BATCH):
        size = min(BATCH, count - start)
        with transaction.atomic():
            rows = [_row(rng, first + start + i, units, areas, statuses) for i in range(size)]
            ids = insert_rows(
                Origin,
                ("category_id", "number", "position", "text", "found_in_id"),
                ((r["area"], str(r["n"]), r["n"], r["text"], r["unit"]) for r in rows),
                returning=True,
                same={"source_id": register.pk, "kind": OriginKind.RISK},
            )
            insert_rows(
                Risk,
                ("origin_id", "uid", "unit_id", "status", "likelihood", "impact", "score", "level", "cleared_on"),
                (_risk(pk, r, cells, today) for pk, r in zip(ids, rows, strict=True)),
                same=_constants(matrix, now),
            )
        bar.add(size)
    root = Unit.objects.filter(parent__isnull=True).order_by("path").first()
    campaign = actions_campaign.launch(
        {
            "title": "规模测试专项排查",
            "starts_on": today - dt.timedelta(days=10),
            "due_on": today + dt.timedelta(days=10),
            "scope_subtrees": [root],
        },
        by=None,
    )
    events = audit_the_rest(out)
    return {"risks": count, "campaign": campaign.pk, "returns": campaign.returns.count(), "audit_events": events}


def _row(rng, n, units, areas, statuses) -> dict:
    status = rng.choice(statuses)
    assessed = status != RiskStatus.IDENTIFIED
    return {
        "n": n,
        "unit": rng.choice(units),
        "area": rng.choice(areas),
        "text": f"{rng.choice(POINTS)}（{n}）",
        "status": status,
        "cell": (rng.randint(1, 5), rng.randint(1, 5)) if assessed else None,
    }


def _risk(pk, row, cells, today) -> tuple:
    cell = row["cell"]
    score, level = cells[cell] if cell else (None, "")
    cleared = today - dt.timedelta(days=pk % 300) if row["status"] == RiskStatus.CLEARED else None
    return (
        pk,
        uuid.uuid4().hex,
        row["unit"],
        str(row["status"]),
        cell[0] if cell else None,
        cell[1] if cell else None,
        score,
        str(level),
        cleared,
    )


def _constants(matrix, now) -> dict:
    return {
        "matrix_id": matrix.pk,
        "forms": "",
        "posts": "",
        "controls": "",
        "owner_text": "",
        "leader_text": "",
        "close_reason": "",
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }
