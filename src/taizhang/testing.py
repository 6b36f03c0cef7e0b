"""Persona helpers for tests: the demo organisation and one logged-in client per role.

As in healthchecks, tests speak of people: `office` coordinates everything, `liaison` reports for
市委宣传部, `county` sees 东城区委 and below, `leader` sees what they answer for, `viewer` reads.
"""

from django.test import Client

from taizhang.core.permissions import Role, Scope
from taizhang.org import actions
from taizhang.org.demo import DEMO_PASSWORD, build_org
from taizhang.org.models import Unit, User

PERSONAS = ("admin", "office", "leader", "unithead", "liaison", "county", "viewer")
# Scoped personas the security tests need besides the demo's: an administrator and an office limited to
# 东城区委's subtree, and a second county's liaison (西城区委), to show one county never reaches another.
SCOPED = {
    "countyadmin": (Role.ADMIN, Scope.SUBTREE, "东城区委"),
    "countyoffice": (Role.OFFICE, Scope.SUBTREE, "东城区委"),
    "westliaison": (Role.LIAISON, Scope.SUBTREE, "西城区委"),
}
ALL_PERSONAS = (*PERSONAS, *SCOPED)


def build_demo_org() -> dict[str, User]:
    build_org()
    for username, (role, scope, unit_name) in SCOPED.items():
        if not User.objects.filter(username=username).exists():
            data = {"username": username, "role": role, "scope": scope, "unit": unit(unit_name), "is_active": True}
            actions.save_account(None, data, by=None, password=DEMO_PASSWORD)
    users = User.objects.filter(username__in=ALL_PERSONAS).select_related("unit", "person")
    return {u.username: u for u in users}


def client_for(user: User, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def unit(name: str) -> Unit:
    return Unit.objects.get(name=name)


def exported_with(ledger, path, measure: str, column: int, value) -> None:
    """The ledger exported to `path` (xlsx), with one cell of the row of `measure` changed, as an office
    edits an export offline before importing it again."""
    from openpyxl import load_workbook

    from taizhang.sheets.export import write_xlsx

    write_xlsx(ledger, path)
    book = load_workbook(path)
    sheet = book.active
    row = next(r for r in range(3, sheet.max_row + 1) if sheet.cell(row=r, column=4).value == measure)
    sheet.cell(row=row, column=column).value = value
    book.save(path)


def database_url() -> str:
    """The test database, as another process (a killed worker, a second `remind`) reaches it."""
    from django.db import connections

    settings = connections["default"].settings_dict
    if settings["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{settings['NAME']}"
    host, port = settings["HOST"] or "localhost", settings["PORT"] or 5432
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    return f"postgres://{settings['USER']}{password}@{host}:{port}/{settings['NAME']}"


def child_env(settings, **extra) -> dict:
    """Environment for a child process working on this test's database, files and anchor file."""
    import os

    env = os.environ | {
        "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "taizhang.settings",
        "TAIZHANG_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "TAIZHANG_AUDIT_ANCHOR_FILE": str(settings.TAIZHANG_AUDIT_ANCHOR_FILE),
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env | extra


IMPORT_CHILD = """
import sys, django
django.setup()
from taizhang.org.models import User
from taizhang.sheets import actions
from taizhang.sheets.models import ImportJob
job, user = ImportJob.objects.get(pk=int(sys.argv[1])), User.objects.get(pk=int(sys.argv[2]))
actions.run_import(job, by=user, background=False)
"""


def import_in_child(job, user, settings):
    """Run an import job in another process (as a second worker would), on this test's database."""
    import subprocess
    import sys

    return subprocess.Popen(
        [sys.executable, "-c", IMPORT_CHILD, str(job.pk), str(user.pk)],
        env=child_env(settings),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


__all__ = [
    "child_env",
    "import_in_child",
    "database_url",
    "exported_with",
    "ALL_PERSONAS",
    "DEMO_PASSWORD",
    "PERSONAS",
    "SCOPED",
    "build_demo_org",
    "client_for",
    "unit",
]


def arrange_tasks(queryset, **fields) -> None:
    """Put tasks straight into a state the actions cannot reach within a test (a last activity months
    ago, a closing long past), keeping the maintained counts in step as an action would."""
    from taizhang.tasks import tally

    ids = list(queryset.values_list("pk", flat=True))
    queryset.update(**fields)
    tally.refresh(ids)
