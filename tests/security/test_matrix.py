"""Persona × route × verb: every URL of the URL conf, for every persona and anonymous, without the
right, with it, and with it but outside the data scope; GET and each write. Each cell asserts the status
and whether the database changed: a refusal, and any GET, changes nothing.

A route in the URL conf with no entry in CASES fails `test_every_route_is_in_the_table`, so a new
module's pages and API are covered as soon as they exist (as NetBox's view test classes do).
"""

import hashlib
import re
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.db.models import Sum
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver

from taizhang.core.writes import state_token
from taizhang.org.actions import ACCOUNT_FIELDS, GROUP_FIELDS, PERSON_FIELDS, UNIT_FIELDS
from taizhang.rectification.actions import SOURCE_FIELDS
from taizhang.testing import ALL_PERSONAS, DEMO_PASSWORD, client_for

from .duty_cases import duty_cases
from .risk_cases import risk_cases
from .similar_cases import similar_cases
from .world import ALL_SCOPE, ANON, CAN, SEES, build_world

pytestmark = pytest.mark.django_db
EVERYONE = (*ALL_PERSONAS, ANON)
LOGGED_IN = set(ALL_PERSONAS)


@dataclass
class Cell:
    """One request and what each persona gets: {persona: (status, changes)}; unlisted personas get
    `default`. Anonymous gets `anon` (the login page for pages, 401 for the API) unless listed."""

    method: str
    url: str
    expect: dict
    data: dict = field(default_factory=dict)
    default: tuple = (403, False)
    anon: tuple | None = None
    json: bool = False


def who(personas, status, changes=False) -> dict:
    return {p: (status, changes) for p in personas}


def read(url, sees=LOGGED_IN, *, api=False, lack=None, ok=200) -> Cell:
    """A GET: `ok` for who sees the object, 404 for the rest of the logged-in personas (or `lack`)."""
    hidden = lack or 404
    expect = who(LOGGED_IN, hidden) | who(sees, ok)
    return Cell("get", url, expect, default=(hidden, False), anon=(401, False) if api else None)


def write(
    url,
    data,
    *,
    allowed,
    refused=(),
    invalid=(),
    sees=LOGGED_IN,
    can=LOGGED_IN,
    ok=302,
    refusal=302,
    api=False,
    multipart=False,
    invalid_status=None,
):
    """A POST. `allowed` change something with `ok`; personas without the role get 403; personas with the
    role who cannot see the object get 404; `refused` see it and have the role but the action refuses
    (a rule of the action itself, answered `refusal`, nothing changed); `invalid` may act but the
    object's state refuses the step (the page comes back, 200, with the form as typed; the API answers
    400; nothing changed)."""
    expect = who(LOGGED_IN, 403) | who(can & (LOGGED_IN - set(sees)), 404)
    expect |= (
        who(set(refused), refusal) | who(set(invalid), invalid_status or (400 if api else 200)) | who(allowed, ok, True)
    )
    return Cell("post", url, expect, data, anon=(401, False) if api else None, json=api and not multipart)


def cases(w, people) -> dict[str, list[Cell]]:  # noqa: C901 - one table, read top to bottom
    t_in, t_east, t_out = w.task_in, w.task_east, w.task_out
    city, west = w.city, w.west_source
    everyone_302 = who(LOGGED_IN, 302)
    org = {}
    for kind, objects, can_edit in (
        ("units", w.units, CAN["manage_org"]),
        ("groups", w.groups, CAN["manage_org"]),
        ("people", w.persons, CAN["manage_org"]),
    ):
        org[kind] = (objects, can_edit)
    data_for = {
        "units": lambda v: {"name": f"新单位{v}", "kind": "department", "parent": w.units[v].pk, "sort_order": 0},
        "groups": lambda v: {"name": f"新组{v}", "members": [w.units[v].pk]},
        "people": lambda v: {"name": f"新人{v}", "unit": w.units[v].pk},
        "accounts": lambda v: {"username": f"new{v}", "role": "liaison", "scope": "unit", "unit": w.units[v].pk},
    }
    table = {
        "home": [read("/")],
        "lead_units": [read("/lead-units/")],
        "login": [
            Cell("get", "/login/", who(LOGGED_IN, 200), anon=(200, False)),
            Cell(
                "post",
                "/login/",
                who(LOGGED_IN, 302, True),
                {"username": "viewer", "password": DEMO_PASSWORD},
                anon=(302, True),
            ),
        ],
        "logout": [
            Cell("get", "/logout/", who(LOGGED_IN, 405), anon=(405, False)),
            Cell("post", "/logout/", who(LOGGED_IN, 302, True), anon=(302, False)),
        ],
        "password_change": [
            read("/password/"),
            Cell(
                "post",
                "/password/",
                who(LOGGED_IN, 302, True),
                {
                    "old_password": DEMO_PASSWORD,
                    "new_password1": "a-new-long-pass-2026",
                    "new_password2": "a-new-long-pass-2026",
                },
            ),
        ],
        # Single sign-on is off in the matrix's settings: its doors answer 404 (tests/sso drives them on).
        "sso-cas": [Cell("get", "/sso/cas/", who(LOGGED_IN, 404), anon=(404, False))],
        "sso-oidc": [Cell("get", "/sso/oidc/", who(LOGGED_IN, 404), anon=(404, False))],
        "sso-oidc-callback": [Cell("get", "/sso/oidc/callback/", who(LOGGED_IN, 404), anon=(404, False))],
        "sso-refused": [Cell("get", "/sso/refused/", who(LOGGED_IN, 200), anon=(200, False))],
        "tokens": [read("/tokens/"), Cell("post", "/tokens/", who(LOGGED_IN, 200, True), {"label": "脚本"})],
        "set_language": [
            Cell("get", "/language/", everyone_302, anon=(302, False)),
            Cell("post", "/language/", everyone_302, {"language": "en"}, anon=(302, False)),
        ],
        "org:list": [read(f"/org/{k}/") for k in ("units", "groups", "people")]
        + [read("/org/accounts/", CAN["manage_accounts"], lack=403)],
        "org:sync": [
            read("/org/sync/", {"admin"}, lack=403),  # only an administrator over every unit
            # a confirmation whose preview this server never signed: back to the page, nothing changed
            Cell("post", "/org/sync/", who(LOGGED_IN, 403) | who({"admin"}, 302), {"confirm": "1", "token": "forged"}),
        ],
        "org:create": [],
        "org:detail": [],
        "org:edit": [],
        "tasks:sources": [read("/ledger/")],
        "tasks:ledger": [
            read(f"/ledger/sources/{city.pk}/", SEES["source_in"]),
            read(f"/ledger/sources/{west.pk}/", SEES["source_out"]),
        ],
        "tasks:list": [read("/ledger/tasks/")],
        "tasks:todo": [read("/ledger/todo/"), read("/ledger/todo/?tab=done")],
        "tasks:mine": [
            read("/ledger/mine/"),
            # a batch only reaches tasks in the reporter's list: elsewhere it reports nothing
            Cell(
                "post",
                "/ledger/mine/",
                who(LOGGED_IN, 200) | who({"office", "liaison"}, 302, True),
                {f"report-{t_in.pk}": "on", f"version-{t_in.pk}": t_in.version, "text": "批量报送"},
            ),
        ],
        "tasks:detail": [
            read(f"/ledger/tasks/{t.pk}/", SEES[k])
            for t, k in ((t_in, "task_in"), (t_east, "task_east"), (t_out, "task_out"))
        ],
        "tasks:transition": [
            Cell("get", f"/ledger/tasks/{t_in.pk}/step/apply_close/", who(LOGGED_IN, 405)),
            write(
                f"/ledger/tasks/{t_in.pk}/step/apply_close/",
                {"version": t_in.version},
                allowed={"office", "liaison"},
                refused=SEES["task_in"] - {"office", "liaison"},
                sees=SEES["task_in"],
            ),
            write(
                f"/ledger/tasks/{t_east.pk}/step/apply_close/",
                {"version": t_east.version},
                allowed={"office", "county", "countyoffice"},
                refused={"admin", "viewer", "countyadmin"},
                sees=SEES["task_east"],
            ),
            write(
                f"/ledger/tasks/{t_out.pk}/step/reopen/",
                {"version": t_out.version, "note": "越权"},
                allowed=set(),
                refused=SEES["task_out"] - {"admin", "office"},
                invalid={"admin", "office"},  # they may reopen, but the task is not closed
                sees=SEES["task_out"],
            ),
        ],
        "tasks:delete": [
            Cell("get", f"/ledger/tasks/{t_in.pk}/delete/", who(LOGGED_IN, 405)),
            # a task with a record is never deleted, whoever asks: back to its page, nothing changed
            Cell(
                "post",
                f"/ledger/tasks/{t_in.pk}/delete/",
                who(LOGGED_IN - set(SEES["task_in"]), 404) | who(SEES["task_in"], 302),
                {"reason": "录入错误", "version": t_in.version},
            ),
        ],
        "tasks:progress": [
            write(
                f"/ledger/tasks/{t.pk}/progress/",
                {"text": "进展", "version": t.version},
                allowed=SEES[k] & CAN["report"],
                refused=SEES[k] - CAN["report"],
                sees=SEES[k],
            )
            for t, k in ((t_in, "task_in"), (t_east, "task_east"), (t_out, "task_out"))
        ],
        "tasks:extension": [
            write(
                f"/ledger/tasks/{t_east.pk}/extension/",
                {"new_date": "2031-06-30", "reason": "需协调", "version": t_east.version},
                allowed={"office", "county", "countyoffice"},
                refused={"admin", "viewer", "countyadmin"},
                sees=SEES["task_east"],
            ),
            # the west task already waits for a decision: even its own liaison is refused another
            write(
                f"/ledger/tasks/{t_out.pk}/extension/",
                {"new_date": "2031-06-30", "reason": "需协调", "version": t_out.version},
                allowed=set(),
                refused=SEES["task_out"] - {"office", "westliaison"},
                invalid={"office", "westliaison"},
                sees=SEES["task_out"],
            ),
        ],
        "tasks:decide": [
            write(
                f"/ledger/tasks/{t_in.pk}/extension/{w.extension_in.pk}/decide/",
                {"approve": "1", "version": t_in.version},
                allowed={"admin", "office"},
                refused=SEES["task_in"] - {"admin", "office"},
                sees=SEES["task_in"],
            ),
            write(
                f"/ledger/tasks/{t_out.pk}/extension/{w.extension_out.pk}/decide/",
                {"approve": "0", "version": t_out.version},
                allowed={"admin", "office"},
                refused={"viewer", "westliaison"},
                sees=SEES["task_out"],
            ),
        ],
        "tasks:evidence": [
            read(f"/ledger/evidence/{w.evidence_in.pk}/", SEES["task_in"]),
            read(f"/ledger/evidence/{w.evidence_out.pk}/", SEES["task_out"]),
        ],
        "rectification:source_create": [
            read("/ledger/sources/new/", CAN["manage_ledger"], lack=403),
            write(
                "/ledger/sources/new/",
                {"kind": "self", "title": "新台账", "feedback_date": "2026-02-01"},
                allowed=CAN["manage_ledger"],
            ),
        ],
        "rectification:source_edit": [
            Cell("get", f"/ledger/sources/{city.pk}/edit/", who({"admin", "office"}, 200)),
            Cell(
                "get",
                f"/ledger/sources/{west.pk}/edit/",
                who({"admin", "office"}, 200) | who({"countyadmin", "countyoffice"}, 404),
            ),
            write(
                f"/ledger/sources/{city.pk}/edit/",
                {
                    "kind": "tour",
                    "title": "改名",
                    "feedback_date": "2024-01-15",
                    "version": state_token(city, SOURCE_FIELDS),
                },
                allowed={"admin", "office"},
                refused={"countyadmin", "countyoffice"},
                refusal=403,
                sees=SEES["source_in"],
                can=CAN["manage_ledger"],
            ),
            write(
                f"/ledger/sources/{west.pk}/edit/",
                {
                    "kind": "self",
                    "title": "改名",
                    "feedback_date": "2026-03-01",
                    "version": state_token(west, SOURCE_FIELDS),
                },
                allowed={"admin", "office"},
                sees=SEES["source_out"],
                can=CAN["manage_ledger"],
            ),
        ],
        "rectification:finding_add": [
            write(
                f"/ledger/sources/{city.pk}/findings/new/",
                {"text": "新问题"},
                allowed={"admin", "office"},
                refused={"countyadmin", "countyoffice"},
                refusal=403,
                sees=SEES["source_in"],
                can=CAN["manage_ledger"],
            ),
            write(
                f"/ledger/sources/{west.pk}/findings/new/",
                {"text": "新问题"},
                allowed={"admin", "office"},
                sees=SEES["source_out"],
                can=CAN["manage_ledger"],
            ),
        ],
        "tasks:task_add": [
            read(f"/ledger/sources/{city.pk}/tasks/new/", CAN["manage_ledger"], lack=403),
            write(
                f"/ledger/sources/{city.pk}/tasks/new/",
                {"measure": "新措施", "lead_unit": w.units["in"].pk, "deadline": "2030年底前"},
                allowed=CAN["manage_ledger"],
                sees=SEES["source_in"],
                can=CAN["manage_ledger"],
            ),
            # a scoped office may not hand a task to a unit outside its subtree: the unit is not offered
            write(
                f"/ledger/sources/{city.pk}/tasks/new/",
                {"measure": "新措施", "lead_unit": w.units["out"].pk, "deadline": "2030年底前"},
                allowed={"admin", "office"},
                refused={"countyadmin", "countyoffice"},
                refusal=200,
                sees=SEES["source_in"],
                can=CAN["manage_ledger"],
            ),
            write(
                f"/ledger/sources/{west.pk}/tasks/new/",
                {"measure": "新措施", "lead_unit": w.units["out"].pk, "deadline": "2030年底前"},
                allowed={"admin", "office"},
                sees=SEES["source_out"],
                can=CAN["manage_ledger"],
            ),
        ],
        "tasks:task_edit": [
            write(
                f"/ledger/sources/{city.pk}/tasks/{t.pk}/edit/",
                {
                    "measure": "改写的措施",
                    "lead_unit": t.lead_unit_id,
                    "deadline": t.deadline_text,
                    "version": t.version,
                },
                allowed=allowed,
                sees=SEES[k],
                can=CAN["manage_ledger"],
            )
            for t, k, allowed in (
                (t_in, "task_in", {"admin", "office"}),
                (t_east, "task_east", CAN["manage_ledger"]),
            )
        ],
        "sheets:export": [
            read(f"/sheets/sources/{s.pk}/export.{ext}", SEES[k])
            for s, k in ((city, "source_in"), (west, "source_out"))
            for ext in ("xlsx", "csv")
        ],
        "sheets:upload": [
            read("/sheets/import/", CAN["manage_ledger"], lack=403),
            write(
                "/sheets/import/",
                lambda: {"file": _ledger_csv(), "title": "新导入", "kind": "tour"},
                allowed=CAN["manage_ledger"],
            ),
        ],
        "sheets:preview": [
            Cell(
                "get", f"/sheets/import/{w.job.pk}/", who({"office"}, 200) | who(CAN["manage_ledger"] - {"office"}, 404)
            ),
            Cell(
                "post",
                f"/sheets/import/{w.job.pk}/",
                who({"office"}, 302, True) | who(CAN["manage_ledger"] - {"office"}, 404),
                {"do": "mapping", "col-measure": "1", "col-lead_unit": "2", "col-deadline": "3"},
            ),
        ],
        "sheets:refused": [
            Cell(
                "get",
                f"/sheets/import/{w.job.pk}/refused.xlsx",
                who({"office"}, 200) | who(CAN["manage_ledger"] - {"office"}, 404),
            )
        ],
        "sheets:progress_page": [
            Cell(
                "get",
                f"/sheets/import/{w.job.pk}/progress/",
                who({"office"}, 200) | who(CAN["manage_ledger"] - {"office"}, 404),
            )
        ],
        "sheets:retry": [
            # the world's job is waiting for confirmation, not failed: its owner is told so, nothing changes
            Cell(
                "post",
                f"/sheets/import/{w.job.pk}/retry/",
                who({"office"}, 302) | who(CAN["manage_ledger"] - {"office"}, 404),
            ),
            Cell("get", f"/sheets/import/{w.job.pk}/retry/", who(LOGGED_IN, 405), anon=(405, False)),
        ],
        "documents:report": [
            read(f"/documents/sources/{city.pk}/report/", SEES["source_in"]),
            read(f"/documents/sources/{west.pk}/report/", SEES["source_out"]),
            write(  # asking for the report starts a job (made at once here) and opens its page
                f"/documents/sources/{west.pk}/report/",
                {
                    "title": "报告",
                    "opening": "o",
                    "closing": "c",
                    "issuer": "i",
                    "date": "2024-07-01",
                    "format": "docx",
                },
                allowed=SEES["source_out"],
                sees=SEES["source_out"],
                can=LOGGED_IN,
            ),
        ],
        "sheets:export_job": [
            Cell("get", f"/sheets/sources/{west.pk}/export/", who(LOGGED_IN, 405), anon=(405, False)),
            write(  # the ledger page's export starts a job (made at once here) and opens its page
                f"/sheets/sources/{west.pk}/export/",
                {"ext": "csv"},
                allowed=SEES["source_out"],
                sees=SEES["source_out"],
                can=LOGGED_IN,
            ),
        ],
        # a made file is its asker's alone (the office's report of the city ledger)
        "job": [read(f"/jobs/{w.job_file.uid}/", {"office"})],
        "job-file": [read(f"/jobs/{w.job_file.uid}/file/", {"office"})],
        # trying a job again is its asker's; a job that worked is not run again (back to its page)
        "job-retry": [
            Cell("get", f"/jobs/{w.job_file.uid}/retry/", who(LOGGED_IN, 405), anon=(405, False)),
            Cell("post", f"/jobs/{w.job_file.uid}/retry/", who(LOGGED_IN, 404) | who({"office"}, 302)),
        ],
        "documents:monthly": [
            read(f"/documents/sources/{city.pk}/monthly.xlsx", SEES["source_in"]),
            read(f"/documents/sources/{west.pk}/monthly.xlsx", SEES["source_out"]),
        ],
        "documents:summary": [read("/documents/summary.xlsx")],
        "notify:inbox": [
            read("/notify/inbox/"),
            # marks the poster's own unread items read: the liaison's reminder, the office's step message
            # (world.py's extension request told the office)
            Cell("post", "/notify/inbox/", everyone_302 | who({"liaison", "office"}, 302, True)),
        ],
        "notify:notices": [read("/notify/notices/")],
        "notify:supervise": [
            Cell("get", "/notify/supervise/", who(LOGGED_IN, 405)),
            # an unseen task is a 404 for everyone; a task seen but not managed is refused back to its page
            write(
                "/notify/supervise/",
                {"task": t_in.pk, "level": "red", "text": "请立即整改"},
                allowed={"admin", "office"},
                refused=SEES["task_in"] - {"admin", "office"},
                sees=SEES["task_in"],
            ),
            write(
                "/notify/supervise/",
                {"task": t_east.pk, "level": "", "text": "请加快进度"},
                allowed={"admin", "office", "countyadmin", "countyoffice"},
                refused=SEES["task_east"] - {"admin", "office", "countyadmin", "countyoffice"},
                sees=SEES["task_east"],
            ),
        ],
        "notify:notice_document": [
            read(f"/notify/notices/{w.notice_in.pk}.docx", SEES["task_in"]),
            read(f"/notify/notices/{w.notice_out.pk}.docx", SEES["task_out"]),
        ],
        "notify:preferences": [
            read("/notify/preferences/"),
            Cell("post", "/notify/preferences/", who(LOGGED_IN, 302, True), {"email": "on"}),
        ],
        "notify:robots": [
            read("/notify/robots/", CAN["manage_org"], lack=403),
            Cell(
                "post",
                "/notify/robots/",
                who(CAN["manage_org"], 302, True),
                {
                    "unit": w.units["in"].pk,
                    "kind": "wecom",
                    "active": "on",
                    "webhook": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
                },
            ),
            Cell(
                "post",
                "/notify/robots/",
                who({"admin", "office"}, 302, True) | who({"countyadmin", "countyoffice"}, 200),
                {
                    "unit": w.units["out"].pk,
                    "kind": "wecom",
                    "active": "on",
                    "webhook": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
                },
            ),
        ],
        "api-token": [
            Cell("get", "/api/auth/token/", who(LOGGED_IN, 405), anon=(405, False)),
            Cell(
                "post",
                "/api/auth/token/",
                who(LOGGED_IN, 200, True),
                {"username": "viewer", "password": DEMO_PASSWORD},
                anon=(200, True),
            ),
        ],
        "api-schema": [read("/api/schema/", api=True)],
        "api-docs": [read("/api/docs/")],
        "api-root": [read("/api/", api=True)],
    }
    org["accounts"] = (w.accounts, CAN["manage_accounts"])
    for kind, (objects, can_edit) in org.items():
        sees = {"in": SEES["org_in"], "out": SEES["org_out"]}
        if kind == "accounts":  # accounts are seen only by those who manage them, within scope
            sees = {"in": {"admin", "countyadmin"}, "out": {"admin"}}
        table["org:create"] += [
            read(f"/org/{kind}/new/", can_edit, lack=403),
            write(f"/org/{kind}/new/", data_for[kind]("in"), allowed=can_edit),
            write(
                f"/org/{kind}/new/",
                data_for[kind]("out"),
                allowed=can_edit & ALL_SCOPE,
                refused=can_edit - ALL_SCOPE,
                refusal=200,
            ),
        ]
        for variant in ("in", "out"):
            obj = objects[variant]
            lack = 404 if kind == "accounts" else None
            table["org:detail"].append(read(f"/org/{kind}/{obj.pk}/", sees[variant], lack=lack))
            table["org:edit"] += [
                Cell("get", f"/org/{kind}/{obj.pk}/edit/", who(can_edit, 404) | who(can_edit & sees[variant], 200)),
                write(
                    f"/org/{kind}/{obj.pk}/edit/",
                    _edit_data(kind, obj),
                    allowed=can_edit & sees[variant],
                    sees=sees[variant],
                    can=can_edit,
                ),
            ]
    for prefix, model_key, objs in (
        ("units", "org", w.units),
        ("groups", "org", w.groups),
        ("people", "org", w.persons),
        ("sources", "source", {"in": city, "out": west}),
        ("findings", "task", {"in": t_in.origin, "out": None}),
        ("tasks", "task", {"in": t_in, "out": t_out}),
    ):
        name = {
            "units": "unit",
            "groups": "unitgroup",
            "people": "person",
            "sources": "source",
            "findings": "finding",
            "tasks": "task",
        }[prefix]
        table[f"{name}-list"] = [
            read(f"/api/{prefix}/", api=True),
            Cell("post", f"/api/{prefix}/", who(LOGGED_IN, 405), {}, anon=(401, False), json=True),
        ]
        table[f"{name}-detail"] = []
        table[f"{name}-history"] = []
        for variant, obj in objs.items():
            if obj is None:
                continue
            sees = SEES[f"{model_key}_{variant}"]
            table[f"{name}-detail"].append(read(f"/api/{prefix}/{obj.pk}/", sees, api=True))
            if prefix not in ("sources", "findings"):
                table[f"{name}-history"].append(read(f"/api/{prefix}/{obj.pk}/history/", sees, api=True))
    for name in ("source-history", "finding-history"):
        table.pop(name)
    api_write = {"api": True, "ok": 200, "refusal": 403}
    table["task-transition"] = [
        write(
            f"/api/tasks/{t_in.pk}/transition/",
            {"action": "apply_close", "version": t_in.version},
            allowed={"office", "liaison"},
            refused=SEES["task_in"] - {"office", "liaison"},
            sees=SEES["task_in"],
            **api_write,
        ),
    ]
    table["task-progress"] = [
        write(
            f"/api/tasks/{t.pk}/progress/",
            {"text": "接口报送", "version": t.version},
            allowed=SEES[k] & CAN["report"],
            refused=SEES[k] - CAN["report"],
            sees=SEES[k],
            multipart=True,
            **api_write,
        )
        for t, k in ((t_in, "task_in"), (t_out, "task_out"))
    ]
    table["task-extensions"] = [
        read(f"/api/tasks/{t_east.pk}/extensions/", SEES["task_east"], api=True),
        write(
            f"/api/tasks/{t_east.pk}/extensions/",
            {"new_date": "2031-06-30", "reason": "接口申请", "version": t_east.version},
            allowed={"office", "county", "countyoffice"},
            refused={"admin", "viewer", "countyadmin"},
            sees=SEES["task_east"],
            api=True,
            ok=201,
            refusal=403,
        ),
    ]
    table |= risk_cases(w.risks, read=read, write=write, who=who, Cell=Cell, logged_in=LOGGED_IN)
    table |= similar_cases(w.similar, read=read, write=write, who=who, Cell=Cell, logged_in=LOGGED_IN)
    table |= duty_cases(w.duties, read=read, write=write, who=who, Cell=Cell, logged_in=LOGGED_IN, can=CAN)
    table["task-decide-extension"] = [
        write(
            f"/api/tasks/{t_in.pk}/extensions/{w.extension_in.pk}/decide/",
            {"approve": True, "version": t_in.version},
            allowed={"admin", "office"},
            refused=SEES["task_in"] - {"admin", "office"},
            sees=SEES["task_in"],
            **api_write,
        ),
    ]
    return table


def _ledger_csv():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(
        "台账.csv", "序号,整改措施,牵头单位,整改时限\n1,建立制度,市委宣传部,2030年底前\n".encode()
    )


def _edit_data(kind, obj) -> dict:
    """What the edit page would post: changed values, and the state token the page was read with."""
    fields = {"units": UNIT_FIELDS, "groups": GROUP_FIELDS, "people": PERSON_FIELDS, "accounts": ACCOUNT_FIELDS}
    return _edit_values(kind, obj) | {"version": state_token(obj, fields[kind])}


def _edit_values(kind, obj) -> dict:
    if kind == "units":
        return {
            "name": obj.name + "（改）",
            "kind": obj.kind,
            "parent": obj.parent_id,
            "sort_order": 0,
            "is_active": "on",
        }
    if kind == "groups":
        return {"name": obj.name + "改", "members": list(obj.members.values_list("pk", flat=True))}
    if kind == "people":
        return {"name": obj.name + "改", "unit": obj.unit_id, "is_active": "on"}
    return {
        "username": obj.username,
        "full_name": "改",
        "role": obj.role,
        "scope": obj.scope,
        "unit": obj.unit_id,
        "is_active": "on",
    }


# --- the state a refusal must leave unchanged --------------------------------------------------------------
TRACKED_APPS = ("org", "rectification", "tasks", "sheets", "notify", "core", "axes", "risks", "duties")


def _count_sql() -> str:
    tables = sorted(
        m._meta.db_table for m in apps.get_models() if m._meta.app_label in TRACKED_APPS and not m._meta.abstract
    )
    return "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {connection.ops.quote_name(t)})" for t in tables)


def fingerprint() -> str:
    """Row counts of every model of ours (one query), and the columns that writes without an audit event
    would change."""
    from taizhang.notify.models import Delivery, Preference
    from taizhang.org.models import User
    from taizhang.sheets.models import ImportJob
    from taizhang.tasks.models import Task

    with connection.cursor() as cursor:
        cursor.execute(_count_sql())
        parts = [cursor.fetchone()]
    parts.append(Task.objects.aggregate(v=Sum("version"))["v"])
    parts.append(list(ImportJob.objects.order_by("pk").values_list("status", "columns")))
    parts.append(list(Preference.objects.order_by("pk").values_list("email", "digest")))
    parts.append(Delivery.objects.filter(read_at__isnull=False).count())
    parts.append(list(User.objects.order_by("pk").values_list("password", "is_active", "role", "scope", "unit")))
    return hashlib.sha256(repr(parts).encode()).hexdigest()


# --- running the table -------------------------------------------------------------------------------------
def route_names() -> set[str]:
    def walk(patterns, namespace=None):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, p.namespace or namespace)
            elif isinstance(p, URLPattern) and p.name:
                yield f"{namespace}:{p.name}" if namespace else p.name

    return set(walk(get_resolver().url_patterns))


@pytest.fixture
def world(people, ledger):
    return build_world(people, ledger)


def test_every_route_is_in_the_table(world, people):
    table = cases(world, people)
    missing = route_names() - set(table)
    assert not missing, f"routes with no permission expectations: {sorted(missing)}"
    assert not [name for name, cells in table.items() if not cells], "every route has at least one cell"
    assert not set(table) - route_names(), "expectations for routes that no longer exist"


def _send(client, cell: Cell):
    if cell.method == "get":
        return client.get(cell.url)
    data = cell.data() if callable(cell.data) else cell.data  # a file can be read once: a new one each time
    if cell.json:
        return client.post(cell.url, data, content_type="application/json")
    return client.post(cell.url, data)


WRITES = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER|TRUNCATE|COPY)\b", re.IGNORECASE)


def _run(cell: Cell, client) -> tuple[int, bool, object, list[str]]:
    """The status, whether the fingerprint changed, the response, and every write statement it ran."""
    with transaction.atomic():
        before = fingerprint()
        with CaptureQueriesContext(connection) as queries:
            response = _send(client, cell)
        changed = fingerprint() != before
        transaction.set_rollback(True)  # the next cell starts from the same world
    writes = [q["sql"][:120] for q in queries.captured_queries if WRITES.match(q["sql"])]
    return response.status_code, changed, response, writes


@pytest.mark.parametrize("route", sorted(route_names()))
def test_route_for_every_persona(route, world, people):
    failures = []
    # one signed-in client per persona for the route's cells (a route's session-changing write, such as
    # logging out or changing the password, is its last cell)
    clients = {p: Client() if p == ANON else client_for(people[p]) for p in EVERYONE}
    for cell in cases(world, people)[route]:
        for persona in EVERYONE:
            if persona == ANON:
                expected = cell.anon or (302, False)  # pages send strangers to the login page
            else:
                expected = cell.expect.get(persona, cell.default)
            status, changed, response, writes = _run(cell, clients[persona])
            if cell.method == "get" and writes:
                # Rolled-back writes count too: a GET holds no write lock and leaves nothing to undo.
                failures.append(f"GET {cell.url} as {persona} ran write statements: {writes}")
            if (status, changed) != expected:
                failures.append(
                    f"{cell.method.upper()} {cell.url} as {persona}: got {(status, changed)}, expected {expected}"
                )
            if cell.method == "get" and status == 200 and "text/html" in response.get("Content-Type", ""):
                if "script-src 'self'" not in response.get("Content-Security-Policy", ""):
                    failures.append(f"GET {cell.url} as {persona}: no Content-Security-Policy")
    assert not failures, "\n".join(failures)
