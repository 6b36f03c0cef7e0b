"""Organisation sync from a directory export: the dry run says what would change and writes nothing; the
real run applies renames, moves, new units and people (with accounts from the role mapping), and
deactivates what the directory no longer lists without deleting anything; every change is audited; a
second run finds nothing to do; the page previews and applies exactly what it showed."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from taizhang.core.audit import verify_chain
from taizhang.core.audit_objects import verify_objects
from taizhang.core.models import AuditEvent
from taizhang.org import actions, sync
from taizhang.org.models import Person, Unit, User
from taizhang.testing import unit

pytestmark = pytest.mark.django_db

EXPORT = """类型,编码,名称,上级编码,单位编码,职务,角色组
单位,SW,中共示范市委员会,,,,
单位,XC,中共市委宣传部,SW,,,
单位,JY,市教育局,DC,,,
单位,DC,东城区委,SW,,,
单位,XB,市委新成立办公室,SW,,,
人员,E1001,赵磊,,XC,宣传部办公室主任,
人员,E3003,吴新,,XB,科员,liaison
人员,E4004,钱进,,JY,市教育局局长,
"""


@pytest.fixture
def coded(people, settings):
    """The demo organisation with unit codes and two staff numbers, as an administrator would set them."""
    settings.TAIZHANG_SSO_ROLES = {"liaison": "liaison/unit"}
    for name, code in (
        ("中共示范市委员会", "SW"),
        ("市委宣传部", "XC"),
        ("市教育局", "JY"),
        ("东城区委", "DC"),
        ("市档案馆", "DA"),
    ):
        actions.save_unit(unit(name), {"code": code}, by=None)
    for name, code in (("赵磊", "E1001"), ("冯敏", "E2002")):
        actions.save_person(Person.objects.get(name=name), {"code": code}, by=None)
    return people


def export_file(tmp_path, text=EXPORT, encoding="utf-8-sig"):
    path = tmp_path / "directory.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_the_dry_run_names_every_change_and_writes_nothing(coded, tmp_path):
    events = AuditEvent.objects.count()
    out = io.StringIO()
    call_command("sync_org", "--from", "csv", str(export_file(tmp_path, encoding="gb18030")), "--dry-run", stdout=out)
    text = out.getvalue()
    assert "单位更名  市委宣传部 → 中共市委宣传部" in text
    assert "单位调整隶属  市教育局：示范市人民政府 → 东城区委" in text
    assert "新增单位  市委新成立办公室（上级：中共示范市委员会）" in text
    assert "单位停用  市档案馆" in text
    assert "新增人员  吴新（E3003）" in text and "开通账号  吴新（E3003）：单位联络员 · 本单位" in text
    assert "钱进：登记工号 E4004" in text
    assert "人员停用  冯敏（E2002）" in text
    assert "赵磊" not in text  # unchanged
    assert AuditEvent.objects.count() == events
    assert unit("市委宣传部").is_active and not Unit.objects.filter(code="XB").exists()


def test_the_real_run_applies_the_directory_and_deletes_nothing(coded, tmp_path):
    units, persons = Unit.objects.count(), Person.objects.count()
    plan = actions.sync_directory(sync.read_file(export_file(tmp_path), "directory.csv"), by=coded["admin"])
    assert {c.kind for c in plan.changes} == set(sync.KIND_LABELS) - {"unit.reactivate", "unit.adopt"}
    renamed = Unit.objects.get(code="XC")
    assert renamed.name == "中共市委宣传部" and "市委宣传部" in renamed.alias_list()  # old ledgers still match
    education, east = Unit.objects.get(code="JY"), Unit.objects.get(code="DC")
    assert education.parent == east and education.path.startswith(east.path)
    archive = Unit.objects.get(code="DA")
    assert not archive.is_active  # deactivated, not deleted
    new = Unit.objects.get(code="XB")
    assert new.parent == Unit.objects.get(code="SW") and new.name == "市委新成立办公室"
    wu = Person.objects.get(code="E3003")
    assert (wu.name, wu.post, wu.unit) == ("吴新", "科员", new)
    account = User.objects.get(username="E3003")
    assert (account.role, account.scope, account.unit, account.person) == ("liaison", "unit", new, wu)
    assert not account.has_usable_password()  # signs in through the platform
    assert Person.objects.get(name="钱进").code == "E4004"  # adopted, not duplicated
    feng = Person.objects.get(code="E2002")
    assert not feng.is_active and not User.objects.get(username="archhead").is_active
    assert Unit.objects.count() == units + 1 and Person.objects.count() == persons + 1
    actions_done = set(
        AuditEvent.objects.filter(object_type__in=["org.unit", "org.person", "org.user"]).values_list(
            "action", flat=True
        )
    )
    assert {
        "unit.create",
        "unit.update",
        "person.create",
        "person.update",
        "account.create",
        "account.update",
    } <= actions_done
    assert verify_chain().ok and verify_objects().ok
    again = sync.plan(sync.read_file(export_file(tmp_path), "directory.csv"))
    assert again.changes == []


def test_only_an_administrator_over_every_unit_may_sync(coded, tmp_path):
    directory = sync.read_file(export_file(tmp_path), "directory.csv")
    for name in ("office", "countyadmin"):
        with pytest.raises(PermissionDenied):
            actions.sync_directory(directory, by=coded[name])
    assert not Unit.objects.filter(code="XB").exists()


def test_a_plan_changed_since_the_preview_is_refused(coded, tmp_path):
    directory = sync.read_file(export_file(tmp_path), "directory.csv")
    digest = sync.plan(directory).digest
    actions.save_unit(Unit.objects.get(code="XC"), {"name": "市委宣传部（新）"}, by=None)
    with pytest.raises(ValidationError):
        actions.sync_directory(directory, by=coded["admin"], digest=digest)
    assert not Unit.objects.filter(code="XB").exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("名称,说明\n市委,顶层\n", "没有找到含“类型”“编码”“名称”的标题行"),
        ("类型,编码,名称\n单位,,市委\n", "第2行：编码为空"),
        ("类型,编码,名称\n部门库,SW,市委\n", "第2行：类型“部门库”既不是单位也不是人员"),
        ("类型,编码,名称\n单位,SW,市委\n单位,SW,市政府\n", "单位编码 SW 出现了两次"),
        ("类型,编码,名称,上级编码\n单位,A1,甲,B1\n单位,B1,乙,A1\n", "互为上级"),
    ],
)
def test_a_bad_export_is_refused_with_a_message_and_nothing_written(coded, tmp_path, text, message):
    events = AuditEvent.objects.count()
    with pytest.raises(CommandError) as refused:
        call_command("sync_org", "--from", "csv", str(export_file(tmp_path, text)))
    assert message in str(refused.value)
    assert AuditEvent.objects.count() == events


def test_the_page_previews_then_applies_what_it_showed(coded, clients):
    admin = clients["admin"]
    assert 'id="tab-sync"' in admin.get("/org/units/").content.decode()
    assert 'id="tab-sync"' not in clients["office"].get("/org/units/").content.decode()
    upload = SimpleUploadedFile("通讯录导出.csv", EXPORT.encode("gb18030"), "text/csv")
    preview = admin.post("/org/sync/", {"file": upload})
    page = preview.content.decode()
    assert preview.status_code == 200 and "市委宣传部 → 中共市委宣传部" in page and "apply-sync" in page
    assert not Unit.objects.filter(code="XB").exists()  # the preview wrote nothing
    token = preview.context["token"]
    done = admin.post("/org/sync/", {"confirm": "1", "token": token}, follow=True)
    assert done.redirect_chain[-1][0].startswith("/jobs/")  # applied by a job of the queue
    assert "组织机构已与" in done.content.decode() and 'href="/org/units/"' in done.content.decode()
    assert Unit.objects.get(code="XC").name == "中共市委宣传部"
    stale = admin.post("/org/sync/", {"confirm": "1", "token": token}, follow=True)  # its upload is gone
    assert stale.redirect_chain[-1][0] == "/org/sync/"
    assert clients["office"].get("/org/sync/").status_code == 403


def test_the_page_says_what_is_wrong_with_a_file(coded, clients):
    upload = SimpleUploadedFile("通讯录.csv", "名称\n市委\n".encode(), "text/csv")
    response = clients["admin"].post("/org/sync/", {"file": upload})
    assert response.status_code == 400 and "没有找到含“类型”“编码”“名称”的标题行" in response.content.decode()


def test_a_first_sync_adopts_the_units_and_people_already_entered(people, tmp_path):
    """An installation whose units and people were typed in before the directory was connected: the
    first sync records their codes instead of creating a second 市委宣传部 beside the first."""
    export = """类型,编码,名称,上级编码,单位编码,职务
单位,SW,中共示范市委员会,,,
单位,XC,市委宣传部,SW,,
单位,ZF,示范市人民政府,SW,,
单位,JY,市教育局,ZF,,
人员,E1001,赵磊,,XC,宣传部办公室主任
人员,E4004,钱进,,JY,市教育局局长
"""
    units = Unit.objects.count()
    directory = sync.read_file(export_file(tmp_path, export), "directory.csv")
    preview = sync.plan(directory)
    assert [c.kind for c in preview.changes] == ["unit.adopt"] * 4 + ["person.update"] * 2
    assert preview.changes[1].text == "市委宣传部：登记单位编码 XC"
    actions.sync_directory(directory, by=people["admin"], digest=preview.digest)
    assert Unit.objects.count() == units and unit("市委宣传部").code == "XC"
    assert Person.objects.get(name="钱进").code == "E4004" and Person.objects.get(name="赵磊").code == "E1001"
    assert sync.plan(directory).changes == []
