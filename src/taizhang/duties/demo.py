"""The demo year of the responsibility system: a common list issued to four units in January (three
items: 专题研究 twice a year, 中心组学习 each quarter, the year-end report), the 四纳入 · 四同
checklist and the letters (责任书: two signed in March, two not) for the same units, 市委宣传部's own list
with its head's 一岗双责 item, and the meetings of the year replayed on their days (`as_of`): a
专题研究 that carries out the first half-year and decides two tasks (one now overdue), theory-study
sessions counted for their quarters. Idempotent: a database with a list is left alone."""

import contextlib
import datetime as dt

from django.utils import timezone

from taizhang.duties import actions
from taizhang.duties.models import DutyList, MeetingKind, Subject
from taizhang.org.models import Person, Unit, User

COMMON = [
    ("党委（党组）专题研究意识形态工作，分析研判形势", "每半年至少2次", "会议纪要"),
    ("理论学习中心组开展意识形态专题学习", "每季度", "学习记录、学习材料"),
    ("向上级党委报告意识形态工作责任制落实情况", "年底前", "书面报告"),
]
UNITS = ["市委宣传部", "市教育局", "市档案馆", "市文化广电旅游局"]
# the demo's inspection is a rectification ledger: `org.demo.foreign_data` knows it by this title
INSPECTION_PREFIX = "市委意识形态工作责任制落实情况专项督查（"


@contextlib.contextmanager
def as_of(day: dt.date):
    """The actions' today set to `day` while the demo replays what happened on it."""
    from taizhang.tasks import actions as task_module

    modules = (task_module, actions)
    saved = [m._today for m in modules]
    for m in modules:
        m._today = lambda: day
    try:
        yield
    finally:
        for m, f in zip(modules, saved, strict=True):
            m._today = f


def load_duty_demo() -> int:
    if DutyList.objects.exists():
        return DutyList.objects.count()
    today = timezone.localdate()
    year, office = today.year, User.objects.get(username="office")
    start = dt.date(year, 1, 5)
    with as_of(min(start, today)):
        common = actions.issue_list(
            {
                "title": f"{year}年度意识形态工作责任清单",
                "issuer": "市委宣传部",
                "year": year,
                "units": [Unit.objects.get(name=n) for n in UNITS],
                "starts_on": min(start, today),
            },
            by=office,
        )
        items = [
            actions.add_item(common, {"text": t, "frequency": f, "done_when": d, "supervisor": "市委宣传部"}, by=office)
            for t, f, d in COMMON
        ]
        actions.issue_inclusions(year, [Unit.objects.get(name=n) for n in UNITS], by=office)
        letters = actions.issue_letters(year, [Unit.objects.get(name=n) for n in UNITS], by=office, deadline="3月底前")
        own = actions.issue_list(
            {
                "title": f"{year}年度市委宣传部班子成员一岗双责清单",
                "year": year,
                "common": False,
                "units": [Unit.objects.get(name="市委宣传部")],
                "starts_on": min(start, today),
            },
            by=office,
        )
        actions.add_item(
            own,
            {
                "text": "分管领域意识形态工作分析研判",
                "frequency": "每季度",
                "subject": Subject.MEMBER,
                "person": Person.objects.get(name="张伟"),
                "areas": "新闻宣传、网络宣传",
            },
            by=office,
        )
    _meetings(items, today)
    _joint_meeting(today)
    _sign(letters, today)
    _trainings(today)
    _inspection(today)
    return DutyList.objects.count()


def _sign(letters, today) -> None:
    """Two of the four letters signed in March; the other two still chased (overdue)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from taizhang.tasks.models import Task

    day = min(dt.date(today.year, 3, 12), today)
    signers = {"市委宣传部": "张伟", "市教育局": "钱进"}
    with as_of(day):
        for task in Task.objects.filter(source_id=letters.pk, lead_unit__name__in=signers).select_related("lead_unit"):
            scan = SimpleUploadedFile(f"{task.lead_unit.name}责任书.pdf", b"%PDF-1.4\n% signed and sealed\n%%EOF\n")
            who = User.objects.get(username="office")
            actions.sign_letter(task, {"signer": signers[task.lead_unit.name], "signed_on": day}, by=who, scan=scan)


def _meetings(items, today) -> None:
    liaison = User.objects.get(username="liaison")
    propaganda = Unit.objects.get(name="市委宣传部")
    year = today.year
    days = [(dt.date(year, 5, 20), MeetingKind.COMMITTEE), (dt.date(year, 3, 18), MeetingKind.STUDY)]
    days += [(dt.date(year, 9, 16), MeetingKind.STUDY)]
    for day, kind in sorted(days):
        if day > today:
            continue
        with as_of(day):
            topics = (
                "研究部署意识形态工作，分析研判上半年形势"
                if kind == MeetingKind.COMMITTEE
                else "专题学习习近平文化思想"
            )
            meeting = actions.record_meeting(
                {
                    "kind": kind,
                    "unit": propaganda,
                    "date": day,
                    "topics": topics,
                    "place": "市委宣传部第一会议室",
                    "chair": "张伟",
                    "attendees": list(Person.objects.filter(unit=propaganda)),
                    "minutes": "会议听取了意识形态工作情况汇报，研究了下一步工作。",
                },
                by=liaison,
            )
            if kind == MeetingKind.COMMITTEE:
                for measure, deadline in (
                    ("修订网络意识形态阵地管理办法", "9月30日前"),
                    ("开展宣传文化阵地专项检查", "年底前"),
                ):
                    actions.add_decision(
                        meeting, {"measure": measure, "lead_unit": propaganda, "deadline": deadline}, by=liaison
                    )
                actions.count_meeting(meeting, items[0], by=liaison)
            else:
                actions.count_meeting(meeting, items[1], by=liaison)


def _joint_meeting(today) -> None:
    """The city's joint meeting on ideology work (联席会议): 市委宣传部 leads, three bureaus are members,
    its rules attached; its July meeting (one member absent, on leave) gives 市教育局 a decision."""
    from taizhang.core.files import sample
    from taizhang.duties import bodies
    from taizhang.duties.models import BodyKind

    office = User.objects.get(username="office")
    day = min(dt.date(today.year, 7, 8), today)
    with as_of(day):
        lead = Unit.objects.get(name="市委宣传部")
        body = bodies.create_body(
            {
                "name": "意识形态工作联席会议",
                "kind": BodyKind.JOINT,
                "lead_unit": lead,
                "duties": "统筹协调全市意识形态工作，研究解决跨部门重要问题。",
                "set_up_on": dt.date(today.year, 1, 10),
            },
            by=office,
            rules=sample("联席会议每半年召开一次，必要时可临时召开。\n".encode(), "联席会议工作规则.txt"),
        )
        sent = []
        for name, part in ((UNITS[0], "召集单位"), *((n, "成员单位") for n in UNITS[1:])):
            unit = Unit.objects.get(name=name)
            person = Person.objects.filter(unit=unit).order_by("pk").first()
            bodies.add_member(body, {"unit": unit, "representative": person, "part": part}, by=office)
            if person is not None:
                sent.append(person)
        if day < dt.date(today.year, 7, 8) or len(sent) < 2:
            return
        meeting = actions.record_meeting(
            {
                "kind": MeetingKind.JOINT,
                "unit": lead,
                "body": body,
                "date": day,
                "topics": "通报上半年意识形态工作情况，协调校园阵地管理",
                "place": "市委宣传部第二会议室",
                "chair": "张伟",
                "attendees": sent[:-1],
                "absences": [(sent[-1], "外出学习")],
            },
            by=office,
        )
        education = Unit.objects.get(name="市教育局")
        decision = {"measure": "开展校园意识形态阵地排查", "lead_unit": education, "deadline": "10月31日前"}
        actions.add_decision(meeting, decision, by=office)


def _trainings(today) -> None:
    """A year's training: the department's cadres in June, the liaisons in October (layers as migrated)."""
    from taizhang.duties import training
    from taizhang.duties.models import TrainingLayer

    office = User.objects.get(username="office")
    sessions = [
        (dt.date(today.year, 6, 10), "宣传思想干部", "市委宣传部", "网络意识形态工作专题培训", "4"),
        (dt.date(today.year, 10, 15), "联络员", "市委宣传部", "意识形态工作责任制台账填报培训", "2"),
        (dt.date(today.year, 9, 8), "领导干部", "市教育局", "学校意识形态工作专题培训", "3"),
    ]
    for day, layer_name, unit_name, topic, hours in sessions:
        layer = TrainingLayer.objects.filter(name=layer_name).first()
        if layer is None or day > today:
            continue
        unit = Unit.objects.get(name=unit_name)
        with as_of(day):
            training.record_training(
                {
                    "layer": layer,
                    "unit": unit,
                    "date": day,
                    "hours": hours,
                    "topic": topic,
                    "organiser": unit_name,
                    "attendees": list(Person.objects.filter(unit=unit)),
                },
                by=office,
            )


def _inspection(today) -> None:
    """November's inspection of two units: what it found is in its rectification ledger, with measures."""
    from taizhang.duties import inspection

    office = User.objects.get(username="office")
    with as_of(min(dt.date(today.year, 11, 20), today)):
        units = [Unit.objects.get(name=n) for n in ("市档案馆", "市文化广电旅游局")]
        title = f"{INSPECTION_PREFIX}{today.year}年度）"
        opened = inspection.open_inspection({"year": today.year, "units": units, "title": title}, by=office)
        for unit_name, text, measure in (
            ("市档案馆", "未按期签订意识形态工作责任书", "12月底前补签责任书并报备"),
            ("市文化广电旅游局", "上半年未专题研究意识形态工作", "年底前召开党组会议专题研究并形成纪要"),
        ):
            data = {"unit": Unit.objects.get(name=unit_name), "text": text, "measure": measure, "deadline": "年底前"}
            inspection.record_finding(opened, data, by=office)
