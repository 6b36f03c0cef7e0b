"""The index follows every write at once, shows a reader only what they may see, and flags repeats."""

import datetime as dt

import pytest

from taizhang.core.audit import verify_chain
from taizhang.rectification import actions as ledger_actions
from taizhang.rectification.models import Finding
from taizhang.similar import index
from taizhang.similar.actions import decide
from taizhang.similar.models import Corpus, FlagStatus, Indexed, PostingBlock, RepeatFlag, Term
from taizhang.tasks import actions as task_actions
from taizhang.tasks.origins import Origin
from taizhang.testing import unit

pytestmark = pytest.mark.django_db

CARS = "公务用车管理不严格，车辆使用登记不全，存在公车私用风险。"
CARS_AGAIN = "公车使用台账记录不完整，节假日公务车辆未按规定集中封存停放，个别车辆被私用。"
RECEPTION = "公务接待管理不规范，存在超标准接待、无公函接待的情况。"


def round_of(title, day, inspected):
    return ledger_actions.save_source(
        None, {"kind": "patrol", "title": title, "feedback_date": day, "inspected_unit": unit(inspected)}, by=None
    )


def finding(source, text, found_in=None):
    return ledger_actions.save_finding(None, {"text": text, "found_in": found_in}, by=None, source=source)


def with_task(origin, lead):
    task_actions.save_task(
        None,
        {"origin": origin, "measure": f"{lead}整改", "lead_unit": unit(lead), "deadline": "2030年底前"},
        by=None,
        source=origin.source,
    )
    return origin


def similar_ids(origin, user=None, **kw):
    return [pk for pk, _ in index.similar(origin, user, **kw)]


@pytest.fixture
def rounds(people):
    return (
        round_of("2021年市委巡察", dt.date(2021, 6, 1), "市教育局"),
        round_of("2024年市委巡察", dt.date(2024, 6, 1), "市教育局"),
        round_of("2024年市委巡察（财政局）", dt.date(2024, 7, 1), "市财政局"),
    )


def test_new_edited_and_deleted_findings_change_the_neighbours_at_once(rounds):
    early, late, other = rounds
    cars = finding(early, CARS)
    query = finding(other, CARS_AGAIN)
    assert similar_ids(query) == [cars.pk]
    reception = finding(late, RECEPTION)
    assert reception.pk not in similar_ids(query)

    edited = "公务车辆使用登记不全，节假日车辆未集中封存，存在公车私用。"
    ledger_actions.save_finding(reception, {"text": edited}, by=None)
    assert reception.pk in similar_ids(query)  # edited into a counterpart: found at once

    ledger_actions.save_finding(cars, {"text": "干部人事档案管理不规范，部分档案材料缺失。"}, by=None)
    assert cars.pk not in similar_ids(query)  # edited away: gone at once

    ledger_actions.delete_finding(reception, by=None, reason="录入错误")
    assert similar_ids(query) == []
    assert Corpus.objects.get().documents == Indexed.objects.count() == 2
    assert verify_chain().ok


def test_document_frequencies_stay_exact_through_edits_and_deletes(rounds):
    early, late, _ = rounds
    a = finding(early, CARS)
    b = finding(late, RECEPTION)
    ledger_actions.save_finding(a, {"text": RECEPTION}, by=None)
    ledger_actions.delete_finding(b, by=None, reason="重复录入")
    from taizhang.similar import engine

    expected = {k: 1 for k in engine.keys_of(engine.features(RECEPTION))}
    assert {k: df for k, df in Term.objects.values_list("key", "df") if df} == expected


def test_a_reader_never_sees_a_similar_finding_outside_their_scope(people, rounds):
    early, _, other = rounds
    inside = with_task(finding(early, CARS), "东城区委")
    outside = with_task(finding(early, CARS + "（车辆管理）"), "西城区委")
    query = with_task(finding(other, CARS_AGAIN), "东城区委")
    assert set(similar_ids(query)) == {inside.pk, outside.pk}
    assert similar_ids(query, people["county"]) == [inside.pk]
    assert similar_ids(query, people["westliaison"]) == [outside.pk]


def test_same_unit_in_a_later_round_is_flagged_other_units_only_shown(rounds):
    early, late, other = rounds
    cars = finding(early, CARS)
    again = finding(late, CARS_AGAIN)
    elsewhere = finding(other, CARS_AGAIN + "。")
    flags = list(RepeatFlag.objects.values_list("earlier_id", "later_id", "status"))
    assert flags == [(cars.pk, again.pk, FlagStatus.PENDING)]
    assert cars.pk in similar_ids(elsewhere)  # another unit: similar, never a repeat


def test_an_earlier_round_imported_late_is_flagged_against_the_later_one(rounds):
    early, late, _ = rounds
    again = finding(late, CARS_AGAIN)
    cars = finding(early, CARS)
    assert list(RepeatFlag.objects.values_list("earlier_id", "later_id")) == [(cars.pk, again.pk)]


def test_a_finding_inside_the_inspected_unit_counts_for_its_line(rounds, people):
    early, late, _ = rounds
    # the second round inspected the whole city; the problem was the same bureau's
    city = round_of("2025年省委巡视", dt.date(2025, 5, 1), "中共示范市委员会")
    cars = finding(early, CARS)
    again = finding(city, CARS_AGAIN, found_in=unit("市教育局"))
    assert RepeatFlag.objects.filter(earlier=cars, later=again).exists()


def test_dismissed_flags_stay_dismissed_when_the_finding_is_written_again(people, rounds):
    early, late, _ = rounds
    cars = finding(early, CARS)
    again = finding(late, CARS_AGAIN)
    flag = RepeatFlag.objects.get()
    decide(flag, by=people["office"], confirm=False, note="不同车辆，不属于屡查屡犯")
    ledger_actions.save_finding(again, {"text": CARS_AGAIN + "（复核）"}, by=None)  # as a re-import rewrites it
    flag.refresh_from_db()
    assert (RepeatFlag.objects.count(), flag.status) == (1, FlagStatus.DISMISSED)
    assert flag.earlier_id == cars.pk


def test_only_an_office_managing_the_later_ledger_decides(people, rounds):
    early, late, _ = rounds
    finding(early, CARS)
    finding(late, CARS_AGAIN)
    flag = RepeatFlag.objects.get()
    from django.core.exceptions import PermissionDenied, ValidationError

    from taizhang.core.errors import OutOfScope

    for name in ("liaison", "viewer", "unithead"):
        with pytest.raises((PermissionDenied, OutOfScope)):
            decide(flag, by=people[name], confirm=True)
    with pytest.raises(ValidationError):
        decide(flag, by=people["office"], confirm=False, note="")  # a dismissal says why
    decide(flag, by=people["office"], confirm=True)
    flag.refresh_from_db()
    assert (flag.status, flag.decided_by) == (FlagStatus.CONFIRMED, people["office"])


def _index_state():
    texts = dict(Indexed.objects.values_list("origin_id", "norm"))
    postings = sorted((key, texts[doc]) for key, doc in index.postings())
    terms = {k: df for k, df in Term.objects.values_list("key", "df") if df}
    return postings, terms, Corpus.objects.get(pk=1).documents


def test_an_import_holding_its_index_writes_leaves_the_index_it_would_have_written_at_once(rounds):
    """An import holds its postings and frequencies until its end (`batched`): what it leaves is
    exactly what writing every batch at once leaves, also when a finding is rewritten meanwhile."""
    from django.db import transaction

    from taizhang.scale_similar import finding_texts

    early, late, _ = rounds
    texts = finding_texts(2600, seed=11)

    def run():
        made = []
        for part in (texts[:2100], texts[2100:2300], texts[2300:]):  # past FILE_ALL_BELOW: filed under a few
            items = [{"number": str(i), "text": t, "position": i, "category_id": None} for i, t in enumerate(part)]
            made += ledger_actions.create_findings(late, items, by=None)
        ledger_actions.save_finding(Finding.objects.get(pk=made[2200]), {"text": CARS_AGAIN}, by=None)

    finding(early, CARS)
    with transaction.atomic():
        point = transaction.savepoint()
        run()
        at_once = _index_state()
        transaction.savepoint_rollback(point)
        with index.batched():
            run()
            assert len(index.postings()) < 2000  # held: only the edited finding's postings written yet
        held = _index_state()
    assert held == at_once
    assert held[2] == 2601


def test_a_lookup_reads_the_newest_admitted_findings_of_each_feature_across_blocks(rounds, monkeypatch):
    """Postings are packed in blocks (an import's findings of one feature in a few rows). A lookup
    still takes, under each feature, exactly the newest PER_KEY findings its filters admit: also
    when those lie several blocks down, and when an edited finding sits in a block of its own
    below a block holding older findings; a deleted finding is gone from the block it was packed in."""
    monkeypatch.setattr(index, "BLOCK", 4)
    early, late, other = rounds
    texts = [f"{CARS}第{i}辆" for i in range(30)]

    def add(source, part):
        items = [{"number": str(i), "text": t, "position": i, "category_id": None} for i, t in enumerate(part)]
        return ledger_actions.create_findings(source, items, by=None)

    made = add(late, texts[:12]) + add(other, texts[12:18]) + add(early, texts[18:])
    # the newest blocks: [29 28 27 26] [25 24 23 22] [21 20 19 18]; after the edit [21 20 18] [19]
    ledger_actions.save_finding(Finding.objects.get(pk=made[19]), {"text": f"{CARS}第19辆车"}, by=None)
    ledger_actions.delete_finding(Finding.objects.get(pk=made[8]), by=None, reason="重复录入")
    assert PostingBlock.objects.count() < len(index.postings()) / 2  # packed

    filed: dict[int, list[int]] = {}
    for key, doc in index.postings():
        filed.setdefault(key, []).append(doc)
    assert made[8] not in {doc for docs in filed.values() for doc in docs}
    shared = max(filed, key=lambda key: len(filed[key]))  # a feature every car finding carries
    assert len(filed[shared]) == 29

    monkeypatch.setattr(index, "PER_KEY", 7)
    everything = index._Admission(None, None, None, None)
    assert index._newest({shared: 1.0}, everything)[shared] == [made[i] for i in range(29, 22, -1)]
    entries = dict(Indexed.objects.values_list("origin_id", "source_id"))
    for exclude in (other.pk, early.pk):
        admitted = index._Admission(exclude, None, None, None)
        expected = sorted((d for d in filed[shared] if entries[d] != exclude), reverse=True)[:7]
        assert index._newest({shared: 1.0}, admitted)[shared] == expected, exclude
    since_2024 = index._Admission(None, None, dt.date(2024, 1, 1), None)  # the 2021 round's blocks are passed over
    expected = sorted((d for d in filed[shared] if entries[d] != early.pk), reverse=True)[:7]
    assert index._newest({shared: 1.0}, since_2024)[shared] == expected
    first_round = index._Admission(None, Origin.objects.filter(source=late).values("pk"), None, None)
    assert index._newest({shared: 1.0}, first_round)[shared] == [made[i] for i in (11, 10, 9, 7, 6, 5, 4)]
    # Four wanted, three blocks read first: 18, in the third, is older than 19, in the next.
    monkeypatch.setattr(index, "PER_KEY", 4)
    few = index._Admission(
        None, Origin.objects.filter(pk__in=[made[i] for i in (28, 21, 20, 19, 18)]).values("pk"), None, None
    )
    assert index._newest({shared: 1.0}, few)[shared] == [made[i] for i in (28, 21, 20, 19)]


def test_findings_entered_one_at_a_time_fill_blocks(rounds, monkeypatch):
    """A finding entered on its page joins its features' newest blocks: a lookup reads as few
    blocks per feature for a ledger typed in by hand as for an imported one."""
    monkeypatch.setattr(index, "BLOCK", 4)
    early, _late, _other = rounds
    made = [finding(early, f"{CARS}第{i}辆").pk for i in range(10)]
    filed: dict[int, list[int]] = {}
    for key, doc in index.postings():
        filed.setdefault(key, []).append(doc)
    shared = max(filed, key=lambda key: len(filed[key]))
    assert sorted(filed[shared]) == made
    blocks = PostingBlock.objects.filter(key=shared).order_by("-last")
    assert [len(index._unpacked(b.docs)) for b in blocks] == [2, 4, 4]
    assert index._newest({shared: 1.0}, index._Admission(None, None, None, None))[shared] == made[::-1]


def test_a_moved_unit_keeps_its_findings_for_the_repeat_flags(rounds, people):
    """The index files findings by their unit's place in the tree: when a unit moves, its findings
    move with it (in the same transaction), so a later round's same problem is still flagged."""
    from taizhang.org.actions import save_unit
    from taizhang.similar import maintenance

    early, late, _other = rounds
    old = finding(early, CARS)
    education = unit("市教育局")
    save_unit(education, {"parent": unit("市财政局")}, by=people["admin"])
    education.refresh_from_db()
    assert Indexed.objects.get(pk=old.pk).unit_path == education.path
    assert maintenance.compare().ok, maintenance.compare().text
    finding(late, CARS_AGAIN)
    assert RepeatFlag.objects.get().earlier_id == old.pk
    Indexed.objects.filter(pk=old.pk).update(unit_path="")  # as an index left behind by a move would be
    report = maintenance.compare()
    assert not report.ok and "单位位置与单位树不一致 1 条" in report.text


@pytest.mark.django_db(transaction=True)
def test_two_findings_of_one_block_changed_at_once_leave_the_index_exact(people):
    """One person edits a finding while another deletes one packed in the same blocks (PostgreSQL
    runs their transactions side by side; a deletion takes the finding out of the index before its
    audit event, so the audit chain's lock does not queue it): each block is rewritten from what the
    other left, so no finding stays filed under a feature it lost, none is filed twice, and both
    succeed."""
    import threading
    import time

    from django.db import connection, transaction

    from taizhang.similar import engine, maintenance

    early = round_of("2021年市委巡察", dt.date(2021, 6, 1), "市教育局")
    items = [{"number": str(i), "text": f"{CARS}第{i}辆", "position": i, "category_id": None} for i in range(6)]
    first, second, *_ = ledger_actions.create_findings(early, items, by=None)
    wrote, errors = threading.Event(), []

    def change(pk, text, *, hold=False):
        try:
            with transaction.atomic():
                found = Finding.objects.get(pk=pk)
                if text:
                    ledger_actions.save_finding(found, {"text": text}, by=None)
                else:
                    ledger_actions.delete_finding(found, by=None, reason="重复录入")
                if hold:
                    wrote.set()
                    time.sleep(1.0)  # the other edit starts while this one is uncommitted
        except Exception as exc:  # noqa: BLE001 — reported below
            errors.append(exc)
        finally:
            wrote.set()
            connection.close()

    holding = threading.Thread(target=change, args=(first, RECEPTION), kwargs={"hold": True})
    holding.start()
    wrote.wait(10)
    other = threading.Thread(target=change, args=(second, ""))
    other.start()
    holding.join(20)
    other.join(20)
    assert errors == []
    pairs = index.postings()
    assert len(pairs) == len(set(pairs))  # nobody filed twice under one feature
    norms = dict(Indexed.objects.values_list("origin_id", "norm"))
    assert all(key in engine.keys_of(engine.grams_of(norms[doc])) for key, doc in pairs)
    assert {doc for _, doc in pairs} == set(norms)
    assert maintenance.compare().ok
