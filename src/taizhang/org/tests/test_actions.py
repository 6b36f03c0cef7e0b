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


def test_unit_page_edit_moves_unit_and_shows_history(clients):
    county, city = unit("东城区委"), unit("示范市人民政府")
    response = clients["office"].post(
        f"/org/units/{county.pk}/edit/", {"name": "东城区委", "kind": "county", "parent": city.pk, "sort_order": 0}
    )
    assert response.status_code == 302
    county.refresh_from_db()
    assert county.parent == city
    assert clients["office"].get(f"/org/units/{county.pk}/").content.decode().count("unit.update") == 1


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
