"""The assessment schemes: every cell's level on the default grid and on an edited one, LEC, and a
matrix in use frozen (an edit makes a new version; old assessments keep theirs)."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from taizhang.risks import actions
from taizhang.risks.matrix import DEFAULT_MATRIX, Level, Scheme, assess, default_config, validate
from taizhang.risks.models import RiskMatrix
from taizhang.testing import unit

# The default thresholds written out by hand, row by row (likelihood 1..5 × impact 1..5): R = L × S with
# 1–4 蓝 (低), 5–9 黄 (一般), 10–16 橙 (较大), 17–25 红 (重大).
L, G, H, M = Level.LOW, Level.GENERAL, Level.HIGH, Level.MAJOR
DEFAULT_GRID = [
    [L, L, L, L, G],
    [L, L, G, G, H],
    [L, G, G, H, H],
    [L, G, H, H, M],
    [G, H, H, M, M],
]


@pytest.mark.parametrize("likelihood", range(1, 6))
@pytest.mark.parametrize("impact", range(1, 6))
def test_every_cell_of_the_default_matrix(likelihood, impact):
    score, level = assess(Scheme.MATRIX, default_config(Scheme.MATRIX), likelihood, impact)
    assert score == likelihood * impact
    assert level == DEFAULT_GRID[likelihood - 1][impact - 1]


def test_an_edited_grid_and_thresholds_decide_every_cell():
    config = default_config(Scheme.MATRIX)
    config["thresholds"] = {"major": 15, "high": 8, "general": 4, "low": 1}
    config["grid"] = {"1,5": "major", "5,1": "high"}  # a catastrophic impact is major however unlikely
    config = validate(Scheme.MATRIX, config)
    levels = {(lk, im): assess(Scheme.MATRIX, config, lk, im)[1] for lk in range(1, 6) for im in range(1, 6)}
    expected = {}
    for lk in range(1, 6):
        for im in range(1, 6):
            r = lk * im
            expected[(lk, im)] = M if r >= 15 else H if r >= 8 else G if r >= 4 else L
    expected[(1, 5)], expected[(5, 1)] = M, H
    assert levels == expected


def test_lec_products_and_levels():
    config = default_config(Scheme.LEC)
    # L=3 (可能，但不经常), E=6 (每天), C=15 (非常严重): D = 270 → 较大 (160–320)
    assert assess(Scheme.LEC, config, 3, 3, exposure=2) == (Decimal("270"), Level.HIGH)
    # L=10, E=10, C=40: D = 4000 → 重大
    assert assess(Scheme.LEC, config, 1, 2, exposure=1) == (Decimal("4000"), Level.MAJOR)
    # L=1, E=3, C=7: 21 → 低 (below 70)
    assert assess(Scheme.LEC, config, 4, 4, exposure=3) == (Decimal("21"), Level.LOW)
    # L=6, E=2, C=7: 84 → 一般 (70–160)
    assert assess(Scheme.LEC, config, 2, 4, exposure=4) == (Decimal("84"), Level.GENERAL)
    with pytest.raises(ValidationError):
        assess(Scheme.LEC, config, 1, 1)  # no exposure


@pytest.mark.parametrize(("likelihood", "impact"), [(0, 1), (6, 1), (1, 6), ("3", 2), (None, 2)])
def test_a_value_off_the_scale_is_refused(likelihood, impact):
    with pytest.raises(ValidationError):
        assess(Scheme.MATRIX, default_config(Scheme.MATRIX), likelihood, impact)


def test_thresholds_out_of_order_are_refused():
    config = default_config(Scheme.MATRIX) | {"thresholds": {"major": 10, "high": 17, "general": 5, "low": 1}}
    with pytest.raises(ValidationError) as refused:
        validate(Scheme.MATRIX, config)
    assert "thresholds" in refused.value.message_dict


def test_labels_are_editable():
    config = default_config(Scheme.MATRIX) | {"likelihood": ["很低", "低", "中", "高", "很高"]}
    assert validate(Scheme.MATRIX, config)["likelihood"][0] == "很低"
    assert DEFAULT_MATRIX["likelihood"][0] == "几乎不可能"  # the default is not touched by an edit


def test_a_matrix_in_use_is_frozen_and_old_assessments_keep_theirs(people):
    office = people["office"]
    risk = actions.save_risk(None, {"text": "宣传稿件审核流程缺少复核环节", "unit": unit("市委宣传部")}, by=office)
    first = actions.assess(risk, {"likelihood": 3, "impact": 4}, by=office)
    matrix = first.matrix
    assert (first.score, first.level) == (Decimal("12.00"), Level.HIGH)
    edited = default_config(Scheme.MATRIX) | {"thresholds": {"major": 12, "high": 8, "general": 4, "low": 1}}
    newer = actions.save_matrix(matrix, {"config": edited}, by=office)
    assert newer.pk != matrix.pk and newer.version == matrix.version + 1 and newer.family == matrix.family
    matrix.refresh_from_db()
    first.refresh_from_db()
    assert not matrix.current and matrix.config["thresholds"]["major"] == 17  # the old version unchanged
    assert (first.matrix_id, first.level) == (matrix.pk, Level.HIGH)
    second = actions.assess(risk, {"likelihood": 3, "impact": 4}, by=office)
    assert (second.matrix_id, second.level) == (newer.pk, Level.MAJOR)
    assert RiskMatrix.objects.filter(family=matrix.family, current=True).get() == newer


def test_an_unused_matrix_is_edited_in_place(people):
    matrix = actions.default_matrix()
    edited = default_config(Scheme.MATRIX) | {"impact": ["很小", "小", "中", "大", "很大"]}
    same = actions.save_matrix(matrix, {"config": edited}, by=people["admin"])
    assert same.pk == matrix.pk and same.version == 1 and same.config["impact"][0] == "很小"


@pytest.mark.parametrize("persona", ["liaison", "unithead", "viewer", "countyoffice"])
def test_only_the_organisation_changes_its_matrix(people, persona):
    matrix = actions.default_matrix()
    with pytest.raises(PermissionDenied):
        actions.save_matrix(matrix, {"config": default_config(Scheme.MATRIX)}, by=people[persona])
    matrix.refresh_from_db()
    assert matrix.version == 1 and matrix.config == default_config(Scheme.MATRIX)


# --- the matrix page: an LEC scheme started and edited, the page's errors ---------------------------
LEC_POST = {
    "name": "安全生产LEC",
    "likelihood": "10 完全可能预料\n3 可能，但不经常\n0.5 很不可能",
    "exposure": "10 连续暴露\n1 每年几次",
    "consequence": "100 大灾难\n7 严重\n1 引人注目",
    "major": "300",
    "high": "150",
    "general": "50",
    "months_major": 1,
    "months_high": 2,
    "months_general": 6,
    "months_low": 12,
}


def _start_lec(client) -> RiskMatrix:
    response = client.post("/risks/matrix/", {"new_scheme": "1", "scheme": "lec", "name": "安全生产LEC"})
    assert response.status_code == 302
    return RiskMatrix.objects.get(scheme=Scheme.LEC, current=True)


def test_an_office_starts_an_lec_scheme_and_edits_it_on_its_page(clients, people):
    lec = _start_lec(clients["office"])
    assert lec.config == default_config(Scheme.LEC) and not lec.is_default
    page = clients["office"].get(f"/risks/matrix/?family={lec.family}")
    assert "完全可能预料" in page.content.decode() and 'id="lec-scales"' in page.content.decode()

    saved = clients["office"].post(f"/risks/matrix/?family={lec.family}", LEC_POST)
    assert saved.status_code == 302 and saved["Location"].endswith(f"?family={lec.family}")
    lec.refresh_from_db()
    assert [o["value"] for o in lec.config["exposure"]] == ["10", "1"]
    assert lec.config["likelihood"][1] == {"value": "3", "label": "可能，但不经常"}
    assert lec.config["thresholds"] == {"major": 300, "high": 150, "general": 50, "low": 0}
    assert lec.config["review_months"]["high"] == 2
    # D = 3 × 10 × 7 = 210: 较大 between 150 and 300 on the edited thresholds
    risk = actions.save_risk(None, {"text": "动火作业审批不严", "unit": unit("市委宣传部")}, by=people["office"])
    made = actions.assess(risk, {"likelihood": 2, "exposure": 1, "impact": 2}, by=people["office"], matrix=lec)
    assert (made.score, made.level) == (Decimal("210.00"), Level.HIGH)
    # the organisation's own matrix is untouched, and the used LEC version is frozen on the next save
    assert not RiskMatrix.objects.filter(is_default=True).exclude(scheme=Scheme.MATRIX).exists()
    clients["office"].post(f"/risks/matrix/?family={lec.family}", LEC_POST | {"major": "320"})
    newer = RiskMatrix.objects.get(family=lec.family, current=True)
    assert newer.version == 2 and newer.config["thresholds"]["major"] == 320
    lec.refresh_from_db()
    assert lec.config["thresholds"]["major"] == 300


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("exposure", "连续暴露", "第 1 行"),
        ("consequence", "100 大灾难", "2 到 10"),
        ("major", "100", "高于"),
    ],
)
def test_a_wrong_lec_line_comes_back_with_its_reason_and_nothing_saved(clients, field, value, words):
    lec = _start_lec(clients["office"])
    response = clients["office"].post(f"/risks/matrix/?family={lec.family}", LEC_POST | {field: value})
    assert response.status_code == 200
    assert words in response.content.decode()
    assert value in response.content.decode()  # what was typed is kept
    lec.refresh_from_db()
    assert lec.config == default_config(Scheme.LEC)


def test_a_scheme_nobody_has_is_a_404_and_a_liaison_cannot_start_one(clients):
    assert clients["office"].get("/risks/matrix/?family=nothing").status_code == 404
    refused = clients["liaison"].post("/risks/matrix/", {"new_scheme": "1", "scheme": "lec", "name": "x"})
    assert refused.status_code == 403 and not RiskMatrix.objects.exists()
