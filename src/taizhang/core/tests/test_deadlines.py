"""The deadline parser on the phrases offices write, and its properties."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from taizhang.core.deadlines import DeadlineKind as K
from taizhang.core.deadlines import Precision as P
from taizhang.core.deadlines import format_deadline, parse_deadline

FEEDBACK = dt.date(2024, 1, 15)

CASES = [
    ("立行立改", K.IMMEDIATE, dt.date(2024, 2, 14), P.DAY),
    ("长期坚持", K.LONG_TERM, None, ""),
    ("持续推进", K.LONG_TERM, None, ""),
    ("2024年6月底前", K.DATED, dt.date(2024, 6, 30), P.MONTH),
    ("6月底前", K.DATED, dt.date(2024, 6, 30), P.MONTH),
    ("2024年底前", K.DATED, dt.date(2024, 12, 31), P.YEAR),
    ("2024年12月31日", K.DATED, dt.date(2024, 12, 31), P.DAY),
    ("2024.6", K.DATED, dt.date(2024, 6, 30), P.MONTH),
    ("2024/6/30", K.DATED, dt.date(2024, 6, 30), P.DAY),
    ("2024-06-30", K.DATED, dt.date(2024, 6, 30), P.DAY),
    (dt.date(2024, 4, 30), K.DATED, dt.date(2024, 4, 30), P.DAY),
    (dt.datetime(2024, 4, 30, 0, 0), K.DATED, dt.date(2024, 4, 30), P.DAY),
    (45412.0, K.DATED, dt.date(2024, 4, 30), P.DAY),
    ("每季度", K.PERIODIC, None, ""),
    ("2024年底前，并长期坚持", K.DATED_LONG_TERM, dt.date(2024, 12, 31), P.YEAR),
    ("2024年底前并长期坚持", K.DATED_LONG_TERM, dt.date(2024, 12, 31), P.YEAR),
    ("2024年第三季度", K.DATED, dt.date(2024, 9, 30), P.QUARTER),
    ("２０２４年６月底前", K.DATED, dt.date(2024, 6, 30), P.MONTH),
    ("2024年预算调整时", K.UNREAD, None, ""),
    ("2024年2月30日", K.UNREAD, None, ""),
    ("", K.UNREAD, None, ""),
    # relative to the feedback date (2024-01-15), as offices write them
    ("年底前", K.DATED, dt.date(2024, 12, 31), P.YEAR),
    ("今年9月底前", K.DATED, dt.date(2024, 9, 30), P.MONTH),
    ("今年年底前", K.DATED, dt.date(2024, 12, 31), P.YEAR),
    ("明年一季度", K.DATED, dt.date(2025, 3, 31), P.QUARTER),
    ("明年6月底前", K.DATED, dt.date(2025, 6, 30), P.MONTH),
    ("3个月内", K.DATED, dt.date(2024, 4, 15), P.DAY),
    ("三个月内完成", K.DATED, dt.date(2024, 4, 15), P.DAY),
    ("12个月内", K.DATED, dt.date(2025, 1, 15), P.DAY),
    ("立即整改、长期坚持", K.DATED_LONG_TERM, dt.date(2024, 2, 14), P.DAY),
    ("立行立改，长期坚持", K.DATED_LONG_TERM, dt.date(2024, 2, 14), P.DAY),
    ("立行立改并长期坚持", K.DATED_LONG_TERM, dt.date(2024, 2, 14), P.DAY),
    ("短期：2024年6月底前；中期：2024年底前；长期：长期坚持", K.DATED_LONG_TERM, dt.date(2024, 12, 31), P.YEAR),
    ("短期：2024年3月底前；中期：2024年9月底前", K.DATED, dt.date(2024, 9, 30), P.MONTH),
    ("短期：立行立改；长期：长期坚持", K.DATED_LONG_TERM, dt.date(2024, 2, 14), P.DAY),
    ("短期：尽快", K.UNREAD, None, ""),
    ("2024年3月—6月", K.DATED, dt.date(2024, 6, 30), P.MONTH),
    ("2024年3月至2024年6月", K.DATED, dt.date(2024, 6, 30), P.MONTH),
    ("2024.3-2024.6", K.DATED, dt.date(2024, 6, 30), P.MONTH),
    ("3月～6月", K.DATED, dt.date(2024, 6, 30), P.MONTH),
]


@pytest.mark.parametrize(("text", "kind", "date", "precision"), CASES)
def test_real_phrases(text, kind, date, precision):
    deadline = parse_deadline(text, feedback_date=FEEDBACK)
    assert (deadline.kind, deadline.date, deadline.precision) == (kind, date, precision)
    if isinstance(text, str):
        assert deadline.text == text  # the original text is always kept


dated = st.builds(
    lambda d, p, then: (d, p, then),
    st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31)),
    st.sampled_from([P.DAY, P.MONTH, P.QUARTER, P.YEAR]),
    st.booleans(),
)


def _snap(day: dt.date, precision: str) -> dt.date:
    import calendar

    if precision == P.YEAR:
        return dt.date(day.year, 12, 31)
    if precision == P.QUARTER:
        month = ((day.month - 1) // 3 + 1) * 3
        return dt.date(day.year, month, calendar.monthrange(day.year, month)[1])
    if precision == P.MONTH:
        return dt.date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])
    return day


@given(dated)
def test_a_dated_deadline_round_trips_through_its_text(value):
    day, precision, then_long_term = value
    day = _snap(day, precision)
    kind = K.DATED_LONG_TERM if then_long_term else K.DATED
    text = format_deadline(kind, day, precision)
    parsed = parse_deadline(text, feedback_date=FEEDBACK)
    assert (parsed.kind, parsed.date, parsed.precision) == (kind, day, precision)


@given(st.text(alphabet=st.characters(blacklist_characters="0123456789０１２３４５６７８９"), max_size=30))
def test_text_without_digits_never_yields_a_guessed_date(text):
    deadline = parse_deadline(text, feedback_date=None)
    assert deadline.date is None or deadline.kind == K.IMMEDIATE


@given(st.text(alphabet=st.characters(blacklist_characters="0123456789０１２３４５６７８９"), max_size=30))
def test_without_a_feedback_date_relative_deadlines_stay_unread(text):
    """年底前, 明年一季度, 三个月内 count from the feedback date: without one, nothing is dated."""
    deadline = parse_deadline(text, feedback_date=None)
    assert deadline.date is None


@pytest.mark.django_db
def test_working_days_follow_the_loaded_calendar(tmp_path):
    from django.core.management import call_command

    from taizhang.core.workdays import add_workdays

    calendar = tmp_path / "2024.csv"
    calendar.write_text(
        "# 2024 国庆\n2024-10-01,休,国庆节\n2024-10-02,休\n2024-10-03,休\n2024-10-04,休\n"
        "2024-10-07,休\n2024-09-29,班,调休\n2024-10-12,班,调休\n",
        encoding="utf-8",
    )
    call_command("load_calendar", str(calendar))
    # from Friday 2024-09-27: Sun 9-29 (调休) is a working day, 10-01..10-07 are holidays
    assert add_workdays(dt.date(2024, 9, 27), 1) == dt.date(2024, 9, 29)
    assert add_workdays(dt.date(2024, 9, 27), 2) == dt.date(2024, 9, 30)
    assert add_workdays(dt.date(2024, 9, 27), 3) == dt.date(2024, 10, 8)
    deadline = parse_deadline("3个工作日内", feedback_date=dt.date(2024, 9, 27), add_workdays=add_workdays)
    assert (deadline.kind, deadline.date) == (K.DATED, dt.date(2024, 10, 8))
    assert (
        parse_deadline("3个工作日内", feedback_date=dt.date(2024, 9, 27)).kind == K.UNREAD
    )  # no calendar: not guessed


@pytest.mark.django_db
def test_a_bad_calendar_line_is_named(tmp_path):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    calendar = tmp_path / "bad.csv"
    calendar.write_text("2024-10-01,休\n2024-13-01,休\n", encoding="utf-8")
    with pytest.raises(CommandError, match="line 2"):
        call_command("load_calendar", str(calendar))
