"""The responsibility system's routes in the permission matrix (test_matrix.py merges them into its table)."""

import datetime as dt

from .duty_world import LIST_MANAGERS, MINUTE_IN, SEES, DutyWorld


def _scan():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"scan": SimpleUploadedFile("责任书.pdf", b"%PDF-1.4 signed")}


def duty_cases(dw: DutyWorld, *, read, write, who, Cell, logged_in, can) -> dict:  # noqa: N803 - the matrix's helpers
    year, today = dt.date.today().year, dt.date.today().isoformat()
    lst, m_in, m_out = dw.duty_list, dw.meeting_in, dw.meeting_out
    propaganda = m_in.unit_id
    minute_anywhere = MINUTE_IN | {"county", "countyadmin", "countyoffice", "westliaison"}
    table = {
        "duties:year": [read("/duties/"), read(f"/duties/?year={year}&unit={propaganda}")],
        "duties:lists": [read("/duties/lists/"), read(f"/duties/lists/?year={year}")],
        "duties:list_new": [
            read("/duties/lists/new/", can["manage_ledger"], lack=403),
            # 市委宣传部 is no choice of a county office: the form comes back
            write(
                "/duties/lists/new/",
                {"title": "新清单", "year": year, "starts_on": today, "units": [propaganda], "common": "on"},
                allowed=LIST_MANAGERS,
                invalid={"countyadmin", "countyoffice"},
            ),
        ],
        "duties:inclusions_new": [
            read("/duties/lists/inclusions/", can["manage_ledger"], lack=403),
            write(
                "/duties/lists/inclusions/",
                {"year": year, "deadline": "年底前", "units": [propaganda]},
                allowed=LIST_MANAGERS,
                invalid={"countyadmin", "countyoffice"},
            ),
        ],
        "duties:letters_new": [
            read("/duties/lists/letters/", can["manage_ledger"], lack=403),
            write(
                "/duties/lists/letters/",
                {"year": year, "subject": "organisation", "deadline": "年底前", "units": [propaganda]},
                allowed=LIST_MANAGERS,
                invalid={"countyadmin", "countyoffice"},
            ),
        ],
        "duties:letter": [
            read(f"/duties/letters/{dw.letter_in.pk}/", SEES["occurrence_in"]),
            read(f"/duties/letters/{dw.letter_signed.pk}/", SEES["letter_signed"]),
            write(
                f"/duties/letters/{dw.letter_in.pk}/",
                lambda: {"signer": "孙敏", "signed_on": today} | _scan(),
                allowed=MINUTE_IN,
                sees=SEES["occurrence_in"],
            ),
        ],
        "duties:letter_scan": [
            read(f"/duties/letters/{dw.letter_signed.pk}/scan/", SEES["letter_signed"]),
            read(f"/duties/letters/{dw.letter_in.pk}/scan/", set()),  # not signed: nothing to download
        ],
        "duties:list": [read(f"/duties/lists/{lst.pk}/", SEES["list"])],
        "duties:item_add": [
            Cell("get", f"/duties/lists/{lst.pk}/items/", who(logged_in, 405)),
            write(
                f"/duties/lists/{lst.pk}/items/",
                {"text": "年底前报告落实情况", "frequency": "年底前", "subject": "organisation"},
                allowed=LIST_MANAGERS,
                sees=SEES["list"],
            ),
        ],
        "duties:list_copy": [
            Cell("get", f"/duties/lists/{lst.pk}/copy/", who(logged_in, 405)),
            write(f"/duties/lists/{lst.pk}/copy/", {}, allowed=LIST_MANAGERS, sees=SEES["list"]),
        ],
        "duties:list_export": [read(f"/duties/lists/{lst.pk}/export/", SEES["list"])],
        "duties:list_import": [
            Cell(
                "get",
                f"/duties/lists/{lst.pk}/import/",
                who(logged_in, 404) | who(SEES["list"], 403) | who(LIST_MANAGERS, 200),
            ),
            # the preview writes nothing: it shows what the file would add
            write(
                f"/duties/lists/{lst.pk}/import/", _list_csv, allowed=set(), invalid=LIST_MANAGERS, sees=SEES["list"]
            ),
        ],
        "duties:task_record": [read(f"/duties/tasks/{dw.occurrence_in.pk}/record/", SEES["occurrence_in"], ok=302)],
        "duties:meetings": [read("/duties/meetings/"), read(f"/duties/meetings/?unit={propaganda}&kind=committee")],
        "duties:meeting_new": [
            read("/duties/meetings/new/", minute_anywhere, lack=403),
            write(
                "/duties/meetings/new/",
                {"kind": "committee", "unit": propaganda, "date": today, "topics": "研究意识形态工作"},
                allowed=MINUTE_IN,
                invalid=minute_anywhere - MINUTE_IN,  # 市委宣传部 is no choice of theirs
            ),
        ],
        "duties:meeting": [
            read(f"/duties/meetings/{m_in.pk}/", SEES["meeting_in"]),
            read(f"/duties/meetings/{m_out.pk}/", SEES["meeting_out"]),
        ],
        "duties:decision_add": [
            Cell("get", f"/duties/meetings/{m_in.pk}/decisions/", who(logged_in, 405)),
            write(
                f"/duties/meetings/{m_in.pk}/decisions/",
                {"measure": "修订管理办法", "lead_unit": propaganda, "deadline": "2030年底前"},
                allowed=MINUTE_IN,
                sees=SEES["meeting_in"],
            ),
        ],
        "duties:meeting_count": [
            Cell("get", f"/duties/meetings/{m_in.pk}/count/", who(logged_in, 405)),
            write(
                f"/duties/meetings/{m_in.pk}/count/",
                {"item": dw.item.pk},
                allowed=MINUTE_IN,
                sees=SEES["meeting_in"],
            ),
        ],
    }
    table |= {
        "duties:inspections": [read("/duties/inspections/")],
        "duties:calendar": [read("/duties/calendar/")],
        # a calendar app has no session: the signed address is the credential, a forged one names nobody
        "duties:calendar_feed": [
            Cell("get", dw.feed, who(logged_in, 200), anon=(200, False)),
            Cell("get", "/duties/calendar/forged.ics", who(logged_in, 404), anon=(404, False)),
        ],
        "duties:inspection_new": [
            read("/duties/inspections/new/", can["manage_ledger"], lack=403),
            write(
                "/duties/inspections/new/",
                {"year": year, "units": [propaganda]},
                allowed=LIST_MANAGERS,
                invalid={"countyadmin", "countyoffice"},
            ),
        ],
        "duties:inspection": [read(f"/duties/inspections/{dw.inspection.pk}/", SEES["inspection"])],
        "duties:finding_add": [
            Cell("get", f"/duties/inspections/{dw.inspection.pk}/findings/", who(logged_in, 405)),
            write(
                f"/duties/inspections/{dw.inspection.pk}/findings/",
                {"unit": propaganda, "text": "问题", "measure": "措施", "deadline": "2030年底前"},
                allowed=LIST_MANAGERS,
                sees=SEES["inspection"],
            ),
        ],
    }
    table |= _training_cases(dw, read=read, write=write, who=who, Cell=Cell, logged_in=logged_in)
    table |= _body_cases(dw, read=read, write=write, who=who, Cell=Cell, logged_in=logged_in, can=can)
    table["duties:minutes_file"] = [
        read(f"/duties/meetings/{m_in.pk}/minutes/", SEES["meeting_in"]),
        read(f"/duties/meetings/{m_out.pk}/minutes/", set()),  # no file: nothing to download
    ]
    for prefix, name, objs in (
        ("duty-lists", "dutylist", {"list": lst}),
        ("meetings", "meeting", {"meeting_in": m_in, "meeting_out": m_out}),
        ("trainings", "training", {"training_in": dw.training_in, "training_out": dw.training_out}),
        ("bodies", "body", {"body": dw.body}),
    ):
        table[f"{name}-list"] = [read(f"/api/{prefix}/", api=True)]
        table[f"{name}-detail"] = [read(f"/api/{prefix}/{obj.pk}/", SEES[key], api=True) for key, obj in objs.items()]
    for name, cells in _api_writes(dw, write).items():
        table[name] = table.get(name, []) + cells
    return table


def _api_writes(dw: DutyWorld, write) -> dict:
    """The API's writes: the pages' steps through the same actions, so the same personas, with the API's
    answers (201 done, 403 refused, 404 out of scope)."""
    today, propaganda = dt.date.today().isoformat(), dw.meeting_in.unit_id
    api = {"api": True, "ok": 201}
    m_in, t_in = dw.meeting_in, dw.training_in
    return {
        "dutylist-list": [
            write(
                "/api/duty-lists/",
                {"title": "接口下发的清单", "year": dt.date.today().year, "units": [propaganda]},
                allowed=LIST_MANAGERS,
                **api,
            )
        ],
        "dutylist-items": [
            write(
                f"/api/duty-lists/{dw.duty_list.pk}/items/",
                {"text": "年底前报告落实情况", "frequency": "年底前"},
                allowed=LIST_MANAGERS,
                sees=SEES["list"],
                **api,
            )
        ],
        "meeting-list": [
            write(
                "/api/meetings/",
                {"kind": "committee", "unit": propaganda, "date": today, "topics": "接口登记的会议"},
                allowed=MINUTE_IN,
                **api,
            )
        ],
        "meeting-decisions": [
            write(
                f"/api/meetings/{m_in.pk}/decisions/",
                {"measure": "接口登记的议定事项", "lead_unit": propaganda, "deadline": "2030年底前"},
                allowed=MINUTE_IN,
                sees=SEES["meeting_in"],
                **api,
            )
        ],
        "meeting-count": [
            write(
                f"/api/meetings/{m_in.pk}/count/",
                {"item": dw.item.pk},
                allowed=MINUTE_IN,
                sees=SEES["meeting_in"],
                api=True,
                ok=200,
            )
        ],
        "training-list": [
            write(
                "/api/trainings/",
                {"layer": t_in.layer_id, "unit": t_in.unit_id, "date": today, "hours": "2", "topic": "接口登记的培训"},
                allowed=MINUTE_IN,
                **api,
            )
        ],
        "body-list": [
            write("/api/bodies/", {"name": "接口设立的工作组", "lead_unit": propaganda}, allowed=LIST_MANAGERS, **api)
        ],
        "body-members": [
            write(
                f"/api/bodies/{dw.body.pk}/members/",
                {"unit": propaganda, "part": "召集单位"},
                allowed=LIST_MANAGERS,
                sees=SEES["body"],
                **api,
            )
        ],
    }


def _list_csv():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"file": SimpleUploadedFile("清单.csv", "序号,责任内容,频次或时限\n1,研究部署,年底前\n".encode())}


def _sheet():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"file": SimpleUploadedFile("签到表.csv", "序号,姓名\n1,赵磊\n".encode())}


def _training_cases(dw: DutyWorld, *, read, write, who, Cell, logged_in) -> dict:  # noqa: N803
    t_in, t_out = dw.training_in, dw.training_out
    today = dt.date.today().isoformat()
    record_anywhere = MINUTE_IN | {"county", "countyadmin", "countyoffice", "westliaison"}
    return {
        "duties:trainings": [read("/duties/trainings/"), read(f"/duties/trainings/?layer={t_in.layer_id}")],
        "duties:training_hours": [
            read("/duties/trainings/hours/"),
            read(f"/duties/trainings/hours/?unit={t_in.unit_id}"),
        ],
        "duties:training_new": [
            read("/duties/trainings/new/", record_anywhere, lack=403),
            write(
                "/duties/trainings/new/",
                {"layer": t_in.layer_id, "unit": t_in.unit_id, "date": today, "hours": "2", "topic": "培训"},
                allowed=MINUTE_IN,
                invalid=record_anywhere - MINUTE_IN,  # 市委宣传部 is no choice of theirs
            ),
        ],
        "duties:training": [
            read(f"/duties/trainings/{t_in.pk}/", SEES["training_in"]),
            read(f"/duties/trainings/{t_out.pk}/", SEES["training_out"]),
        ],
        "duties:attendance_import": [
            Cell("get", f"/duties/trainings/{t_in.pk}/attendance/", who(logged_in, 405)),
            write(f"/duties/trainings/{t_in.pk}/attendance/", _sheet, allowed=MINUTE_IN, sees=SEES["training_in"]),
        ],
        "duties:training_count": [
            Cell("get", f"/duties/trainings/{t_in.pk}/count/", who(logged_in, 405)),
            write(
                f"/duties/trainings/{t_in.pk}/count/",
                {"item": dw.item.pk},
                allowed=MINUTE_IN,
                sees=SEES["training_in"],
            ),
        ],
    }


def _rules():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"rules": SimpleUploadedFile("规则.pdf", b"%PDF-1.4 new rules")}


def _body_cases(dw: DutyWorld, *, read, write, who, Cell, logged_in, can) -> dict:  # noqa: N803
    body, propaganda = dw.body, dw.meeting_in.unit_id
    at = f"/duties/bodies/{body.pk}"
    layer = dw.training_in.layer
    layer_data = {f"l{layer.pk}-name": layer.name, f"l{layer.pk}-required_hours": "20", f"l{layer.pk}-position": "1"}
    return {
        "duties:bodies": [read("/duties/bodies/"), read(f"/duties/bodies/?kind=joint&lead_unit={propaganda}")],
        "duties:body_new": [
            read("/duties/bodies/new/", can["manage_ledger"], lack=403),
            write(
                "/duties/bodies/new/",
                {"name": "新工作组", "kind": "group", "lead_unit": propaganda},
                allowed=LIST_MANAGERS,
                invalid={"countyadmin", "countyoffice"},  # 市委宣传部 is no choice of theirs
            ),
        ],
        "duties:body": [read(f"{at}/", SEES["body"])],
        "duties:member_add": [
            Cell("get", f"{at}/members/", who(logged_in, 405)),
            write(f"{at}/members/", {"unit": propaganda, "part": "召集单位"}, allowed=LIST_MANAGERS, sees=SEES["body"]),
        ],
        "duties:member_remove": [
            Cell("get", f"{at}/members/remove/", who(logged_in, 405)),
            write(f"{at}/members/remove/", {"member": dw.member.pk}, allowed=LIST_MANAGERS, sees=SEES["body"]),
        ],
        "duties:rules_upload": [
            Cell("get", f"{at}/rules/", who(logged_in, 405)),
            write(f"{at}/rules/", _rules, allowed=LIST_MANAGERS, sees=SEES["body"]),
        ],
        "duties:rules_file": [read(f"{at}/rules/file/", SEES["body"])],
        "duties:layers": [
            read("/duties/trainings/layers/"),
            write(
                "/duties/trainings/layers/",
                {"new-name": "新任职联络员", "new-required_hours": "6"},
                allowed=LIST_MANAGERS,  # an office over all units, the administrator
            ),
        ],
        "duties:layer_edit": [
            Cell("get", f"/duties/trainings/layers/{layer.pk}/", who(logged_in, 405)),
            write(f"/duties/trainings/layers/{layer.pk}/", layer_data, allowed=LIST_MANAGERS),
        ],
    }
