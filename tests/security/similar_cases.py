"""The similar-findings routes in the permission matrix (test_matrix.py merges them into its table):
a finding's page and its edits, repeat flags and their decision, lessons (举一反三) and replies."""

from taizhang.core.writes import state_token
from taizhang.rectification.actions import FINDING_FORM_FIELDS

from .similar_world import REPLY, SEES, SimilarWorld
from .world import SEES as TASK_SEES

MANAGERS = {"admin", "office"}  # the city's and 西城区委's ledgers: all-scope offices only
COUNTY_MANAGERS = {"countyadmin", "countyoffice"}


def similar_cases(sw: SimilarWorld, *, read, write, who, Cell, logged_in) -> dict:  # noqa: N803
    f_in, f_out, bare, flag_in = sw.finding_in, sw.finding_out, sw.bare, sw.flag_in
    api_write = {"api": True, "ok": 200, "refusal": 403}
    manager_get = who(logged_in, 404) | who(TASK_SEES["task_in"], 403) | who(MANAGERS, 200)
    return {
        "rectification:finding": [
            read(f"/ledger/sources/findings/{f_in.pk}/", TASK_SEES["task_in"]),
            read(f"/ledger/sources/findings/{f_out.pk}/", SEES["flag_out"]),
            read(f"/ledger/sources/findings/{f_in.pk}/?years=3&same_category=on", TASK_SEES["task_in"]),
        ],
        "rectification:finding_edit": [
            Cell("get", f"/ledger/sources/findings/{f_in.pk}/edit/", manager_get),
            write(
                f"/ledger/sources/findings/{f_in.pk}/edit/",
                {"text": f_in.text + "（修订）", "version": state_token(f_in, FINDING_FORM_FIELDS)},
                allowed=MANAGERS,
                sees=TASK_SEES["task_in"],
                refusal=403,
            ),
        ],
        "rectification:finding_delete": [
            Cell("get", f"/ledger/sources/findings/{bare.pk}/delete/", who(logged_in, 405)),
            write(
                f"/ledger/sources/findings/{bare.pk}/delete/",
                {"reason": "录入错误"},
                allowed=MANAGERS,
                sees=SEES["bare"],
            ),
        ],
        "rectification:lesson_push": [
            Cell(
                "get",
                f"/ledger/sources/findings/{f_in.pk}/lesson/",
                who(logged_in, 403) | who(COUNTY_MANAGERS, 404) | who(MANAGERS, 200),
            ),
            write(
                f"/ledger/sources/findings/{f_in.pk}/lesson/",
                {"units": [sw.check.lead_unit_id], "due_on": "2030-06-30"},
                allowed=MANAGERS,
                sees=TASK_SEES["task_in"],
                can=MANAGERS | COUNTY_MANAGERS,
            ),
        ],
        "rectification:lesson": [read(f"/ledger/sources/lessons/{sw.lesson.pk}/", SEES["lesson"])],
        "rectification:lesson_reply": [
            Cell(
                "get",
                f"/ledger/sources/lessons/tasks/{sw.check.pk}/reply/",
                who(logged_in, 404) | who(SEES["lesson"], 403) | who(REPLY, 200),
            ),
            write(
                f"/ledger/sources/lessons/tasks/{sw.check.pk}/reply/",
                {"result": "nil", "note": "已对照检查"},
                allowed=REPLY,
                sees=SEES["lesson"],
                refusal=403,
                refused=SEES["lesson"] - REPLY,
            ),
        ],
        "similar:repeats": [read("/similar/repeats/"), read("/similar/repeats/?status=pending&year=2026")],
        "similar:decide": [
            Cell("get", f"/similar/repeats/{flag_in.pk}/decide/", who(logged_in, 405)),
            write(
                f"/similar/repeats/{flag_in.pk}/decide/",
                {"decision": "confirm"},
                allowed=MANAGERS,
                sees=SEES["flag_in"],
                refused=SEES["flag_in"] - MANAGERS,
                refusal=403,
            ),
            write(
                f"/similar/repeats/{sw.flag_out.pk}/decide/",
                {"decision": "dismiss", "note": "不是同一问题"},
                allowed=MANAGERS,
                sees=SEES["flag_out"],
                refused=SEES["flag_out"] - MANAGERS,
                refusal=403,
            ),
        ],
        "finding-similar": [
            read(f"/api/findings/{f_in.pk}/similar/", TASK_SEES["task_in"], api=True),
            read(f"/api/findings/{f_out.pk}/similar/", SEES["flag_out"], api=True),
        ],
        "repeatflag-list": [
            read("/api/repeat-flags/", api=True),
            read("/api/repeat-flags/?status=confirmed", api=True),
            Cell("post", "/api/repeat-flags/", who(logged_in, 405), {}, anon=(401, False), json=True),
        ],
        "repeatflag-detail": [
            read(f"/api/repeat-flags/{flag_in.pk}/", SEES["flag_in"], api=True),
            read(f"/api/repeat-flags/{sw.flag_out.pk}/", SEES["flag_out"], api=True),
        ],
        "repeatflag-decide": [
            write(
                f"/api/repeat-flags/{flag_in.pk}/decide/",
                {"decision": "confirmed"},
                allowed=MANAGERS,
                sees=SEES["flag_in"],
                refused=SEES["flag_in"] - MANAGERS,
                **api_write,
            ),
        ],
        "repeatflag-indicator": [read("/api/repeat-flags/indicator/?year=2026", api=True)],
    }
