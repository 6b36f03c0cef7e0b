"""Data scope: every role sees exactly its scope in lists, details and the API; outside is 404."""

import pytest

from taizhang.org.models import Person, Unit, subtree_q
from taizhang.testing import unit

pytestmark = pytest.mark.django_db


def expected_units(user):
    if user.scope in ("all",):
        return set(Unit.objects.values_list("name", flat=True))
    if user.scope == "subtree":
        return set(Unit.objects.filter(subtree_q(user.unit.path)).values_list("name", flat=True))
    return {user.unit.name}


@pytest.mark.parametrize("persona", ["office", "viewer", "county", "liaison", "leader", "unithead"])
def test_unit_list_page_and_api_show_exactly_the_scope(people, clients, persona):
    user, client = people[persona], clients[persona]
    expected = expected_units(user)

    page = client.get("/org/units/")
    assert page.status_code == 200
    shown = {u.name for u in Unit.objects.all() if f">{'　' * u.depth}{u.name}</a>" in page.content.decode()}
    assert shown == expected

    api = client.get("/api/units/", {"page_size": 500}).json()
    assert {row["name"] for row in api["results"]} == expected
    assert api["count"] == len(expected)


def test_county_scope_is_the_subtree(people):
    assert expected_units(people["county"]) == {"东城区委", "东城区委宣传部"}


@pytest.mark.parametrize("persona", ["county", "liaison", "leader"])
def test_out_of_scope_detail_is_404_on_page_and_api(people, clients, persona):
    outside = unit("市财政局")
    assert clients[persona].get(f"/org/units/{outside.pk}/").status_code == 404
    assert clients[persona].get(f"/api/units/{outside.pk}/").status_code == 404
    assert clients[persona].get(f"/api/units/{outside.pk}/history/").status_code == 404


def test_in_scope_detail_shows_history(clients):
    own = unit("东城区委宣传部")
    page = clients["county"].get(f"/org/units/{own.pk}/")
    assert page.status_code == 200
    assert "新建了单位" in page.content.decode()
    events = clients["county"].get(f"/api/units/{own.pk}/history/").json()
    assert [e["action"] for e in events] == ["unit.create"]


def test_people_follow_the_unit_scope(people, clients):
    rows = clients["county"].get("/api/people/", {"page_size": 500}).json()["results"]
    assert {r["name"] for r in rows} == set(
        Person.objects.filter(unit__name__in=["东城区委", "东城区委宣传部"]).values_list("name", flat=True)
    )
    # own-items scope: only the person record of the account itself
    rows = clients["leader"].get("/api/people/").json()["results"]
    assert [r["name"] for r in rows] == ["张伟"]


def test_accounts_are_only_for_those_who_manage_them(people, clients):
    assert clients["admin"].get("/org/accounts/").status_code == 200
    assert "liaison" in clients["admin"].get("/org/accounts/").content.decode()
    for persona in ("office", "liaison", "viewer", "leader"):
        assert clients[persona].get("/org/accounts/").status_code == 403
        assert clients[persona].get(f"/org/accounts/{people['liaison'].pk}/").status_code == 404


def test_anonymous_is_sent_to_login_and_api_refuses(client, people):
    assert client.get("/org/units/").status_code == 302
    assert client.get("/api/units/").status_code in (401, 403)


def test_unit_groups_visible_when_a_member_is_in_scope(clients):
    names = [g["name"] for g in clients["county"].get("/api/groups/").json()["results"]]
    assert names == ["各县（区）委"]
    assert clients["liaison"].get("/api/groups/").json()["results"] == []
