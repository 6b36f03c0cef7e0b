"""Frequency phrases → the year's occurrences with their due dates, for a full year and for a list
issued mid-year; anything else a clear refusal, never a guess."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from taizhang.duties.frequency import FrequencyUnread, occurrences

D = dt.date


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        (
            "每季度",
            [
                (D(2027, 3, 31), "第一季度"),
                (D(2027, 6, 30), "第二季度"),
                (D(2027, 9, 30), "第三季度"),
                (D(2027, 12, 31), "第四季度"),
            ],
        ),
        ("每半年至少2次", [(D(2027, 6, 30), "上半年"), (D(2027, 12, 31), "下半年")]),
        ("每年至少1次", [(D(2027, 12, 31), "全年")]),
        ("年底前", [(D(2027, 12, 31), "年底前")]),
        ("每年至少2次", [(D(2027, 6, 30), "上半年"), (D(2027, 12, 31), "下半年")]),
        ("9月底前", [(D(2027, 9, 30), "9月底前")]),
    ],
)
def test_a_phrase_gives_its_occurrences_for_the_year(phrase, expected):
    assert [(o.due, o.label) for o in occurrences(phrase, 2027)] == expected


def test_monthly_is_twelve_month_ends_february_included():
    due = [o.due for o in occurrences("每月", 2028)]
    assert len(due) == 12 and due[1] == D(2028, 2, 29) and due[-1] == D(2028, 12, 31)


def test_at_least_n_times_within_a_period_is_kept_on_each_occurrence():
    assert [o.times for o in occurrences("每半年至少2次", 2027)] == [2, 2]
    assert [o.times for o in occurrences("每季度", 2027)] == [1, 1, 1, 1]


@pytest.mark.parametrize(
    ("phrase", "first_due", "count"),
    [
        ("每季度", D(2027, 6, 30), 3),
        ("每月", D(2027, 5, 31), 8),
        ("每半年至少2次", D(2027, 6, 30), 2),
        ("年底前", D(2027, 12, 31), 1),
    ],
)
def test_a_list_issued_mid_year_asks_only_for_what_is_still_to_fall_due(phrase, first_due, count):
    found = occurrences(phrase, 2027, starts_on=D(2027, 5, 10))
    assert (found[0].due, len(found)) == (first_due, count)


def test_a_period_already_over_is_not_asked_for():
    assert occurrences("6月底前", 2027, starts_on=D(2027, 7, 1)) == []


@pytest.mark.parametrize("phrase", ["", "经常", "适时开展", "每年至少13次", "长期坚持", "2030年底前"])
def test_what_is_neither_a_frequency_nor_a_date_is_refused_in_chinese(phrase):
    with pytest.raises(FrequencyUnread) as refused:
        occurrences(phrase, 2027)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(refused.value))


@given(st.text(max_size=30), st.integers(2000, 2100), st.integers(1, 365))
def test_any_text_gives_dates_within_the_year_from_the_start_or_a_refusal(text, year, day):
    start = D(year, 1, 1) + dt.timedelta(days=day - 1)
    try:
        found = occurrences(text, year, starts_on=start)
    except FrequencyUnread:
        return
    assert all(start <= o.due <= D(year, 12, 31) for o in found)
    assert [o.due for o in found] == sorted(o.due for o in found)
