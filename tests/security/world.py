"""The objects the permission matrix visits, and who may see each (written out by hand, not computed
with the code under test).

Three tasks in three places: one led by 市委宣传部 (the demo liaison's unit, leader 张伟), one by
东城区委宣传部 (inside the county personas' subtree), one by 西城区委 in a ledger of its own (the
second county's). Every other object hangs off one of them.
"""

import datetime as dt
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile

from taizhang.notify import actions as notify_actions
from taizhang.notify.models import Channel, Delivery, Notice
from taizhang.org import actions as org_actions
from taizhang.org.models import Person, UnitGroup, User
from taizhang.rectification import actions as ledger_actions
from taizhang.sheets import actions as sheet_actions
from taizhang.tasks import actions
from taizhang.tasks.models import Task
from taizhang.testing import unit

ANON = "anon"
ALL_SCOPE = {"admin", "office", "viewer"}

# Who sees what (the VIEW scope), by hand.
SEES = {
    "task_in": ALL_SCOPE | {"leader", "unithead", "liaison"},
    "task_east": ALL_SCOPE | {"county", "countyadmin", "countyoffice"},
    "task_out": ALL_SCOPE | {"westliaison"},
    # the city ledger holds the first two tasks, and tasks shared with 各县（区）委 (so every county sees
    # it); the west ledger holds the third task only
    "source_in": ALL_SCOPE | {"leader", "unithead", "liaison", "county", "countyadmin", "countyoffice", "westliaison"},
    "source_out": ALL_SCOPE | {"westliaison"},
    # units, groups and people of 东城区委宣传部 / 西城区委
    "org_in": ALL_SCOPE | {"county", "countyadmin", "countyoffice"},
    "org_out": ALL_SCOPE | {"westliaison"},
}

# What each role may do (an independent copy of the product's table).
CAN = {
    "manage_org": {"admin", "countyadmin", "office", "countyoffice"},
    "manage_accounts": {"admin", "countyadmin"},
    "manage_ledger": {"admin", "countyadmin", "office", "countyoffice"},
    "report": {"office", "countyoffice", "liaison", "county", "westliaison"},
    "sign_off": {"leader", "unithead"},
}


@dataclass
class World:
    city: object
    west_source: object
    task_in: Task
    task_east: Task
    task_out: Task
    evidence_in: object
    evidence_out: object
    extension_in: object
    extension_out: object
    notice_in: Notice
    notice_out: Notice
    job: object
    groups: dict
    persons: dict
    accounts: dict
    units: dict
    risks: object = None  # risk_world.RiskWorld
    duties: object = None  # duty_world.DutyWorld
    similar: object = None  # similar_world.SimilarWorld
    job_file: object = None  # a report the office asked for (core.Job)


def _task(source, measure, lead, **extra):
    data = {"measure": measure, "lead_unit": unit(lead), "deadline": "2030年底前"} | extra
    return actions.save_task(None, data, by=None, source=source)


def _evidence(task):
    upload = SimpleUploadedFile("材料.pdf", b"%PDF-1.4 evidence " + task.measure.encode(), "application/pdf")
    progress = actions.report_progress(task, by=None, text="阶段进展", uploads=[upload])
    return progress.evidence.get()


def _notice(task, serial):
    return notify_actions.issue_notice(
        task, level="red", rule="overdue", period=str(serial), reason="【台账督办】逾期：测试", on=dt.date(2026, 11, 30)
    )


def build_world(people, ledger) -> World:
    east, west = unit("东城区委宣传部"), unit("西城区委")
    task_in = Task.objects.get(measure="统一中心组学习记录格式，开展学习档案专项检查")
    task_east = _task(ledger, "东城区委宣传部整改措施", "东城区委宣传部")
    west_source = ledger_actions.save_source(
        None, {"title": "西城区自查整改", "feedback_date": dt.date(2026, 3, 1), "inspected_unit": west}, by=None
    )
    task_out = _task(west_source, "西城区委整改措施", "西城区委")
    later = dt.date(2031, 3, 31)  # after the 2030 deadlines
    extension_in = actions.request_extension(task_in, by=None, new_date=later, reason="需协调")
    extension_out = actions.request_extension(task_out, by=None, new_date=later, reason="需协调")
    groups = {
        "in": org_actions.save_group(None, {"name": "东城组", "members": [east]}, by=None),
        "out": org_actions.save_group(None, {"name": "西城组", "members": [west]}, by=None),
    }
    persons = {
        "in": org_actions.save_person(None, {"name": "东城干部", "unit": east}, by=None),
        "out": org_actions.save_person(None, {"name": "西城干部", "unit": west}, by=None),
    }
    Delivery.objects.create(
        task=task_in, rule="overdue", period="p", channel=Channel.INBOX, user=people["liaison"],
        subject_key=f"t{task_in.pk}", recipient_key=f"u{people['liaison'].pk}", text="【台账督办】测试",
        not_before=dt.datetime(2026, 1, 1, tzinfo=dt.UTC), created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        status="sent",
    )  # fmt: skip
    csv = SimpleUploadedFile("台账.csv", "序号,整改措施,牵头单位,整改时限\n1,建立制度,市委宣传部,2030年底前\n".encode())
    # A re-import of the city's ledger, so its preview compares the file with stored tasks.
    job = sheet_actions.start_import(csv, by=people["office"], source=ledger)
    evidence_in, evidence_out = _evidence(task_in), _evidence(task_out)
    for task in (task_in, task_east, task_out):
        task.refresh_from_db()  # the versions the pages would show now
    return World(
        city=ledger,
        west_source=west_source,
        task_in=task_in,
        task_east=task_east,
        task_out=task_out,
        evidence_in=evidence_in,
        evidence_out=evidence_out,
        extension_in=extension_in,
        extension_out=extension_out,
        notice_in=_notice(task_in, 1),
        notice_out=_notice(task_out, 2),
        job=job,
        groups=groups,
        persons=persons,
        accounts={"in": people["county"], "out": people["westliaison"]},
        units={"in": east, "out": west},
        risks=_risk_world(people),
        duties=_duty_world(people),
        similar=_similar_world(people, ledger, west_source, task_in),
        job_file=_report_job(people, ledger),
    )


def _report_job(people, ledger):
    """A file the office asked for (a cheap maker: every matrix test builds the world)."""
    from taizhang.core import jobs

    jobs.register("matrix.file", lambda job, user, progress: jobs.Made(b"matrix", "text/plain"))
    return jobs.start("matrix.file", by=people["office"], title="报告.txt", params={"source": ledger.pk})


def _duty_world(people):
    from .duty_world import build_duty_world

    return build_duty_world(people)


def _similar_world(people, ledger, west_source, task_in):
    from .similar_world import build_similar_world

    return build_similar_world(people, ledger, west_source, task_in)


def _risk_world(people):
    from .risk_world import build_risk_world  # (it reads this module's sets)

    return build_risk_world(people)


__all__ = ["ALL_SCOPE", "ANON", "CAN", "SEES", "Person", "UnitGroup", "User", "World", "build_world"]
