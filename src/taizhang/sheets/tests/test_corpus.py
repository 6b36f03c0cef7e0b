"""Every layout family of the corpus imports as the office meant it, item by item, and the web
preview, the command's --dry-run and the import itself report the same plan."""

import json
import shutil

import pytest
from django.core.management import call_command

from taizhang.org.models import Unit
from taizhang.rectification import actions as ledger_actions
from taizhang.rectification.models import Finding
from taizhang.sheets.importer import count_prepared, import_prepared
from taizhang.sheets.pipeline import Options, prepare
from taizhang.sheets.tests.corpus import FAMILIES, FEEDBACK
from taizhang.sheets.tests.test_import_pages import upload
from taizhang.tasks.models import Task

pytestmark = pytest.mark.django_db

PLAN_KEYS = ("sheets", "categories", "findings", "tasks", "units_created", "errors", "warnings")


def stored(source):
    findings = [
        (f.number, f.text, f.category.name if f.category else "")
        for f in Finding.objects.filter(source=source).select_related("category").order_by("position", "pk")
    ]
    tasks = []
    for t in (
        Task.objects.filter(source=source)
        .select_related("origin", "lead_unit", "leader", "owner")
        .order_by("position", "pk")
    ):
        partners = sorted([u.name for u in t.partner_units.all()] + [g.name for g in t.partner_groups.all()])
        tasks.append(
            (
                t.origin.number,
                t.measure,
                t.lead_unit.name,
                tuple(partners),
                t.leader.name if t.leader else t.leader_text,
                t.owner.name if t.owner else t.owner_text,
                t.deadline_kind,
                t.deadline_date,
                t.status,
            )
        )
    return findings, tasks


def expected_tasks(family):
    return [(*t[:3], tuple(sorted(t[3])), *t[4:]) for t in family.tasks]


@pytest.mark.parametrize("family", FAMILIES, ids=[f.name for f in FAMILIES])
def test_corpus_family_imports_as_the_office_meant(people, tmp_path, family):
    path = family.build(tmp_path)
    units_before = set(Unit.objects.values_list("name", flat=True))
    options = Options.from_json(family.options)
    preview, counts = count_prepared(prepare(path, options), None, feedback_date=family.feedback_date)
    assert not preview.errors, preview.errors
    source = ledger_actions.save_source(
        None, {"title": family.name, "feedback_date": family.feedback_date or FEEDBACK}, by=people["office"]
    )
    result = import_prepared(prepare(path, options), source, by=people["office"])
    findings, tasks = stored(source)
    assert findings == family.findings
    assert tasks == expected_tasks(family)
    assert [c for c in stored_categories(source)] == family.categories
    assert set(Unit.objects.values_list("name", flat=True)) - units_before == set(family.units_created)
    codes = {w["code"] for w in result["warnings"]}
    assert set(family.warnings) <= codes, result["warnings"]
    if family.sheets:
        assert result["sheets"] == family.sheets
    # the preview said what the import did
    assert {k: result[k] for k in PLAN_KEYS} == {k: preview.summary()[k] for k in PLAN_KEYS}
    assert counts["created"] == result["created"] == len(family.tasks)


def stored_categories(source):
    from taizhang.rectification.models import Category

    return list(Category.objects.filter(source=source).order_by("pk").values_list("name", flat=True))


def _command_args(family):
    args = ["--json", "--dry-run", "--feedback-date", (family.feedback_date or FEEDBACK).isoformat()]
    if family.options.get("hidden"):
        args += ["--hidden", family.options["hidden"]]
    return args


@pytest.mark.parametrize("family", FAMILIES, ids=[f.name for f in FAMILIES])
def test_dry_run_and_web_preview_report_the_plan_the_import_carries_out(people, clients, tmp_path, capsys, family):
    path = family.build(tmp_path)
    call_command("import_ledger", str(path), *_command_args(family))
    dry = json.loads(capsys.readouterr().out)
    source = ledger_actions.save_source(
        None, {"title": family.name, "feedback_date": family.feedback_date or FEEDBACK}, by=people["office"]
    )
    result = import_prepared(prepare(path, Options.from_json(family.options)), source, by=people["office"])
    assert {k: dry[k] for k in PLAN_KEYS} == {k: result[k] for k in PLAN_KEYS}
    office = clients["office"]
    copy = tmp_path / f"upload{path.suffix}"
    shutil.copy(path, copy)
    fields = {"title": "网页预览"}
    if family.feedback_date:
        fields["feedback_date"] = family.feedback_date.isoformat()
    preview_url = upload(office, copy.read_bytes(), name=f"台账{path.suffix}", **fields)
    if family.options.get("hidden"):
        office.post(preview_url, {"do": "mapping", "hidden": family.options["hidden"]})
    page = office.get(preview_url).content.decode()
    assert f'id="task-count">{result["tasks"]}<' in page and f'id="to-create">{result["created"]}<' in page
    for warning in result["warnings"]:
        assert warning["message"] in page
