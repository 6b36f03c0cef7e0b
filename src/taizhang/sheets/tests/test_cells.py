"""One cell read as its writer meant it: measures split on every numbering, units never invented,
headers matched by meaning whatever their wording."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from taizhang.org.models import Unit
from taizhang.rectification import actions as ledger_actions
from taizhang.sheets.cells import read_units, split_measures
from taizhang.sheets.importer import import_prepared
from taizhang.sheets.pipeline import prepare
from taizhang.sheets.tests.corpus import FEEDBACK, xlsx
from taizhang.sheets.vocabulary import VOCABULARY, field_of

KNOWN = {"市委宣传部", "市委办公室", "市财政局", "市教育局", "各县（区）委"}
CN = "一二三四五六七八九"
STYLES = {
    "arabic": lambda n: f"{n}.",
    "arabic_comma": lambda n: f"{n}、",
    "arabic_paren": lambda n: f"{n}）",
    "paren": lambda n: f"（{n}）",
    "circled": lambda n: "①②③④⑤⑥⑦⑧⑨"[n - 1],
    "shi": lambda n: f"{CN[n - 1]}是",
    "di": lambda n: f"第{CN[n - 1]}，",
}
measure_text = st.text(alphabet="建立制度开展培训检查整改落实台账通报考核", min_size=2, max_size=12)


@given(
    measures=st.lists(measure_text, min_size=2, max_size=6),
    style=st.sampled_from(sorted(STYLES)),
    joiner=st.sampled_from(["\n", "；", "；\n", " ", "。"]),
)
def test_measures_in_one_cell_split_on_every_numbering(measures, style, joiner):
    if style == "shi" and joiner == " ":
        joiner = "，"  # 一是…，二是… is how it is run together
    cell = joiner.join(f"{STYLES[style](n)}{m}" for n, m in enumerate(measures, 1))
    assert split_measures(cell) == measures


@pytest.mark.parametrize(
    "text",
    ["2024年6月前完成1次全面检查", "落实“三重一大”制度", "按照1:1配套资金", "第一书记带头研究", "1.5万元专项经费"],
)
def test_a_single_measure_is_never_split(text):
    assert split_measures(text) == [text]


@pytest.mark.parametrize(
    "cell, leads, partners, notes",
    [
        ("市委宣传部（张三，0571-87001234）", ["市委宣传部"], [], ["张三，0571-87001234"]),
        ("市委办公室牵头，市财政局、市教育局配合", ["市委办公室"], ["市财政局", "市教育局"], []),
        ("市委宣传部 张三 13912345678", ["市委宣传部"], [], ["张三", "13912345678"]),
        ("市委宣传部/市委办公室", ["市委宣传部", "市委办公室"], [], []),
        ("各县（区）委", ["各县（区）委"], [], []),
        ("张三", [], [], ["张三"]),
        ("0571-87001234", [], [], ["0571-87001234"]),
        ("（王五）", [], [], ["王五"]),
        ("市委宣传部负责，市财政局协助", ["市委宣传部"], ["市财政局"], []),
    ],
)
def test_unit_cells_as_written(cell, leads, partners, notes):
    read = read_units(cell, KNOWN.__contains__)
    assert (read.leads, read.partners, read.notes, read.unknown) == (leads, partners, notes, [])


def test_brackets_phones_and_phrases_never_become_units(people, tmp_path):
    """Nothing invented: every text in these cells is a known unit, a person, a phone or a phrase."""
    cells = [
        "市委宣传部（张三，0571-87001234）",
        "市委办公室牵头，市财政局、市教育局配合",
        "市委宣传部 李四 13912345678",
        "市委组织部（联系人：王五 87654321）",
        "市委宣传部、13800001111",
        "市教育局牵头、市财政局配合",
        "市委宣传部\n赵磊",
    ]
    rows = [["序号", "问题描述", "整改措施", "牵头单位", "整改时限"]]
    rows += [[n, f"问题{n}", f"措施{n}", cell, "2024年底前"] for n, cell in enumerate(cells, 1)]
    path = xlsx(tmp_path, "units.xlsx", [{"title": "Sheet1", "rows": rows}])
    before = Unit.objects.count()
    source = ledger_actions.save_source(None, {"title": "单位", "feedback_date": FEEDBACK}, by=people["office"])
    result = import_prepared(prepare(path), source, by=people["office"])
    assert result["units_created"] == [] and Unit.objects.count() == before
    assert result["tasks"] == len(cells)
    # what was beside the unit is kept on the task, never dropped
    kept = dict(source.tasks.values_list("measure", "owner_text"))
    assert kept["措施1"] == "张三，0571-87001234" and kept["措施4"] == "联系人：王五 87654321"
    assert kept["措施3"] == "李四，13912345678"


def test_an_unknown_unit_is_created_only_from_a_unit_name(people, tmp_path):
    rows = [["序号", "问题描述", "整改措施", "牵头单位", "整改时限"], [1, "问题", "措施", "市网信办（刘一）", "年底前"]]
    path = xlsx(tmp_path, "new.xlsx", [{"title": "Sheet1", "rows": rows}])
    source = ledger_actions.save_source(None, {"title": "新单位", "feedback_date": FEEDBACK}, by=people["office"])
    assert import_prepared(prepare(path), source, by=people["office"])["units_created"] == ["市网信办"]


@pytest.mark.parametrize("key", sorted(VOCABULARY))
def test_every_curated_wording_names_its_field(key):
    for word in VOCABULARY[key]:
        assert field_of(word) == (key, 3), word


@pytest.mark.parametrize(
    "header, key",
    [
        ("问题\n描述", "finding"),
        ("整改时限\n（年月日）", "deadline"),
        ("牵头单位*", "lead_unit"),
        ("责任领导（签字）", "leader"),
        ("整改进展情况（截至6月底）", "progress"),
        ("是否已完成整改（是/否）", "closed"),
        ("ＴＺ－ＩＤ", "id"),
        ("县（市、区）责任单位", "lead_unit"),
        ("市级配合部门", "partner"),
        ("分管副市长", None),
        ("问题数", "count"),
        ("联系电话", "phone"),
        ("整改完成率", "count"),
    ],
)
def test_headers_matched_by_meaning(header, key):
    assert field_of(header)[0] == key
