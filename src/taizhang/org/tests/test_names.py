"""Unit, person and account names: no invisible characters, one form for one name."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from taizhang.core.names import hidden_characters, normalise_name
from taizhang.org import actions
from taizhang.org.models import Person, Unit
from taizhang.testing import unit

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "sneaky", ["市委\u202e部传宣", "市委\u200b宣传部", "市委宣传部\ufeff", "市委\u2066宣传部\u2069"]
)
def test_bidi_and_zero_width_characters_are_refused_in_every_name(people, sneaky):
    with pytest.raises(ValidationError, match="U\\+"):
        actions.save_unit(None, {"name": sneaky, "parent": unit("市委办公室")}, by=people["admin"])
    with pytest.raises(ValidationError):
        actions.save_person(None, {"name": sneaky, "unit": unit("市委宣传部")}, by=people["admin"])
    with pytest.raises(ValidationError):
        actions.save_account(None, {"username": "x", "last_name": sneaky, "scope": "all"}, by=people["admin"])
    assert not Unit.objects.filter(name__contains="部传宣").exists() and not Person.objects.filter(name=sneaky).exists()


def test_names_are_normalised_without_changing_chinese_punctuation(people):
    saved = actions.save_unit(
        None,
        {"name": "  第２中学（分校）　团委 ", "short_name": "ＡＢＣ", "parent": unit("市委办公室")},
        by=people["admin"],
    )
    assert (saved.name, saved.short_name) == ("第2中学（分校） 团委", "ABC")


def test_the_page_shows_the_reason(clients):
    response = clients["admin"].post("/org/people/new/", {"name": "张\u200b三", "unit": unit("市委宣传部").pk})
    assert response.status_code == 200 and "U+200B" in response.content.decode()


@given(st.text())
def test_normalised_names_are_stable_and_carry_no_hidden_characters(text):
    if hidden_characters(text):
        return
    once = normalise_name(text)
    assert normalise_name(once) == once and not hidden_characters(once)


def test_the_account_form_has_one_full_name_field(clients, people):
    from taizhang.org.models import User
    from taizhang.testing import unit

    page = clients["admin"].get("/org/accounts/new/").content.decode()
    assert 'name="full_name"' in page and 'name="first_name"' not in page and 'name="last_name"' not in page
    data = {
        "username": "wangfang2",
        "full_name": "王芳",
        "role": "viewer",
        "scope": "unit",
        "unit": unit("市委宣传部").pk,
    }
    response = clients["admin"].post("/org/accounts/new/", data | {"is_active": "on", "password": "Xq9!long-enough-pw"})
    assert response.status_code == 302, response.content.decode()[:2000]
    account = User.objects.get(username="wangfang2")
    assert (account.last_name, account.first_name, str(account)) == ("王芳", "", "王芳")
    edit = clients["admin"].get(f"/org/accounts/{account.pk}/edit/").content.decode()
    assert 'value="王芳"' in edit
