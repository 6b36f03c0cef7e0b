"""The risk register's routes in the permission matrix (test_matrix.py merges them into its table)."""

from .risk_world import ASSESS_IN, DECIDE_IN, EDIT_IN, SEES, RiskWorld
from .world import ALL_SCOPE  # noqa: F401  (the same sets, for readers)


def _register_csv():
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = "序号,责任单位,风险点,风险等级\n1,市委宣传部,导入的风险点,高\n"
    return {"file": SimpleUploadedFile("风险台账.csv", text.encode())}


def risk_cases(rw: RiskWorld, *, read, write, who, Cell, logged_in) -> dict:  # noqa: N803 - the matrix's helpers
    r_in, r_out, ret_in, ret_out, campaign = rw.risk_in, rw.risk_out, rw.return_in, rw.return_out, rw.campaign
    identify = {"office", "countyoffice", "liaison", "county", "westliaison"}  # a unit-scoped role that reports
    importers = identify | {"admin", "countyadmin"}  # writes through the same actions (an office's right too)
    new_risk = {"text": "新的风险点", "unit": r_in.unit_id}
    version = {"version": r_in.version}

    def get_405(url):
        return Cell("get", url, who(logged_in, 405))

    table = {
        "risks:register": [
            read("/risks/"),
            read("/risks/?level=high&status=open"),
            read("/risks/?overdue_review=true"),
        ],
        "risks:heatmap": [read("/risks/heatmap/")],
        # the preview plans the file and writes nothing; confirming is the same import the tests exercise
        "risks:import": [
            read("/risks/import/", importers, lack=403),
            write("/risks/import/", _register_csv, allowed=set(), invalid=importers),
        ],
        "risks:export": [read("/risks/export/")],
        "risks:report": [read("/risks/report/")],
        "risks:file": [  # the register page's buttons: a job (made at once here), each within its asker's scope
            Cell("get", "/risks/files/", who(logged_in, 405), anon=(405, False)),
            write("/risks/files/", {"what": "export"}, allowed=logged_in),
        ],
        "risks:matrix": [
            read("/risks/matrix/"),
            write(
                "/risks/matrix/",
                {
                    "name": "本单位风险矩阵",
                    "likelihood": "低\n较低\n中\n较高\n高",
                    "impact": "轻\n较轻\n中\n较重\n重",
                    "major": 16,
                    "high": 10,
                    "general": 5,
                    "months_major": 1,
                    "months_high": 3,
                    "months_general": 6,
                    "months_low": 12,
                    "grid": "",
                },
                allowed={"admin", "office"},
            ),
        ],
        "risks:risk_add": [
            read("/risks/new/", identify, lack=403),
            # a unit outside the actor's scope is not a choice: the form comes back
            write(
                "/risks/new/",
                new_risk,
                allowed={"office", "liaison"},
                invalid={"countyoffice", "county", "westliaison"},
            ),
        ],
        "risks:detail": [
            read(f"/risks/{r_in.pk}/", SEES["risk_in"]),
            read(f"/risks/{rw.risk_east.pk}/", SEES["risk_east"]),
            read(f"/risks/{r_out.pk}/", SEES["risk_out"]),
        ],
        "risks:risk_edit": [
            Cell("get", f"/risks/{r_in.pk}/edit/", who(logged_in, 404) | who(SEES["risk_in"], 403) | who(EDIT_IN, 200)),
            write(
                f"/risks/{r_in.pk}/edit/",
                new_risk | {"text": "改后的风险点"} | version,
                allowed=EDIT_IN,
                sees=SEES["risk_in"],
                refusal=403,
                refused=SEES["risk_in"] - EDIT_IN,
            ),
        ],
        "risks:assess": [
            get_405(f"/risks/{r_in.pk}/assess/"),
            write(
                f"/risks/{r_in.pk}/assess/",
                {"kind": "inherent", "likelihood": 4, "impact": 4} | version,
                allowed=ASSESS_IN,
                refused=SEES["risk_in"] - ASSESS_IN,
                sees=SEES["risk_in"],
            ),
            write(
                f"/risks/{r_out.pk}/assess/",
                {"kind": "inherent", "likelihood": 4, "impact": 4, "version": r_out.version},
                allowed={"admin", "office", "westliaison"},
                refused={"viewer"},
                sees=SEES["risk_out"],
            ),
        ],
        "risks:review": [
            get_405(f"/risks/{r_in.pk}/review/"),
            write(
                f"/risks/{r_in.pk}/review/",
                {"date": rw.campaign.starts_on.isoformat(), "conclusion": "风险可控"} | version,
                allowed=ASSESS_IN,
                refused=SEES["risk_in"] - ASSESS_IN,
                sees=SEES["risk_in"],
            ),
        ],
        "risks:dispose": [
            Cell(
                "get",
                f"/risks/{r_in.pk}/dispose/",
                who(logged_in, 404) | who(SEES["risk_in"], 403) | who({"admin", "office"}, 200),
            ),
            write(
                f"/risks/{r_in.pk}/dispose/",
                {"measure": "修订审核办法", "lead_unit": r_in.unit_id, "deadline": "2030年底前"},
                allowed={"admin", "office"},
                refused=SEES["risk_in"] - {"admin", "office"},
                refusal=403,
                sees=SEES["risk_in"],
            ),
        ],
        # an assessed risk with no disposal yet: whoever may clear it is told it cannot be cleared yet
        "risks:clear": [
            get_405(f"/risks/{r_in.pk}/clear/"),
            write(
                f"/risks/{r_in.pk}/clear/",
                {"note": "已处置"} | version,
                allowed=set(),
                invalid=DECIDE_IN,
                refused=SEES["risk_in"] - DECIDE_IN,
                sees=SEES["risk_in"],
            ),
        ],
        "risks:close": [
            get_405(f"/risks/{r_in.pk}/close/"),
            write(
                f"/risks/{r_in.pk}/close/",
                {"note": "与其他风险点合并"} | version,
                allowed=DECIDE_IN,
                refused=SEES["risk_in"] - DECIDE_IN,
                sees=SEES["risk_in"],
            ),
        ],
        # the risk is open: an office is told so, anyone else may not reopen at all
        "risks:reopen": [
            get_405(f"/risks/{r_in.pk}/reopen/"),
            write(
                f"/risks/{r_in.pk}/reopen/",
                {"note": "误关"} | version,
                allowed=set(),
                invalid={"admin", "office"},
                refused=SEES["risk_in"] - {"admin", "office"},
                sees=SEES["risk_in"],
            ),
        ],
        "risks:campaigns": [read("/risks/campaigns/")],
        "risks:campaign_new": [
            read("/risks/campaigns/new/", {"admin", "office", "countyadmin", "countyoffice"}, lack=403),
            write(
                "/risks/campaigns/new/",
                {
                    "title": "新的专项排查",
                    "starts_on": "2026-12-01",
                    "due_on": "2026-12-31",
                    "scope_units": [r_in.unit_id],
                },
                allowed={"admin", "office"},
                invalid={"countyadmin", "countyoffice"},  # 市委宣传部 is not theirs to ask
            ),
        ],
        "risks:campaign": [read(f"/risks/campaigns/{campaign.pk}/", SEES["campaign"])],
        "risks:campaign_notice": [read(f"/risks/campaigns/{campaign.pk}/notice/", SEES["campaign"])],
        "risks:campaign_export": [read(f"/risks/campaigns/{campaign.pk}/export/", SEES["campaign"])],
        "risks:my_returns": [read("/risks/returns/")],
        "risks:return": [
            read(f"/risks/returns/{ret_in.pk}/", SEES["return_in"]),
            read(f"/risks/returns/{ret_out.pk}/", SEES["return_out"]),
        ],
        "risks:task_return": [
            read(f"/risks/returns/task/{ret_in.task_id}/", SEES["return_in"], ok=302),
            read(f"/risks/returns/task/{ret_out.task_id}/", SEES["return_out"], ok=302),
        ],
        "risks:return_add_risk": [
            get_405(f"/risks/returns/{ret_in.pk}/risks/"),
            write(
                f"/risks/returns/{ret_in.pk}/risks/",
                {"text": "排查发现的风险", "likelihood": 2, "impact": 3},
                allowed=EDIT_IN,
                refused=SEES["return_in"] - EDIT_IN,
                sees=SEES["return_in"],
            ),
        ],
        "risks:return_reassess": [
            get_405(f"/risks/returns/{ret_in.pk}/reassess/{r_in.pk}/"),
            write(
                f"/risks/returns/{ret_in.pk}/reassess/{r_in.pk}/",
                {"likelihood": 2, "impact": 2},
                allowed=EDIT_IN,
                refused=SEES["return_in"] - EDIT_IN,
                sees=SEES["return_in"],
            ),
        ],
        # a nil return: the unit head's attestation only
        "risks:return_submit": [
            get_405(f"/risks/returns/{ret_in.pk}/submit/"),
            write(
                f"/risks/returns/{ret_in.pk}/submit/",
                {"nil": "1", "note": "", "version": ret_in.version},
                allowed={"unithead"},
                refused=SEES["return_in"] - {"unithead"},
                sees=SEES["return_in"],
            ),
        ],
        # a return not yet submitted: the office is told so, anyone else may not decide at all
        "risks:return_decide": [
            get_405(f"/risks/returns/{ret_in.pk}/decide/"),
            write(
                f"/risks/returns/{ret_in.pk}/decide/",
                {"decision": "accept", "note": "", "version": ret_in.version},
                allowed=set(),
                invalid={"admin", "office"},
                refused=SEES["return_in"] - {"admin", "office"},
                sees=SEES["return_in"],
            ),
        ],
    }
    table |= _api_writes(rw, write, who, Cell, logged_in)
    for prefix, name, objs in (
        ("risks", "risk", {"risk_in": r_in, "risk_out": r_out}),
        ("campaigns", "campaign", {"campaign": campaign}),
        ("returns", "return", {"return_in": ret_in, "return_out": ret_out}),
    ):
        table.setdefault(f"{name}-list", []).append(read(f"/api/{prefix}/", api=True))
        if prefix != "risks":  # risks are identified through the API too (_api_writes)
            table[f"{name}-list"].append(
                Cell("post", f"/api/{prefix}/", who(logged_in, 405), {}, anon=(401, False), json=True)
            )
        table[f"{name}-detail"] = [read(f"/api/{prefix}/{obj.pk}/", SEES[key], api=True) for key, obj in objs.items()]
    table["risk-history"] = [read(f"/api/risks/{r_in.pk}/history/", SEES["risk_in"], api=True)]
    return table


def _api_writes(rw: RiskWorld, write, who, Cell, logged_in) -> dict:  # noqa: N803
    """The API's writes: the pages' steps through the same actions, so the same personas, with the API's
    answers (201 or 200 done, 403 refused, 404 out of scope, 400 where the object's state refuses)."""
    r_in, ret_in = rw.risk_in, rw.return_in
    api = {"api": True, "ok": 200, "refusal": 403}
    version = {"version": r_in.version}
    new_risk = {"text": "接口登记的风险点", "unit": r_in.unit_id}
    return {
        # the importer's right: an administrator may identify through the API as through an import
        "risk-list": [
            write("/api/risks/", new_risk, allowed={"admin", "office", "liaison"}, api=True, ok=201),
            write("/api/risks/", {"text": ""}, allowed=set(), invalid={*logged_in}, api=True),
        ],
        "risk-assess": [
            write(
                f"/api/risks/{r_in.pk}/assess/",
                {"kind": "inherent", "likelihood": 4, "impact": 4} | version,
                allowed=ASSESS_IN,
                refused=SEES["risk_in"] - ASSESS_IN,
                sees=SEES["risk_in"],
                **api,
            ),
        ],
        "risk-review": [
            write(
                f"/api/risks/{r_in.pk}/review/",
                {"date": rw.campaign.starts_on.isoformat(), "conclusion": "风险可控"} | version,
                allowed=ASSESS_IN,
                refused=SEES["risk_in"] - ASSESS_IN,
                sees=SEES["risk_in"],
                **api,
            ),
        ],
        "risk-clear": [
            write(
                f"/api/risks/{r_in.pk}/clear/",
                {"note": "已处置"} | version,
                allowed=set(),
                invalid=DECIDE_IN,
                refused=SEES["risk_in"] - DECIDE_IN,
                sees=SEES["risk_in"],
                **api,
            ),
        ],
        "risk-close": [
            write(
                f"/api/risks/{r_in.pk}/close/",
                {"note": "与其他风险点合并"} | version,
                allowed=DECIDE_IN,
                refused=SEES["risk_in"] - DECIDE_IN,
                sees=SEES["risk_in"],
                **api,
            ),
        ],
        "risk-reopen": [
            write(
                f"/api/risks/{r_in.pk}/reopen/",
                {"note": "误关"} | version,
                allowed=set(),
                invalid={"admin", "office"},
                refused=SEES["risk_in"] - {"admin", "office"},
                sees=SEES["risk_in"],
                **api,
            ),
        ],
        "return-submit": [
            write(
                f"/api/returns/{ret_in.pk}/submit/",
                {"nil": True, "version": ret_in.version},
                allowed={"unithead"},
                refused=SEES["return_in"] - {"unithead"},
                sees=SEES["return_in"],
                **api,
            ),
        ],
        "return-decide": [
            write(
                f"/api/returns/{ret_in.pk}/decide/",
                {"accept": True, "version": ret_in.version},
                allowed=set(),
                invalid={"admin", "office"},
                refused=SEES["return_in"] - {"admin", "office"},
                sees=SEES["return_in"],
                **api,
            ),
        ],
    }
