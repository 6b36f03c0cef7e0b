"""Organisation writes: the tree moves as a whole, scope limits administrators, every write is audited."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from taizhang.core.audit import history, verify_chain
from taizhang.org import actions
from taizhang.org.models import Unit
from taizhang.testing import unit

pytestmark = pytest.mark.django_db


def test_moving_a_unit_moves_its_subtree(people):
    county, dept, city = unit("东城区委"), unit("东城区委宣传部"), unit("示范市人民政府")
    actions.save_unit(county, {"parent": city}, by=people["admin"])
    dept.refresh_from_db()
    county.refresh_from_db()
    assert county.path.startswith(city.path) and dept.path.startswith(county.path)
    assert (county.depth, dept.depth) == (city.depth + 1, city.depth + 2)
    assert set(Unit.objects.subtree(city).values_list("name", flat=True)) >= {"东城区委", "东城区委宣传部"}
    event = history(county).last()
    assert event.action == "unit.update" and event.before["parent"] != event.after["parent"]
    assert verify_chain().ok


def test_a_unit_cannot_move_under_its_own_subunit(people):
    with pytest.raises(ValidationError):
        actions.save_unit(unit("东城区委"), {"parent": unit("东城区委宣传部")}, by=people["admin"])


def test_roles_without_management_rights_are_refused(people):
    for persona in ("liaison", "viewer", "leader"):
        with pytest.raises(PermissionDenied):
            actions.save_unit(None, {"name": "新单位", "parent": unit("市委办公室")}, by=people[persona])


def test_person_needs_a_name_or_a_post(clients):
    response = clients["office"].post("/org/people/new/", {"name": "", "post": "", "is_active": "on"})
    assert response.status_code == 200
    assert "请填写姓名或职务" in response.content.decode()
    response = clients["office"].post("/org/people/new/", {"name": "", "post": "副市长", "is_active": "on"})
    assert response.status_code == 302


def test_account_creation_with_scope_and_password(people, clients):
    response = clients["admin"].post(
        "/org/accounts/new/",
        {
            "username": "newliaison",
            "role": "liaison",
            "scope": "unit",
            "unit": unit("市财政局").pk,
            "password": "Long-enough-passphrase-9",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    created = type(people["admin"]).objects.get(username="newliaison")
    assert created.check_password("Long-enough-passphrase-9")
    event = history(created).get()
    assert "password" not in event.after


def test_scoped_account_without_unit_is_refused(clients):
    response = clients["admin"].post("/org/accounts/new/", {"username": "x", "role": "viewer", "scope": "unit"})
    assert response.status_code == 200
    assert "限定范围的账号必须指定单位" in response.content.decode()


def test_moving_a_unit_on_its_page_moves_its_subtree_and_records_the_old_parent(clients):
    from taizhang.core.writes import state_token
    from taizhang.org.actions import UNIT_FIELDS

    county, dept, city = unit("东城区委"), unit("东城区委宣传部"), unit("示范市人民政府")
    old_parent = county.parent_id
    data = {"name": "东城区委", "kind": "county", "parent": city.pk, "sort_order": 0, "is_active": "on"}
    response = clients["office"].post(
        f"/org/units/{county.pk}/edit/", data | {"version": state_token(county, UNIT_FIELDS)}
    )
    assert response.status_code == 302
    dept.refresh_from_db()
    county.refresh_from_db()
    assert dept.path.startswith(county.path) and county.path.startswith(city.path)
    event = history(county).last()
    assert (event.before["parent"], event.after["parent"]) == (old_parent, city.pk)
    assert clients["office"].get(f"/org/units/{county.pk}/").content.decode().count("修改了单位") == 1


def test_a_stale_or_missing_edit_state_is_refused(clients):
    from taizhang.core.writes import state_token
    from taizhang.org.actions import UNIT_FIELDS

    county = unit("东城区委")
    read_at = state_token(county, UNIT_FIELDS)
    actions.save_unit(county, {"short_name": "东城"}, by=None)  # someone else saves first
    data = {"name": "东城区委（改）", "kind": "county", "parent": county.parent_id, "sort_order": 0}
    stale = clients["office"].post(f"/org/units/{county.pk}/edit/", data | {"version": read_at})
    missing = clients["office"].post(f"/org/units/{county.pk}/edit/", data)
    assert stale.status_code == missing.status_code == 200
    assert "其他人修改" in stale.content.decode() and "重新加载" in missing.content.decode()
    county.refresh_from_db()
    assert county.name == "东城区委"


def test_an_account_with_a_person_and_a_unit_is_edited_under_its_form_state(people):
    """The edit re-reads the account under a row lock (on PostgreSQL, FOR UPDATE: the account's default
    manager joins its person and unit, which may be empty, so the lock reads the account alone)."""
    from taizhang.core.errors import Conflict
    from taizhang.core.writes import state_token
    from taizhang.org.actions import ACCOUNT_FIELDS

    account = people["liaison"]
    assert account.person_id and account.unit_id
    read_at = state_token(account, ACCOUNT_FIELDS)
    actions.save_account(account, {"email": "liaison@example.cn"}, by=people["admin"], version=read_at)
    account.refresh_from_db()
    assert account.email == "liaison@example.cn"
    with pytest.raises(Conflict):
        actions.save_account(account, {"email": "other@example.cn"}, by=people["admin"], version=read_at)
