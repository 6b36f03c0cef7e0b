"""The demo organisation: a city committee, its offices, departments, bureaus and counties."""

from taizhang.core.permissions import Role, Scope
from taizhang.org import actions
from taizhang.org.models import Person, Unit, UnitGroup, UnitKind, User

DEMO_PASSWORD = "taizhang-demo"

# (name, short name, kind, children)
TREE = (
    "中共示范市委员会",
    "市委",
    UnitKind.COMMITTEE,
    [
        ("市委办公室", "市委办", UnitKind.OFFICE, [("市委督查室", "督查室", UnitKind.OFFICE, [])]),
        ("市委组织部", "组织部", UnitKind.DEPARTMENT, []),
        ("市委宣传部", "宣传部", UnitKind.DEPARTMENT, []),
        ("市委网络安全和信息化委员会办公室", "市委网信办", UnitKind.OFFICE, []),
        ("市委党校", "党校", UnitKind.SCHOOL, []),
        ("市档案馆", "档案馆", UnitKind.OTHER, []),
        (
            "示范市人民政府",
            "市政府",
            UnitKind.OFFICE,
            [
                ("市政府办公室", "市政府办", UnitKind.OFFICE, []),
                ("市教育局", "教育局", UnitKind.BUREAU, []),
                ("市财政局", "财政局", UnitKind.BUREAU, []),
                ("市文化广电旅游局", "文旅局", UnitKind.BUREAU, []),
                ("市政务服务数据管理局", "数据局", UnitKind.BUREAU, []),
            ],
        ),
        ("东城区委", "东城区", UnitKind.COUNTY, [("东城区委宣传部", "东城宣传部", UnitKind.DEPARTMENT, [])]),
        ("西城区委", "西城区", UnitKind.COUNTY, []),
        ("南山县委", "南山县", UnitKind.COUNTY, []),
        ("北川县委", "北川县", UnitKind.COUNTY, []),
    ],
)

COUNTY_GROUP = "各县（区）委"
ALIASES = {"市委网络安全和信息化委员会办公室": "网信办"}

# (name, post, unit)
PEOPLE = [
    ("李强", "市委常委、秘书长", "市委办公室"),
    ("王芳", "市委常委、组织部部长", "市委组织部"),
    ("张伟", "市委常委、宣传部部长", "市委宣传部"),
    ("刘洋", "副市长", "示范市人民政府"),
    ("陈静", "督查室主任", "市委督查室"),
    ("赵磊", "宣传部办公室主任", "市委宣传部"),
    ("孙敏", "宣传部常务副部长", "市委宣传部"),
    ("周杰", "东城区委宣传部联络员", "东城区委"),
    ("吴刚", "巡察组组长", "中共示范市委员会"),
    ("郑爽", "系统管理员", "市委办公室"),
    ("钱进", "市教育局局长", "市教育局"),
    ("冯敏", "市档案馆馆长", "市档案馆"),
]

# (username, role, scope, unit, person name, description shown by the command)
ACCOUNTS = [
    ("admin", Role.ADMIN, Scope.ALL, "市委办公室", "郑爽", "系统管理员 administrator"),
    ("office", Role.OFFICE, Scope.ALL, "市委督查室", "陈静", "督查室 supervision office"),
    ("leader", Role.LEADER, Scope.OWN, "市委宣传部", "张伟", "责任领导 responsible leader (own items)"),
    ("unithead", Role.LEADER, Scope.UNIT, "市委宣传部", "孙敏", "单位负责人 unit head of 市委宣传部"),
    ("liaison", Role.LIAISON, Scope.UNIT, "市委宣传部", "赵磊", "联络员 liaison of 市委宣传部"),
    ("county", Role.LIAISON, Scope.SUBTREE, "东城区委", "周杰", "联络员 liaison of 东城区委 and below"),
    ("viewer", Role.VIEWER, Scope.ALL, "中共示范市委员会", "吴刚", "巡察组 inspector (read only)"),
    ("eduhead", Role.LEADER, Scope.UNIT, "市教育局", "钱进", "单位负责人 unit head of 市教育局"),
    ("archhead", Role.LEADER, Scope.UNIT, "市档案馆", "冯敏", "单位负责人 unit head of 市档案馆"),
]


def foreign_data() -> list[str]:
    """What in this database is not the demo's: accounts it did not create, ledgers other than its own.

    The demo's accounts have a published password; on a real database they would be open doors.
    """
    from taizhang.duties.demo import INSPECTION_PREFIX
    from taizhang.rectification.demo import DEMO_TITLES, TITLE
    from taizhang.rectification.models import Source

    found = []
    demo_names = {username for username, *_ in ACCOUNTS}
    others = User.objects.exclude(username__in=demo_names).values_list("username", flat=True)
    if others:
        found.append("accounts: " + ", ".join(list(others[:5])) + ("…" if others.count() > 5 else ""))
    ledgers = Source.objects.exclude(title__in=[TITLE, *DEMO_TITLES]).exclude(title__startswith=INSPECTION_PREFIX)
    ledgers = ledgers.count()
    if ledgers:
        found.append(f"{ledgers} ledgers")
    return found


def build_org(*, reset_passwords: bool = False) -> list[tuple[str, str, str]]:
    """Create what is missing; never duplicate. Returns (username, password, description) rows.

    An existing demo account keeps its password unless `reset_passwords`: someone may have changed it."""
    _build_units(TREE, None)
    units = {u.name: u for u in Unit.objects.all()}
    group = UnitGroup.objects.filter(name=COUNTY_GROUP).first()
    counties = [u for u in units.values() if u.kind == UnitKind.COUNTY]
    if group is None:
        actions.save_group(
            None, {"name": COUNTY_GROUP, "description": "全市各县（区）党委", "members": counties}, by=None
        )
    for name, post, unit_name in PEOPLE:
        if not Person.objects.filter(name=name, post=post).exists():
            actions.save_person(None, {"name": name, "post": post, "unit": units[unit_name]}, by=None)
    rows = []
    for username, role, scope, unit_name, person_name, description in ACCOUNTS:
        account = User.objects.filter(username=username).first()
        data = {
            "username": username,
            "role": role,
            "scope": scope,
            "unit": units[unit_name],
            "person": Person.objects.get(name=person_name),
            "is_active": True,
        }
        if account is None:
            actions.save_account(None, data, by=None, password=DEMO_PASSWORD)
        elif reset_passwords and not account.check_password(DEMO_PASSWORD):
            actions.save_account(account, data, by=None, password=DEMO_PASSWORD)
        elif not account.check_password(DEMO_PASSWORD):
            rows.append((username, "(changed; kept)", description))
            continue
        rows.append((username, DEMO_PASSWORD, description))
    return rows


def _build_units(node, parent):
    name, short_name, kind, children = node
    unit = Unit.objects.filter(name=name).first()
    if unit is None:
        unit = actions.save_unit(
            None,
            {"name": name, "short_name": short_name, "kind": kind, "parent": parent, "aliases": ALIASES.get(name, "")},
            by=None,
        )
    for child in children:
        _build_units(child, unit)
