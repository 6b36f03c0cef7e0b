"""The `Deadline` value and the one parser that reads what offices write in 整改时限.

The original text is always kept. Text the parser cannot read gives kind UNREAD with no date: the
task is flagged for the office to set a date, never guessed.
"""

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from taizhang.core.numerals import chinese_number


class DeadlineKind(models.TextChoices):
    IMMEDIATE = "immediate", _("Immediate (立行立改)")
    DATED = "dated", _("Dated")
    LONG_TERM = "long_term", _("Long-term (长期坚持)")
    PERIODIC = "periodic", _("Periodic")
    DATED_LONG_TERM = "dated_long_term", _("Dated, then long-term")
    UNREAD = "unread", _("Needs a date")


# The kinds a ledger counts as long-term (长期): they complete in phases and are reviewed again.
LASTING_KINDS = (DeadlineKind.LONG_TERM, DeadlineKind.PERIODIC, DeadlineKind.DATED_LONG_TERM)


class Precision(models.TextChoices):
    DAY = "day", _("day")
    MONTH = "month", _("month end")
    QUARTER = "quarter", _("quarter end")
    YEAR = "year", _("year end")


class Period(models.TextChoices):
    MONTHLY = "monthly", _("monthly")
    QUARTERLY = "quarterly", _("quarterly")
    HALF_YEARLY = "half_yearly", _("half-yearly")
    YEARLY = "yearly", _("yearly")


@dataclass(frozen=True)
class Deadline:
    kind: str
    text: str
    date: dt.date | None = None
    precision: str = ""
    period: str = ""

    @property
    def needs_date(self) -> bool:
        return self.kind == DeadlineKind.UNREAD


_FULLWIDTH = str.maketrans("０１２３４５６７８９．／－：", "0123456789./-:")

_LONG_TERM = re.compile(r"^(长期坚持|长期|持续推进|持续|常态化|长期推进|持续整改|常态长效)$")
_IMMEDIATE = re.compile(r"^(立行立改|立即整改|立查立改|即知即改|马上就改)$")
_PERIODIC = {
    "每月": Period.MONTHLY,
    "按月": Period.MONTHLY,
    "每季度": Period.QUARTERLY,
    "每季": Period.QUARTERLY,
    "按季度": Period.QUARTERLY,
    "每半年": Period.HALF_YEARLY,
    "每年": Period.YEARLY,
    "每年度": Period.YEARLY,
}
_SUFFIX = re.compile(r"(之前|以前|前|内|完成|止)+$")
_THEN_LONG_TERM = re.compile(
    r"^(?P<head>.+?)[，,、；;\s]*(并|并且|后|之后)?\s*(长期坚持|持续推进|常态化推进|长期推进)$"
)

_YMD = re.compile(r"^(?:(?P<y>\d{4})\s*[年./-]\s*)?(?P<m>\d{1,2})\s*[月./-]\s*(?P<d>\d{1,2})\s*[日号]?$")
_YM = re.compile(r"^(?:(?P<y>\d{4})\s*[年./-]\s*)?(?P<m>\d{1,2})\s*(?:月份?)?\s*(?:底|末|中旬|份)?$")
_Y_END = re.compile(r"^(?P<y>\d{4})\s*年?\s*(?:年底|底|年末|末|全年|年内)$")
_QUARTER = re.compile(r"^(?:(?P<y>\d{4})\s*年)?\s*第?(?P<q>[一二三四1-4])\s*季度\s*(?:末|底)?$")
_HALF = re.compile(r"^(?:(?P<y>\d{4})\s*年)?\s*(?P<h>上|下)半年\s*(?:末|底)?$")


def _normalise(text: str) -> str:
    text = text.translate(_FULLWIDTH).strip()
    text = re.sub(r"\s+", "", text)
    return text.rstrip("。.，,；;")


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


_WORKDAYS = re.compile(r"^(?P<n>\d{1,3})个?工作日(内|之内|以内)?$")
_MONTHS = re.compile(r"^(?P<n>\d{1,2}|[一二三四五六七八九十]{1,2}|半)个月(内|之内|以内)(完成)?$")
_RELATIVE_YEAR = re.compile(r"(今年|本年度|本年|当年|明年|次年|下一年|下年度)")
_STAGE = re.compile(r"(短期|中期|长期|近期|远期|第[一二三]阶段)[:：]")
_STAGE_SPLIT = re.compile(r"[；;，,\n]+")
_RANGE = re.compile(r"^(?P<a>.+?)(?:—+|–|－|~|～|至|到)(?P<b>.+)$")
_CALENDAR_DAYS = re.compile(r"^(?P<n>\d{1,3})(个)?(日|天)(内|之内|以内)$")


def parse_deadline(
    value, *, feedback_date: dt.date | None = None, immediate_days: int = 30, add_workdays=None
) -> Deadline:
    """Read a deadline cell: text, an Excel date cell (date/datetime), or an Excel serial number.

    "N个工作日内" counts working days from the feedback date with `add_workdays(start, n)` (the
    working-day calendar); without a calendar or a feedback date it is kept unread, never guessed.
    """
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return Deadline(DeadlineKind.DATED, format_date(value), value, Precision.DAY)
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 20000 < value < 80000:  # an Excel serial date that lost its format
            day = dt.date(1899, 12, 30) + dt.timedelta(days=int(value))
            return Deadline(DeadlineKind.DATED, format_date(day), day, Precision.DAY)
        return Deadline(DeadlineKind.UNREAD, str(value))
    original = "" if value is None else str(value).strip()
    text = _normalise(original)
    if not text:
        return Deadline(DeadlineKind.UNREAD, original)
    if feedback_date:  # 今年9月底前, 明年一季度: the year the ledger was fed back, or the next
        text = _RELATIVE_YEAR.sub(
            lambda m: f"{feedback_date.year + (m[1] in ('明年', '次年', '下一年', '下年度'))}年", text
        )
        text = re.sub(r"^(年底|年末|年内)", f"{feedback_date.year}年底", text)
    return _parse_text(original, text, feedback_date, immediate_days, add_workdays)


def _parse_text(original, text, feedback_date, immediate_days, add_workdays) -> Deadline:
    if _IMMEDIATE.match(text):
        base = feedback_date
        due = base + dt.timedelta(days=immediate_days) if base else None
        return Deadline(DeadlineKind.IMMEDIATE, original, due, Precision.DAY if due else "")
    if _LONG_TERM.match(text):
        return Deadline(DeadlineKind.LONG_TERM, original)
    if (m := _WORKDAYS.match(text)) and feedback_date and add_workdays:
        return Deadline(DeadlineKind.DATED, original, add_workdays(feedback_date, int(m["n"])), Precision.DAY)
    if (m := _CALENDAR_DAYS.match(text)) and feedback_date:
        return Deadline(DeadlineKind.DATED, original, feedback_date + dt.timedelta(days=int(m["n"])), Precision.DAY)
    if (m := _MONTHS.match(text)) and feedback_date:
        if m["n"] == "半":
            due = feedback_date + dt.timedelta(days=15)
        else:
            due = _add_months(feedback_date, int(m["n"]) if m["n"].isdigit() else chinese_number(m["n"]))
        return Deadline(DeadlineKind.DATED, original, due, Precision.DAY)
    if text in _PERIODIC:
        return Deadline(DeadlineKind.PERIODIC, original, period=_PERIODIC[text])
    then = _THEN_LONG_TERM.match(text)
    if then and then.group("head"):
        head_text = then.group("head")
        if _IMMEDIATE.match(head_text):  # 立行立改，长期坚持: immediately, then kept up
            if feedback_date:
                due = feedback_date + dt.timedelta(days=immediate_days)
                return Deadline(DeadlineKind.DATED_LONG_TERM, original, due, Precision.DAY)
            return Deadline(DeadlineKind.LONG_TERM, original)
        head = _date_of(head_text, feedback_date)
        if head:
            return Deadline(DeadlineKind.DATED_LONG_TERM, original, head[0], head[1])
    found = _date_of(text, feedback_date) or _range_end(text, feedback_date)
    if found:
        return Deadline(DeadlineKind.DATED, original, found[0], found[1])
    if _STAGE.search(text):
        return _stages(original, text, feedback_date, immediate_days, add_workdays)
    return Deadline(DeadlineKind.UNREAD, original)


def _stages(original, text, feedback_date, immediate_days, add_workdays) -> Deadline:
    """分阶段: 短期：2024年6月底前；中期：2024年底前；长期：长期坚持. The task is due when its last
    dated stage is; a long-term stage keeps it going after that."""
    dated, lasting = [], False
    for part in _STAGE_SPLIT.split(_STAGE.sub("", text)):
        if not part:
            continue
        stage = _parse_text(part, part, feedback_date, immediate_days, add_workdays)
        if stage.kind == DeadlineKind.UNREAD:
            return Deadline(DeadlineKind.UNREAD, original)
        lasting = lasting or stage.kind in (DeadlineKind.LONG_TERM, DeadlineKind.DATED_LONG_TERM)
        if stage.date:
            dated.append((stage.date, stage.precision))
    if not dated:
        return Deadline(DeadlineKind.LONG_TERM if lasting else DeadlineKind.UNREAD, original)
    date, precision = max(dated)
    return Deadline(DeadlineKind.DATED_LONG_TERM if lasting else DeadlineKind.DATED, original, date, precision)


def _range_end(text: str, feedback_date: dt.date | None) -> tuple[dt.date, str] | None:
    """2024年3月—6月, 2024.3-2024.6, 3月至6月: due at the range's end (its year from the start's)."""
    m = _RANGE.match(text)
    if not m:
        m = re.match(r"^(?P<a>\d{4}[.年]\d{1,2}月?)[-](?P<b>(?:\d{4}[.年])?\d{1,2}月?)$", text)
        if not m:
            return None
    start, end = m["a"], m["b"]
    year = re.match(r"^(\d{4})", start)
    if year and not re.match(r"^\d{4}", end):
        end = f"{year[1]}年{end}"
    if not _date_of(start, feedback_date):
        return None
    return _date_of(end, feedback_date)


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _date_of(text: str, feedback_date: dt.date | None) -> tuple[dt.date, str] | None:
    text = _SUFFIX.sub("", text)
    text = text.replace("年年底", "年底").replace("年年末", "年末")
    default_year = feedback_date.year if feedback_date else None
    try:
        if m := _YMD.match(text):
            year = int(m["y"]) if m["y"] else default_year
            return (dt.date(year, int(m["m"]), int(m["d"])), Precision.DAY) if year else None
        if m := _Y_END.match(text):
            return dt.date(int(m["y"]), 12, 31), Precision.YEAR
        if m := _QUARTER.match(text):
            year = int(m["y"]) if m["y"] else default_year
            return (
                (_month_end(year, (int(m["q"]) if m["q"].isdigit() else chinese_number(m["q"])) * 3), Precision.QUARTER)
                if year
                else None
            )
        if m := _HALF.match(text):
            year = int(m["y"]) if m["y"] else default_year
            return (_month_end(year, 6 if m["h"] == "上" else 12), Precision.MONTH) if year else None
        if m := _YM.match(text):
            if not m["y"] and not re.search(r"月", text):
                return None  # a bare number is not a month
            year = int(m["y"]) if m["y"] else default_year
            return (_month_end(year, int(m["m"])), Precision.MONTH) if year else None
    except ValueError:  # 2月30日, 13月: not a date
        return None
    return None


def format_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def format_deadline(kind: str, date: dt.date | None, precision: str = "", period: str = "") -> str:
    """The canonical text for a deadline value, read back by `parse_deadline` to the same value."""
    if kind == DeadlineKind.LONG_TERM:
        return "长期坚持"
    if kind == DeadlineKind.PERIODIC:
        return {v: k for k, v in reversed(list(_PERIODIC.items()))}.get(period, "每季度")
    if kind == DeadlineKind.IMMEDIATE:
        return "立行立改"
    if date is None:
        return ""
    if precision == Precision.YEAR:
        head = f"{date.year}年底前"
    elif precision == Precision.QUARTER:
        head = f"{date.year}年第{(date.month - 1) // 3 + 1}季度末前"
    elif precision == Precision.MONTH:
        head = f"{date.year}年{date.month}月底前"
    else:
        head = format_date(date)
    return f"{head}并长期坚持" if kind == DeadlineKind.DATED_LONG_TERM else head
