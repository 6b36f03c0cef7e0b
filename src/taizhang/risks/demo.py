"""The demo's risk register and special investigation, made through the actions as the demo's people.

About thirty risks across units, areas and levels: some being disposed of, one cleared, one closed, one
whose review is overdue. One campaign over the counties and several departments whose weeks are
replayed day by day (`as_of`: the actions' idea of today moved back, as the tests' clock does), so its
returns are in every state: accepted, submitted, sent back, being filled in, not started, overdue, two
nil returns and one late return. Idempotent: a register that holds risks is left alone.
"""

import contextlib
import datetime as dt

from django.utils import timezone

from taizhang.org.models import Unit, UnitGroup, User
from taizhang.risks import actions, actions_campaign
from taizhang.risks.models import AssessmentKind, Risk
from taizhang.tasks import actions as task_actions
from taizhang.tasks.models import Step

# (unit, area, risk point, how it shows, posts, controls, likelihood, impact)
RISKS = [
    (
        "市委宣传部",
        "业务流程",
        "新媒体平台发布内容未严格执行三审三校",
        "个别稿件由编辑直接发布，未经终审",
        "新媒体编辑",
        "落实三审制，终审留痕",
        4,
        4,
    ),
    (
        "市委宣传部",
        "制度机制",
        "讲座论坛报告会审批备案制度执行不到位",
        "部分活动事后补办审批",
        "活动承办科室",
        "一会一报，事前审批",
        3,
        4,
    ),
    (
        "市委宣传部",
        "岗位职责",
        "意识形态工作责任清单未细化到具体岗位",
        "清单只列到科室",
        "各科室负责人",
        "修订责任清单",
        3,
        3,
    ),
    ("市委宣传部", "思想道德", "青年干部理论学习参与度不高", "专题学习缺勤较多", "青年干部", "纳入年度考核", 2, 3),
    (
        "市委网络安全和信息化委员会办公室",
        "业务流程",
        "政务新媒体账号开设注销审核不严",
        "有账号长期停更无人管理",
        "账号管理员",
        "建立账号台账",
        4,
        3,
    ),
    (
        "市委网络安全和信息化委员会办公室",
        "制度机制",
        "网站栏目内容更新缺少复核环节",
        "栏目更新由一人完成",
        "网站编辑",
        "双人复核",
        3,
        3,
    ),
    (
        "市委网络安全和信息化委员会办公室",
        "外部环境",
        "外包运维单位人员保密培训缺失",
        "运维人员未签保密承诺",
        "外包运维人员",
        "签订保密协议",
        3,
        5,
    ),
    (
        "市教育局",
        "业务流程",
        "校园宣传阵地内容审核责任不清",
        "展板更换无审核记录",
        "学校宣传干事",
        "阵地管理台账",
        3,
        4,
    ),
    ("市教育局", "制度机制", "教材教辅选用审核机制不健全", "个别学校自行采购教辅", "教务人员", "统一选用目录", 4, 5),
    ("市教育局", "岗位职责", "学校意识形态工作联络员配备不全", "部分学校无专人负责", "学校办公室", "明确联络员", 2, 2),
    (
        "市文化广电旅游局",
        "业务流程",
        "文艺演出节目内容审查流程不规范",
        "审查意见未书面留存",
        "演出审批人员",
        "审查意见存档",
        3,
        4,
    ),
    (
        "市文化广电旅游局",
        "制度机制",
        "公共文化场馆展陈内容更新审核制度缺失",
        "临展内容未报审",
        "场馆管理人员",
        "建立报审制度",
        4,
        4,
    ),
    (
        "市文化广电旅游局",
        "外部环境",
        "合作办展单位内容把关责任未约定",
        "合作协议无内容责任条款",
        "合作项目负责人",
        "协议增加责任条款",
        2,
        4,
    ),
    (
        "市委党校",
        "思想道德",
        "个别教师课堂讲授把关意识不强",
        "授课课件未经教研室审阅",
        "任课教师",
        "课件集体备课",
        2,
        5,
    ),
    ("市委党校", "制度机制", "外请专家授课审核备案不及时", "备案晚于授课日期", "教务处", "提前备案", 3, 3),
    (
        "市档案馆",
        "业务流程",
        "档案开放利用审核环节把关不严",
        "个别档案开放前未经鉴定",
        "档案鉴定人员",
        "开放前鉴定",
        2,
        4,
    ),
    ("市档案馆", "岗位职责", "档案编研成果出版前审读责任不明", "审读人员未指定", "编研人员", "指定审读人", 1, 3),
    (
        "东城区委",
        "岗位职责",
        "街道意识形态工作责任落实层层递减",
        "社区书记对责任清单不熟悉",
        "街道社区干部",
        "专题培训",
        3,
        3,
    ),
    ("东城区委", "业务流程", "区属媒体稿件终审签发记录不全", "签发单缺失", "区融媒体中心编辑", "签发单归档", 4, 2),
    (
        "东城区委宣传部",
        "制度机制",
        "宣传文化阵地管理台账更新不及时",
        "台账半年未更新",
        "阵地管理员",
        "季度更新台账",
        2,
        2,
    ),
    (
        "东城区委宣传部",
        "外部环境",
        "社会组织举办活动报备衔接不畅",
        "部分活动未提前报备",
        "社会组织联络员",
        "建立报备机制",
        3,
        2,
    ),
    ("西城区委", "思想道德", "基层党员理论学习形式单一", "学习以读文件为主", "支部书记", "丰富学习形式", 2, 2),
    (
        "西城区委",
        "业务流程",
        "区级政务公开内容审核把关不严",
        "公开前未经保密审查",
        "政务公开专员",
        "公开前保密审查",
        3,
        4,
    ),
    ("南山县委", "岗位职责", "乡镇宣传委员兼职过多精力不足", "宣传委员兼任多项工作", "乡镇宣传委员", "明确主责", 3, 2),
    ("南山县委", "制度机制", "县级讲座论坛活动台账缺失", "活动无统一登记", "县委宣传部", "建立活动台账", 4, 3),
    ("北川县委", "外部环境", "旅游景区解说词内容审核缺位", "解说词未经审核", "景区讲解员", "解说词统一审核", 3, 3),
    ("北川县委", "业务流程", "县融媒体中心直播活动审批不规范", "直播前未报批", "直播负责人", "直播报批制度", 4, 4),
    (
        "北川县委",
        "思想道德",
        "新入职干部意识形态培训未全覆盖",
        "部分新入职干部未参训",
        "新入职干部",
        "入职培训必修",
        2,
        3,
    ),
    (
        "市委宣传部",
        "外部环境",
        "对外交流活动宣传材料审核流程不完善",
        "材料由承办方自行印制",
        "外事联络人员",
        "统一审核",
        2,
        4,
    ),
    (
        "市教育局",
        "思想道德",
        "校外培训机构从业人员师德师风监管薄弱",
        "缺少定期检查",
        "培训机构管理科",
        "定期检查",
        3,
        3,
    ),
]

CAMPAIGN_TITLE = "2026年第四季度意识形态领域风险专项排查"


@contextlib.contextmanager
def as_of(day: dt.date):
    """The actions' today set to `day` while the demo replays what happened on it."""
    from taizhang.risks import actions as risk_module
    from taizhang.tasks import actions as task_module

    modules = (task_module, risk_module, actions_campaign)
    saved = [m._today for m in modules]
    for m in modules:
        m._today = lambda: day
    try:
        yield
    finally:
        for m, f in zip(modules, saved, strict=True):
            m._today = f


def _user(name: str) -> User:
    return User.objects.get(username=name)


def load_risk_demo() -> int:
    if Risk.objects.exists():
        return Risk.objects.count()
    office, today = _user("office"), timezone.localdate()
    risks = [_make(row, office, today) for row in RISKS]
    _dispose(risks, office, today)
    _campaign(office, today)
    return Risk.objects.count()


def _make(row, office, today) -> Risk:
    unit_name, area, text, forms, posts, controls, likelihood, impact = row
    area = actions.ensure_area(area, by=office)
    risk = actions.save_risk(
        None,
        {
            "text": text,
            "category": area,
            "unit": Unit.objects.get(name=unit_name),
            "forms": forms,
            "posts": posts,
            "controls": controls,
        },
        by=office,
    )
    # assessed a while ago, so reviews fall due: the 重大 ones monthly, and one of them is overdue
    assessed_on = today - dt.timedelta(days=45 if (likelihood, impact) == (4, 5) else 10)
    actions.assess(risk, {"likelihood": likelihood, "impact": impact, "assessed_on": assessed_on}, by=office)
    return Risk.objects.get(pk=risk.pk)


def _dispose(risks, office, today) -> None:
    """Disposal tasks for the serious ones; one cleared after its task closed, one closed as a duplicate."""
    propaganda = [r for r in risks if r.unit.name == "市委宣传部"]
    for risk in [r for r in risks if r.level in ("major", "high")][:8]:
        actions.add_disposal(
            risk,
            {
                "measure": f"制定整改措施：{risk.controls}",
                "lead_unit": risk.unit,
                "deadline": today + dt.timedelta(days=60),
            },
            by=office,
        )
    cleared = propaganda[0]
    task = actions.disposal_tasks(cleared).first()
    task_actions.transition(task, Step.APPLY_CLOSE, by=_user("liaison"), note="三审制度已修订并执行")
    task_actions.transition(task, Step.CONFIRM, by=_user("unithead"))
    task_actions.transition(task, Step.VERIFY, by=office)
    actions.assess(cleared, {"kind": AssessmentKind.RESIDUAL, "likelihood": 1, "impact": 3}, by=_user("liaison"))
    actions.clear(
        Risk.objects.get(pk=cleared.pk), by=_user("unithead"), note="三审三校制度修订完成，连续两月抽查无问题"
    )
    actions.record_review(
        propaganda[1],
        {"date": today, "participants": "孙敏、赵磊", "conclusion": "审批备案已纳入OA流程，风险可控"},
        by=_user("unithead"),
    )
    actions.close(
        Risk.objects.get(pk=propaganda[3].pk), by=_user("unithead"), reason="与“意识形态工作责任清单”风险点合并管理"
    )


def _campaign(office, today) -> None:
    start, due = today - dt.timedelta(days=20), today - dt.timedelta(days=3)
    counties = UnitGroup.objects.get(name="各县（区）委")
    named = ["市委宣传部", "市委网络安全和信息化委员会办公室", "市教育局", "市文化广电旅游局", "市委党校", "市档案馆"]
    with as_of(start):
        campaign = actions_campaign.launch(
            {
                "title": CAMPAIGN_TITLE,
                "issuer": "市委宣传部",
                "starts_on": start,
                "due_on": due,
                "instructions": (
                    "请各单位对照五类风险逐项排查，如实填报风险点及防控措施；未发现风险的由单位负责人报送零报告。"
                ),
                "areas": list(actions.areas()),
                "scope_groups": [counties],
                "scope_units": [Unit.objects.get(name=n) for n in named],
                "scope_subtrees": [Unit.objects.get(name="东城区委")],
            },
            by=office,
        )
    ret = {r.unit.name: r for r in campaign.returns.select_related("unit")}
    found = {"likelihood": 3, "impact": 3}
    with as_of(start + dt.timedelta(days=5)):  # 市委宣传部: two risks, submitted, accepted
        for text in ("重大活动宣传报道口径审核把关不严", "宣传干部队伍专业培训不足"):
            actions_campaign.add_risk(ret["市委宣传部"], {"text": text}, by=_user("liaison"), assessment=found)
        actions_campaign.submit(ret["市委宣传部"], by=_user("liaison"))
        actions_campaign.decide(ret["市委宣传部"], by=office, accept=True, note="排查认真，予以采纳")
    with as_of(start + dt.timedelta(days=8)):  # two nil returns, on time
        actions_campaign.submit(ret["市教育局"], by=_user("eduhead"), nil=True)
        actions_campaign.submit(ret["市档案馆"], by=_user("archhead"), nil=True)
    with as_of(start + dt.timedelta(days=10)):  # 东城区委: submitted, then sent back, being completed
        actions_campaign.add_risk(
            ret["东城区委"], {"text": "社区宣传栏内容更新审核缺位"}, by=_user("county"), assessment=found
        )
        actions_campaign.submit(ret["东城区委"], by=_user("county"))
        actions_campaign.decide(ret["东城区委"], by=office, accept=False, note="请补充街道层面的风险点及防控措施")
    with as_of(start + dt.timedelta(days=12)):  # 东城区委宣传部: submitted, waiting for the office
        actions_campaign.add_risk(
            ret["东城区委宣传部"], {"text": "区级宣传品印制审核流程不清"}, by=_user("county"), assessment=found
        )
        actions_campaign.submit(ret["东城区委宣传部"], by=_user("county"))
    with as_of(today):  # 西城区委: after the due date, accepted and flagged late
        actions_campaign.add_risk(
            ret["西城区委"], {"text": "街道宣传阵地值守安排存在空档"}, by=office, assessment=found
        )
        actions_campaign.submit(ret["西城区委"], by=office)
    # 网信办 is filling in (a risk entered, not submitted); 文旅局, 党校, 南山, 北川 have not started:
    # all past the due date, so overdue and chased by the reminder loop
    actions_campaign.add_risk(
        ret["市委网络安全和信息化委员会办公室"], {"text": "网络安全应急演练未覆盖新上线系统"}, by=office
    )
    _current_campaign(office, today)


def _current_campaign(office, today) -> None:
    """A campaign still open: one return being filled in, the others not started yet."""
    campaign = actions_campaign.launch(
        {
            "title": "2027年度宣传文化阵地风险专项排查",
            "issuer": "市委宣传部",
            "starts_on": today,
            "due_on": today + dt.timedelta(days=14),
            "instructions": "请对照本单位宣传文化阵地逐一排查，报送风险点或零报告。",
            "scope_units": [
                Unit.objects.get(name=n) for n in ("市委宣传部", "市文化广电旅游局", "市教育局", "市档案馆")
            ],
        },
        by=office,
    )
    draft = campaign.returns.get(unit__name="市委宣传部")
    actions_campaign.add_risk(
        draft,
        {"text": "新闻发布会材料准备审核时间过短"},
        by=_user("liaison"),
        assessment={"likelihood": 2, "impact": 3},
    )
