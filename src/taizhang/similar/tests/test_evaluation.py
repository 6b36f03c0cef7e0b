"""The shipped labelled sets: floors on the figures (measured minus a margin, docs/similarity.md), the
yardstick beaten, and the command's output and ranked file."""

import json

import pytest
from django.core.management import CommandError, call_command

from taizhang.similar import evaluation
from taizhang.similar.index import REPEAT_FROM

DEV = evaluation.HERE / "dev.json"
HOLDOUT = evaluation.HERE / "holdout.json"


def figures(path, baseline=False):
    labelled = evaluation.load(path)
    return evaluation.metrics(labelled, evaluation.rank_all(labelled, baseline=baseline), REPEAT_FROM)


def test_the_sets_are_what_the_issue_asks_for():
    for path in (DEV, HOLDOUT):
        data = json.loads(path.read_text(encoding="utf-8"))
        clustered = {i for members in data["clusters"].values() for i in members}
        assert len(data["findings"]) >= 60 and data["repeats"] and len(data["hard_negatives"]) >= 14
        assert len(data["findings"]) - len(clustered) >= 10  # singletons
    assert len(json.loads(DEV.read_text(encoding="utf-8"))["findings"]) >= 100


@pytest.mark.parametrize(
    ("path", "floor"),
    [
        (DEV, {"precision_at_5": 0.97, "recall_at_10": 0.97, "mrr": 0.95, "repeat_recall": 0.9}),
        (HOLDOUT, {"precision_at_5": 0.97, "recall_at_10": 0.97, "mrr": 0.87, "repeat_recall": 0.6}),
    ],
)
def test_metric_floor(path, floor):
    got = figures(path)
    assert {k: got[k] >= v for k, v in floor.items()} == {k: True for k in floor}, got
    assert got["repeat_false_positive_rate"] <= 0.2
    assert got["hard_negative_rate"] <= 0.08


def test_beats_plain_bigram_tfidf_on_the_tuning_set():
    ours, plain = figures(DEV), figures(DEV, baseline=True)
    assert ours["precision_at_5"] > plain["precision_at_5"]
    assert ours["mrr"] >= plain["mrr"] + 0.05
    assert ours["hard_negative_rate"] < plain["hard_negative_rate"]


def test_command_prints_figures_and_writes_the_ranking(tmp_path, capsys):
    out = tmp_path / "ranked.json"
    call_command("similar", "evaluate", str(HOLDOUT), "--ranked-out", str(out))
    printed = capsys.readouterr().out
    assert "precision_at_5: 1.0" in printed and "repeat_recall:" in printed
    ranked = json.loads(out.read_text(encoding="utf-8"))
    assert len(ranked["similar"]["H001"]) == 59  # every other finding, ranked
    assert ["H001", "H003"] in ranked["repeats"]


def test_a_bad_file_is_refused_in_chinese(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"findings": [{"id": "A", "text": "x"}], "clusters": {"C": ["A", "B"]}}', encoding="utf-8")
    with pytest.raises(CommandError, match="不存在的问题"):
        call_command("similar", "evaluate", str(bad))
