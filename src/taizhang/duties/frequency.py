"""How often a responsibility item falls due, read from the words a list uses (每季度, 每半年至少2次,
每月, 每年至少1次, 年底前, 6月底前): the year's occurrences, each a due date and what it covers.

A phrase with a period (每月, 每季度, 每半年, 每年) gives one occurrence a period, due at the period's
end; "至少N次" says how many times within it (kept on the occurrence, for the person reporting). A
count for the year alone (每年至少N次, 全年N次) spreads N occurrences over equal parts of the year. Any
other phrase is one deadline, read by the engine's deadline parser (年底前, 9月底前, 2027年6月30日).
A list issued mid-year has the occurrences still to fall due: a period that has ended is not asked for.
"""

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from taizhang.core.deadlines import DeadlineKind, parse_deadline

PERIODS = {"月": 12, "季度": 4, "季": 4, "半年": 2, "年": 1, "年度": 1}
_CN = {"一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10, "十二": 12}
_PER_PERIOD = re.compile(
    r"^(?:每|按)(?P<p>月|季度|季|半年|年度|年)(?:度)?(?:(?:至少|不少于)?(?P<n>\d{1,2}|[一两二三四五六七八九十]{1,2})次)?"
)
_PER_YEAR = re.compile(r"^(?:每年|全年|一年|年内)(?:至少|不少于)?(?P<n>\d{1,2}|[一两二三四五六七八九十]{1,2})次")


class FrequencyUnread(ValueError):
    pass


@dataclass(frozen=True)
class Occurrence:
    due: dt.date
    label: str  # the period it covers: 第一季度, 上半年, 3月, 全年
    times: int = 1  # how many times within it (至少N次)


def _count(text: str | None) -> int:
    if not text:
        return 1
    return int(text) if text.isdigit() else _CN.get(text, 0)


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _label(periods: int, index: int) -> str:
    if periods == 12:
        return f"{index + 1}月"
    if periods == 4:
        return f"第{'一二三四'[index]}季度"
    if periods == 2:
        return "上半年" if index == 0 else "下半年"
    if periods == 1:
        return "全年"
    return f"第{index + 1}次"


def occurrences(text: str, year: int, starts_on: dt.date | None = None) -> list[Occurrence]:
    """The year's occurrences of an item asked `text` often, from `starts_on` (the list's issue date)."""
    phrase = re.sub(r"\s+", "", text or "").strip("。；;，,")
    if not phrase:
        raise FrequencyUnread(_("Say how often the item falls due (每季度, 每半年至少2次, 年底前 …)."))
    start = starts_on or dt.date(year, 1, 1)
    found = _PER_YEAR.match(phrase)
    if found and (n := _count(found["n"])) > 0:
        if n > 12:
            raise FrequencyUnread(_("At most twelve occurrences a year: write 每月 for monthly."))
        months = [max(1, round(12 * (k + 1) / n)) for k in range(n)]
        made = [
            Occurrence(_month_end(year, m), _label(n, k) if n in PERIODS.values() else _label(0, k))
            for k, m in enumerate(months)
        ]
    elif found := _PER_PERIOD.match(phrase):
        periods, times = PERIODS[found["p"]], _count(found["n"])
        if times < 1:
            raise FrequencyUnread(_("“%(text)s”: the number of times is not read.") % {"text": text})
        made = [
            Occurrence(_month_end(year, 12 * (k + 1) // periods), _label(periods, k), times) for k in range(periods)
        ]
    else:
        deadline = parse_deadline(phrase, feedback_date=dt.date(year, 1, 1))
        if deadline.kind != DeadlineKind.DATED or deadline.date is None:
            raise FrequencyUnread(
                _("“%(text)s” is neither a frequency (每季度, 每半年至少2次) nor a date (年底前, 6月30日前).")
                % {"text": text}
            )
        if deadline.date.year != year:
            raise FrequencyUnread(
                _("“%(text)s” falls outside the list's year %(year)d.") % {"text": text, "year": year}
            )
        made = [Occurrence(deadline.date, deadline.text)]
    return [o for o in made if o.due >= start]
