"""The demo's sample ledger: shipped inside the product (sheets/samples), imported once."""

import datetime as dt
from pathlib import Path

from taizhang.org.models import Unit
from taizhang.rectification import actions
from taizhang.rectification.models import Source, SourceKind
from taizhang.sheets.importer import import_file

# Earlier rounds beside the sample ledger, so that similar findings (举一反三) and repeat findings
# (屡查屡犯) show on the demo: the city's own earlier inspection, and a district's.
EARLIER_ROUNDS = [
    (
        "市委落实2021年省委巡视反馈意见整改",
        SourceKind.TOUR,
        "中共示范市委员会",
        dt.date(2021, 5, 20),
        [
            (
                "党委（党组）研究意识形态工作不经常，全年仅专题研究1次",
                "市委办公室",
                "党委（党组）每半年至少专题研究意识形态工作1次，列入年度议事计划",
            ),
            ("理论学习中心组学习计划落实不到位，个别专题学习未开展", "市委宣传部", "每月通报中心组学习计划执行情况"),
        ],
    ),
    (
        "东城区委落实2023年市委巡察反馈意见整改",
        SourceKind.PATROL,
        "东城区委",
        dt.date(2023, 9, 1),
        [
            (
                "政务新媒体账号底数不清，部分账号长期不更新、无人管理",
                "东城区委宣传部",
                "开展政务新媒体账号清理整合，建立账号台账",
            ),
            (
                "区直单位门户网站信息发布审核把关不严，“三审三校”执行不到位",
                "东城区委宣传部",
                "落实信息发布“三审三校”并每季度抽查",
            ),
        ],
    ),
]
DEMO_TITLES = [title for title, *_ in EARLIER_ROUNDS]

SAMPLE = Path(__file__).resolve().parent.parent / "sheets" / "samples" / "rectification-ledger.xlsx"
TITLE = "市委落实省委巡视反馈意见整改"


def load_earlier_rounds() -> int:
    """The earlier rounds, once each: their findings and measures through the same actions as an
    office's. Returns how many findings were added."""
    from taizhang.tasks import actions as task_actions

    added = 0
    for title, kind, unit_name, day, findings in EARLIER_ROUNDS:
        if Source.objects.filter(title=title).exists():
            continue
        unit = Unit.objects.get(name=unit_name)
        data = {"kind": kind, "title": title, "inspected_unit": unit, "feedback_date": day}
        source = actions.save_source(None, data, by=None)
        for number, (text, lead, measure) in enumerate(findings, start=1):
            finding = actions.save_finding(None, {"number": str(number), "text": text}, by=None, source=source)
            lead_unit = Unit.objects.get(name=lead)
            task_data = {"origin": finding, "measure": measure, "lead_unit": lead_unit, "deadline": "长期坚持"}
            task_actions.save_task(None, task_data, by=None, source=source)
            added += 1
    return added


def load_sample_ledger() -> Source:
    source = Source.objects.filter(title=TITLE).first()
    if source:
        return source
    source = actions.save_source(
        None,
        {
            "kind": SourceKind.TOUR,
            "title": TITLE,
            "issuer": "省委第三巡视组",
            "inspected_unit": Unit.objects.filter(name="中共示范市委员会").first(),
            "feedback_date": dt.date(2024, 1, 15),
        },
        by=None,
    )
    result = import_file(SAMPLE, source, by=None)
    if result["errors"]:
        raise RuntimeError(f"The demo ledger did not import: {result['errors']}")
    return source
