"""Import a rectification ledger: the pipeline's last stage, write (see `pipeline` for the others).

The preview (web) and `--dry-run` (command) plan the file without writing. The import itself streams:
each row is read, planned and handed to a `PlanWriter`, which writes a batch at a time, all in one
transaction, all or nothing. Re-importing an exported ledger updates the matched tasks (by the hidden
台账ID, else by finding number and measure text) instead of duplicating them.
"""

from pathlib import Path

from django.db import transaction

from taizhang.core.bulk import paused_gc
from taizhang.org import actions as org_actions
from taizhang.org.models import Person, Unit, UnitGroup
from taizhang.rectification import actions as ledger_actions
from taizhang.rectification.models import Category, Finding, Source
from taizhang.sheets.cells import PersonMatcher
from taizhang.sheets.pipeline import Options, Prepared, plan_prepared, prepare
from taizhang.sheets.planner import Plan, PlannedTask
from taizhang.similar import actions as similar_actions
from taizhang.tasks import actions as task_actions
from taizhang.tasks.models import Task

WRITE_BATCH = 2000


def _differences(task: Task, row: dict, partner_units: set, partner_groups: set) -> dict:
    """What differs between a matched task and its row, by attname and ids (so an unchanged re-import
    writes nothing and audits nothing). Read-only: the preview counts with it too."""
    changed = {}
    for name in ("origin", "lead_unit", "leader", "owner"):
        if getattr(task, f"{name}_id") != row[f"{name}_id"]:
            changed[name] = row[f"{name}_id"]
    for name in ("measure", "target", "leader_text", "owner_text", "note", "status"):
        if getattr(task, name) != row[name]:
            changed[name] = row[name]
    if row["deadline_text"] != task.deadline_text:
        changed.update({k: v for k, v in row.items() if k.startswith("deadline_")})
    if set(row["partner_unit_ids"]) != partner_units:
        changed["partner_units"] = row["partner_unit_ids"]
    if set(row["partner_group_ids"]) != partner_groups:
        changed["partner_groups"] = row["partner_group_ids"]
    return changed


def _as_task_data(changed: dict) -> dict:
    """`_differences` as `save_task` data: objects for ids."""
    models = {"origin": Finding, "lead_unit": Unit, "leader": Person, "owner": Person}
    data = dict(changed)
    for name, model in models.items():
        if name in data and data[name] is not None:
            data[name] = model.objects.get(pk=data[name])
    if "partner_units" in data:
        data["partner_units"] = Unit.objects.filter(pk__in=data["partner_units"])
    if "partner_groups" in data:
        data["partner_groups"] = UnitGroup.objects.filter(pk__in=data["partner_groups"])
    return data


class PlanWriter:
    """Writes planned tasks through the actions layer as they come: new rows in bulk, WRITE_BATCH at a
    time; matched rows (re-imports) only where they changed. Unknown units are created under the top
    unit, categories on first sight. Runs inside the caller's transaction."""

    def __init__(self, source: Source, *, by):
        self.source, self.by = source, by
        self.root = Unit.objects.filter(parent=None).order_by("path").first()
        self.units, self.categories, self.members = {}, {}, {}  # created units, categories, group members
        self.resolved_ids, self.assigned = {}, {}  # see _ids, _task_row
        self.people = PersonMatcher(Person.objects.values_list("pk", "name", "post"))
        tasks = Task.objects.filter(source=source).select_related("origin")
        self.existing = {str(t.uid): t for t in tasks.prefetch_related("partner_units", "partner_groups")}
        self.by_text = {((t.origin.number if t.origin else ""), t.measure): t for t in self.existing.values()}
        self.old_findings = {(f.number, f.text): f.pk for f in Finding.objects.filter(source=source)}
        self.counts = {"created": 0, "updated": 0, "unchanged": 0}
        self.findings, self.new_findings, self.new_rows = {}, {}, []  # finding key → id; planned, unwritten
        self.position = 0
        self.findings_created = 0

    def add(self, planned: PlannedTask) -> None:
        self.position += 1
        item, key = planned.finding, planned.finding_key
        if key not in self.findings and self.findings:
            # A finding's measures come one after another: the ids of earlier findings are not needed
            # again (pending rows of unwritten findings are resolved from `new_findings`).
            self.findings.clear()
        match = (
            (self.existing.get(planned.fields["id"]) or self.by_text.get((item["number"], planned.measure)))
            if self.existing  # a first import matches nothing
            else None
        )
        if key not in self.findings and key not in self.new_findings:
            found = (match.origin_id if match else None) or self.old_findings.get((item["number"], item["text"]))
            if found:
                self.findings[key] = found
            else:
                self.new_findings[key] = {
                    "number": item["number"],
                    "text": item["text"],
                    "position": key + 1,
                    "category_id": self._category(item["category"]),
                }
        if match is not None and key in self.new_findings:
            self.flush()  # the matched task moves to a finding this file introduces: write it first
        row = self._task_row(planned, self.findings.get(key))
        if match is None:
            if row["origin_id"] is None:
                row["finding_key"] = key
            self.new_rows.append(row)
            if len(self.new_rows) >= WRITE_BATCH:
                self.flush()
            return
        self._update(match, row, planned.fields["progress"])

    def finish(self) -> dict:
        self.flush()
        return self.counts

    def flush(self) -> None:
        ids = ledger_actions.create_findings(self.source, list(self.new_findings.values()), by=self.by)
        self.findings_created += len(ids)
        self.findings.update(zip(self.new_findings, ids, strict=True))
        self.new_findings.clear()
        for row in self.new_rows:
            if row["origin_id"] is None:
                row["origin_id"] = self.findings[row.pop("finding_key")]
        task_actions.create_tasks(self.source, self.new_rows, by=self.by)
        self.counts["created"] += len(self.new_rows)
        self.new_rows.clear()

    def _update(self, match: Task, row: dict, progress_text: str) -> None:
        partner_units = {u.pk for u in match.partner_units.all()}
        changed = _differences(match, row, partner_units, {g.pk for g in match.partner_groups.all()})
        if changed:
            task = task_actions.save_task(match, _as_task_data(changed), by=self.by, source=self.source)
        else:
            task = match
        self.counts["updated" if changed else "unchanged"] += 1
        if progress_text and progress_text != task.latest_progress:
            # The office's own permission (not a unit's report_progress): see set_imported_progress.
            task_actions.set_imported_progress(task, by=self.by, text=progress_text)

    def _category(self, name: str) -> int | None:
        if name and name not in self.categories:
            self.categories[name] = ledger_actions.ensure_category(self.source, name, by=self.by).pk
        return self.categories.get(name)

    def _unit(self, name: str) -> int:
        if name not in self.units:
            self.units[name] = org_actions.save_unit(None, {"name": name, "parent": self.root}, by=self.by).pk
        return self.units[name]

    def _ids(self, resolved) -> tuple[tuple[int, ...], ...]:
        """A units cell as ids: its units, units created for unknown names, its groups' members, its groups.

        Worked out once per distinct cell: the matcher hands back the same tuple for the same text
        (kept here with its ids, so the `id` key cannot be reused while this writer lives). Tuples,
        as every row of that cell shares them.
        """
        try:
            return self.resolved_ids[id(resolved)][1]
        except KeyError:
            units, groups, unknown = resolved
            ids = (
                tuple(u.pk for u in units),
                tuple(self._unit(n) for n in unknown),
                tuple(u for g in groups for u in self._members(g)),
                tuple(g.pk for g in groups),
            )
            self.resolved_ids[id(resolved)] = (resolved, ids)
            return ids

    def _members(self, group) -> list[int]:
        if group.pk not in self.members:
            self.members[group.pk] = list(group.members.values_list("pk", flat=True))
        return self.members[group.pk]

    def _assign(self, cells) -> tuple[int, tuple, tuple]:
        """A row's unit cells as (lead unit id, partner unit ids, partner group ids): worked out once per
        distinct cells (the planner hands back the same objects for the same texts)."""
        lead, *others = cells
        units, new_units, members, lead_groups = self._ids(lead)
        leads = units + new_units + members
        # A group named as lead (各县（区）委) leads through its members and is kept as the group too.
        partner_units, partner_groups = list(leads[1:]), list(lead_groups)
        for cell in others:
            more_units, more_new, _members, more_groups = self._ids(cell)
            partner_units += [u for u in more_units + more_new if u not in partner_units and u != leads[0]]
            partner_groups += [g for g in more_groups if g not in partner_groups]
        return leads[0], tuple(partner_units), tuple(partner_groups)

    def _task_row(self, planned: PlannedTask, finding_id: int | None) -> dict:
        """The task's stored fields by attname, as `create_tasks` takes them (a matched task keeps its
        position and progress: `_changes` compares the other fields)."""
        f = planned.fields
        cells = (f["lead"], f["lead_partners"], f["partners"], f["more_partners"])
        key = tuple(map(id, cells))
        assigned = self.assigned.get(key)
        if assigned is None or assigned[0] != cells:  # (the cells are kept, so their ids stay theirs)
            assigned = self.assigned[key] = (cells, self._assign(cells))
        lead_id, partner_units, partner_groups = assigned[1]
        deadline = f["deadline"]
        owner_id = self.people.match(f["owner"])
        # The owner as written is kept unless it says no more than the matched person's name or post.
        owner_text = "" if owner_id and self.people.named(f["owner"], owner_id) else f["owner"][:200]
        return {
            "origin_id": finding_id,
            "measure": planned.measure,
            "target": f["target"],
            "lead_unit_id": lead_id,
            "partner_unit_ids": partner_units,
            "partner_group_ids": partner_groups,
            "leader_id": self.people.match(f["leader"]),
            "leader_text": f["leader"][:200],
            "owner_id": owner_id,
            "owner_text": owner_text,
            "note": f["note"],
            "status": f["status"],
            "deadline_kind": deadline.kind,
            "deadline_text": deadline.text,
            "deadline_date": deadline.date,
            "deadline_precision": deadline.precision,
            "deadline_period": deadline.period,
            "position": self.position,
            "latest_progress": f["progress"],
        }


class PlanCounter(PlanWriter):
    """What a `PlanWriter` would do, counted by reading only: the re-import preview runs it on a GET.

    Units, categories and findings the file would create get stand-in ids (negative, so they match
    nothing stored); matched rows are compared exactly as the writer compares them.
    """

    def __init__(self, source: Source):
        super().__init__(source, by=None)
        self.categories = dict(Category.objects.filter(source=source).values_list("name", "pk"))
        self.new_ids = 0

    def _stand_in(self) -> int:
        self.new_ids -= 1
        return self.new_ids

    def flush(self) -> None:
        self.findings.update({key: self._stand_in() for key in self.new_findings})
        self.new_findings.clear()
        self.counts["created"] += len(self.new_rows)
        self.new_rows.clear()

    def _update(self, match: Task, row: dict, progress_text: str) -> None:
        partner_units = {u.pk for u in match.partner_units.all()}
        changed = _differences(match, row, partner_units, {g.pk for g in match.partner_groups.all()})
        self.counts["updated" if changed else "unchanged"] += 1

    def _category(self, name: str) -> int | None:
        if name and name not in self.categories:
            self.categories[name] = self._stand_in()
        return self.categories.get(name)

    def _unit(self, name: str) -> int:
        if name not in self.units:
            self.units[name] = self._stand_in()
        return self.units[name]


class RowsRefused(Exception):
    """Rows of the file were refused: the import was rolled back and `plan` says why."""

    def __init__(self, plan: Plan):
        super().__init__(f"{len(plan.errors)} problems")
        self.plan = plan


def import_prepared(prepared: Prepared, source: Source, *, by, progress=None) -> dict:
    """Plan and write in one pass over the ledger sheets, all or nothing.

    Each task is written (in batches) as soon as its row is planned, so memory holds a batch, not the
    file; a refused row anywhere rolls everything back and raises `RowsRefused` with the full plan.
    """
    with transaction.atomic(), similar_actions.batched():
        # One import into a ledger at a time: a second waits here, then matches what the first wrote
        # (on PostgreSQL both would otherwise read the ledger before either wrote, and add rows twice).
        Source.objects.select_for_update().filter(pk=source.pk).first()
        writer = PlanWriter(source, by=by)
        plan = plan_prepared(prepared, feedback_date=source.feedback_date, on_task=writer.add, progress=progress)
        if plan.errors:
            transaction.set_rollback(True)
        else:
            counts = writer.finish()
    if plan.errors:
        raise RowsRefused(plan)
    if writer.findings_created:
        # 屡查屡犯: the new findings against the earlier rounds of their unit, once for the file
        similar_actions.flag_source(source, by=by)
    return plan.summary() | counts


def count_prepared(prepared: Prepared, source: Source | None, *, feedback_date) -> tuple[Plan, dict]:
    """The plan and what writing it would do (created / updated / unchanged), by reading only: the
    preview and `--dry-run` call this, so they report what the import will do."""
    counter = PlanCounter(source) if source is not None else None
    plan = plan_prepared(
        prepared, feedback_date=feedback_date, on_task=counter.add if counter else (lambda _planned: None)
    )
    if counter is None or plan.errors:
        return plan, {"created": plan.task_count, "updated": 0, "unchanged": 0}
    return plan, counter.finish()


def import_file(path: Path, source: Source, *, by, options: Options | None = None, dry_run: bool = False) -> dict:
    """Import a file into `source` in one streamed pass; the summary says what was (or would be) done."""
    with paused_gc():
        prepared = prepare(path, options)
        if dry_run:
            plan, counts = count_prepared(prepared, source, feedback_date=source.feedback_date)
            return plan.summary() | counts
        try:
            return import_prepared(prepared, source, by=by)
        except RowsRefused as refused:
            return refused.plan.summary()
