"""A scoped administrator administers its subtree and nothing more: no wider account, no wider self."""

import pytest
from django.core.exceptions import PermissionDenied

from taizhang.core.errors import OutOfScope
from taizhang.core.permissions import Role, Scope
from taizhang.core.writes import state_token
from taizhang.org import actions
from taizhang.org.actions import ACCOUNT_FIELDS
from taizhang.org.models import Person, User
from taizhang.testing import unit

pytestmark = pytest.mark.django_db


def account_data(**overrides):
    data = {"username": "newbie", "role": Role.LIAISON, "scope": Scope.UNIT, "unit": unit("东城区委宣传部")}
    data["is_active"] = True
    return data | overrides


def test_scoped_admin_creates_accounts_inside_its_subtree(people):
    created = actions.save_account(None, account_data(), by=people["countyadmin"], password="long-enough-pass-2026")
    assert (created.unit.name, created.scope) == ("东城区委宣传部", Scope.UNIT)


@pytest.mark.parametrize(
    "overrides",
    [
        {"role": Role.ADMIN, "scope": Scope.ALL},  # an all-scope administrator
        {"role": Role.VIEWER, "scope": Scope.ALL},  # an all-scope viewer
        {"scope": Scope.SUBTREE, "unit": unit},  # a subtree anchored outside (filled in below)
    ],
)
def test_scoped_admin_cannot_create_a_wider_account(people, overrides):
    if overrides.get("unit") is unit:
        overrides = overrides | {"unit": unit("中共示范市委员会")}
    with pytest.raises(PermissionDenied):
        actions.save_account(None, account_data(**overrides), by=people["countyadmin"])
    assert not User.objects.filter(username="newbie").exists()


def test_scoped_admin_cannot_widen_its_own_account(people):
    me = people["countyadmin"]
    for change in ({"scope": Scope.ALL}, {"unit": unit("中共示范市委员会")}, {"role": Role.OFFICE}):
        with pytest.raises(PermissionDenied):
            actions.save_account(me, change, by=me)
        me.refresh_from_db()
        assert (me.role, me.scope, me.unit.name) == (Role.ADMIN, Scope.SUBTREE, "东城区委")


def test_scoped_admin_cannot_link_a_person_outside_its_subtree(people):
    outsider = Person.objects.get(name="陈静")  # 督查室主任, 市委督查室
    data = account_data(scope=Scope.OWN, person=outsider)
    with pytest.raises(PermissionDenied):
        actions.save_account(None, data, by=people["countyadmin"])


def test_scoped_admin_cannot_touch_a_wider_account_in_its_subtree(people):
    """An all-scope account whose unit lies in the subtree is still not the subtree's to reset."""
    wide = actions.save_account(None, account_data(username="wide", role=Role.VIEWER, scope=Scope.ALL), by=None)
    with pytest.raises(OutOfScope):
        actions.save_account(wide, {"is_active": False}, by=people["countyadmin"], password="taken-over-2026-x")
    wide.refresh_from_db()
    assert wide.is_active and not wide.check_password("taken-over-2026-x")


def test_account_page_offers_and_accepts_only_what_may_be_granted(clients, people):
    page = clients["countyadmin"].get("/org/accounts/new/").content.decode()
    assert 'value="all"' not in page and "陈静" not in page
    response = clients["countyadmin"].post(
        "/org/accounts/new/",
        {"username": "sneaky", "role": "admin", "scope": "all", "unit": unit("东城区委").pk, "is_active": "on"},
    )
    assert response.status_code == 200 and not User.objects.filter(username="sneaky").exists()
    own = people["countyadmin"]
    response = clients["countyadmin"].post(
        f"/org/accounts/{own.pk}/edit/",
        {
            "username": own.username,
            "role": "admin",
            "scope": "subtree",
            "unit": unit("中共示范市委员会").pk,
            "version": state_token(own, ACCOUNT_FIELDS),
        },
    )
    assert "选择一个有效的选项" in response.content.decode()  # the subtree admin is not offered the root
    own.refresh_from_db()
    assert response.status_code == 200 and own.unit.name == "东城区委"


def test_scoped_admin_cannot_rewrite_a_shared_group(people):
    from taizhang.org.models import UnitGroup

    group = UnitGroup.objects.get(name="各县（区）委")
    with pytest.raises(PermissionDenied):
        actions.save_group(group, {"members": [unit("东城区委")]}, by=people["countyadmin"])
    assert group.members.count() == 4
