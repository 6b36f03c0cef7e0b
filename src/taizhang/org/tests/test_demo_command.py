"""`taizhang demo` never opens a real database with the demo's public password."""

import io

import pytest
from django.core.management import CommandError, call_command

from taizhang.org import actions
from taizhang.org.demo import DEMO_PASSWORD
from taizhang.org.models import User
from taizhang.testing import unit

pytestmark = pytest.mark.django_db


def demo(*args) -> str:
    out = io.StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def test_demo_builds_an_empty_database_and_runs_again():
    assert "admin" in demo() and User.objects.get(username="admin").check_password(DEMO_PASSWORD)
    assert "taizhang-demo" in demo()


def test_demo_keeps_a_changed_password():
    demo()
    admin = User.objects.get(username="admin")
    actions.change_own_password(admin, "a-private-passphrase-2026")
    output = demo()
    admin.refresh_from_db()
    assert admin.check_password("a-private-passphrase-2026") and "(changed; kept)" in output


def test_demo_refuses_a_database_with_real_accounts():
    demo()
    actions.save_account(None, {"username": "zhangsan", "scope": "unit", "unit": unit("市委宣传部")}, by=None)
    admin = User.objects.get(username="admin")
    actions.change_own_password(admin, "a-private-passphrase-2026")
    with pytest.raises(CommandError, match="--reset-demo-passwords"):
        demo()
    admin.refresh_from_db()
    assert admin.check_password("a-private-passphrase-2026")
    demo("--reset-demo-passwords")
    admin.refresh_from_db()
    assert admin.check_password(DEMO_PASSWORD)
