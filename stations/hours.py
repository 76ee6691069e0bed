"""Opening hours: a week of intervals per station, written and read as officials write them.

A station's `hours` is a list of 7 days (Monday first), each a list of [opens, closes] in
minutes after midnight. `closes` may be 1440 (midnight at the end of the day); an interval
whose `closes` is not after `opens` runs past midnight into the next day (e.g. 20:00-02:00).
[[0, 1440]] every day is "24 小时". Holiday closures are dated rows (StationClosure) on top.

Kept as one JSON column rather than rows so that the nearest-station search can decide
"open now" for hundreds of candidates from the row it already reads.
"""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

DAY = 1440
WEEKDAYS = [
    gettext_lazy("周一"),
    gettext_lazy("周二"),
    gettext_lazy("周三"),
    gettext_lazy("周四"),
    gettext_lazy("周五"),
    gettext_lazy("周六"),
    gettext_lazy("周日"),
]
ALL_DAY_WORDS = {"24小时", "24h", "全天", "00:00-24:00", "0:00-24:00"}
CLOSED_WORDS = {"", "休息", "闭馆", "不开放", "closed", "-"}
_INTERVAL = re.compile(r"^(\d{1,2})[:：](\d{2})\s*[-–~～至到]\s*(\d{1,2})[:：](\d{2})$")

Hours = list[list[list[int]]]


def always_open() -> Hours:
    return [[[0, DAY]] for _ in range(7)]


def parse_day(text: str) -> list[list[int]]:
    """'08:00-12:00, 14:00-20:00', '24小时' or '休息' as intervals; ValidationError says what is wrong."""
    text = (text or "").strip().replace(" ", "")
    if text.lower() in CLOSED_WORDS:
        return []
    if text.lower() in ALL_DAY_WORDS:
        return [[0, DAY]]
    intervals = []
    for part in re.split(r"[,，;；、]", text):
        match = _INTERVAL.match(part)
        if not match:
            raise ValidationError(
                _("无法识别“%(part)s”：请写成 08:00-20:00，多段用逗号分隔，或写“24小时”“休息”"),
                params={"part": part},
                code="hours",
            )
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 > 23 or m1 > 59 or h2 > 24 or m2 > 59 or (h2 == 24 and m2):
            raise ValidationError(_("时间“%(part)s”超出范围"), params={"part": part}, code="hours")
        opens, closes = h1 * 60 + m1, h2 * 60 + m2
        if opens == closes:
            raise ValidationError(_("时间段“%(part)s”的开始和结束相同"), params={"part": part}, code="hours")
        intervals.append([opens, closes])
    return sorted(intervals)


def format_day(intervals: list[list[int]]) -> str:
    if not intervals:
        return _("休息")
    if intervals == [[0, DAY]]:
        return _("24小时")
    return ", ".join(f"{o // 60:02d}:{o % 60:02d}-{c // 60:02d}:{c % 60:02d}" for o, c in intervals)


def validate(hours) -> None:
    """The stored shape: 7 days of [opens, closes] minute pairs."""
    if not isinstance(hours, list) or len(hours) != 7:
        raise ValidationError(_("开放时间须有周一至周日 7 天"), code="hours")
    for day in hours:
        if not isinstance(day, list):
            raise ValidationError(_("开放时间格式有误"), code="hours")
        for interval in day:
            if (
                not isinstance(interval, list)
                or len(interval) != 2
                or not all(type(x) is int for x in interval)  # (a bool is an int to isinstance)
                or not (0 <= interval[0] < DAY and 0 < interval[1] <= DAY)
                or interval[0] == interval[1]
            ):
                raise ValidationError(_("开放时间格式有误"), code="hours")


def is_open(hours: Hours, at: datetime.datetime) -> bool:
    """Whether the weekly hours cover local time `at` (closures are checked by the caller)."""
    if not hours:
        return False
    day, minute = at.weekday(), at.hour * 60 + at.minute
    for opens, closes in hours[day]:
        if opens < closes and opens <= minute < closes:
            return True
        if closes <= opens and minute >= opens:  # runs past midnight: the evening part
            return True
    # Yesterday's intervals that ran past midnight.
    return any(closes <= opens and minute < closes for opens, closes in hours[day - 1])


def is_all_day(hours: Hours) -> bool:
    return bool(hours) and all(day == [[0, DAY]] for day in hours)
