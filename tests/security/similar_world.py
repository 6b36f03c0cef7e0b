"""Repeat flags, a finding without measures and a lesson for the permission matrix (who sees what, by
hand).

An earlier round of the whole organisation holds the problem the city ledger's 市委宣传部 finding
repeats (flag "in", seen by whoever sees both findings: the city task's set); an earlier round of
西城区委 holds the problem its own ledger repeats (flag "out", seen by the all-scope personas and the
second county's liaison). A lesson on the city finding asks 市委宣传部 to check itself."""

import datetime as dt
from dataclasses import dataclass

from taizhang.rectification import actions as ledger_actions
from taizhang.rectification import lessons
from taizhang.similar.models import RepeatFlag
from taizhang.tasks import actions
from taizhang.tasks.models import Task
from taizhang.testing import unit

from .world import ALL_SCOPE

SEES = {
    "flag_in": ALL_SCOPE | {"leader", "unithead", "liaison"},
    "flag_out": ALL_SCOPE | {"westliaison"},
    "bare": ALL_SCOPE,  # a finding with no task yet: only the all-scope personas see it
    "lesson": ALL_SCOPE | {"unithead", "liaison"},  # its one self-check task is 市委宣传部's, with no leader
}
REPLY = {"admin", "office", "liaison"}  # who may report 市委宣传部's self-check (unit head: signs off only)


@dataclass
class SimilarWorld:
    flag_in: RepeatFlag
    flag_out: RepeatFlag
    finding_in: object
    finding_out: object
    bare: object
    lesson: object
    check: Task


def _round(title, day, inspected):
    data = {"kind": "patrol", "title": title, "feedback_date": day, "inspected_unit": unit(inspected)}
    return ledger_actions.save_source(None, data, by=None)


def _finding(source, text, lead, leader=None):
    finding = ledger_actions.save_finding(None, {"text": text}, by=None, source=source)
    data = {"origin": finding, "measure": f"{text[:8]}的整改", "lead_unit": unit(lead), "deadline": "2030年底前"}
    actions.save_task(None, data | ({"leader": leader} if leader else {}), by=None, source=source)
    return finding


def build_similar_world(people, city, west_source, task_in) -> SimilarWorld:
    finding_in = task_in.origin
    early = _round("2020年省委巡视", dt.date(2020, 5, 1), "中共示范市委员会")
    _finding(early, finding_in.text + "，学习档案不全", "市委宣传部", leader=task_in.leader)
    west_early = _round("2021年西城区自查", dt.date(2021, 3, 1), "西城区委")
    _finding(west_early, "西城区政务新媒体账号底数不清，部分账号长期不更新", "西城区委")
    finding_out = _finding(west_source, "西城区政务新媒体账号底数不清，长期不更新的账号未关停", "西城区委")
    bare = ledger_actions.save_finding(None, {"text": "尚未制定措施的问题"}, by=None, source=city)
    lesson = lessons.push(finding_in, {"units": [unit("市委宣传部")], "due_on": dt.date(2030, 6, 30)}, by=None)
    return SimilarWorld(
        flag_in=RepeatFlag.objects.get(later=finding_in),
        flag_out=RepeatFlag.objects.get(later=finding_out),
        finding_in=finding_in,
        finding_out=finding_out,
        bare=bare,
        lesson=lesson,
        check=Task.objects.get(source=lesson.source),
    )
