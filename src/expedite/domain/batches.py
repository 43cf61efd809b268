"""A batch (批量申请): one request covering several companies, one case per company.

The seed's example: a client asks at quarter end to deregister three companies at once
(“3家公司同步注销，10天”). Each company is its own case with its own plan; the batch is done
when the last of them is, so its finish is the latest finish of its cases and the company
finishing last is the batch's bottleneck. Dates are on the firm's working-day calendar.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

from .calendar import WorkCalendar
from .errors import ValidationFailed, gettext_noop

MIN_COMPANIES = 2  # one company is an ordinary case
MAX_COMPANIES = 30  # a page the team can still push in step; more is several batches


def check_companies(ids: Sequence[int]) -> tuple[int, ...]:
    """The companies of a batch in the order given: at least MIN_COMPANIES, at most
    MAX_COMPANIES, none twice. Raises ValidationFailed (field `companies`) naming the problem."""
    if len(ids) < MIN_COMPANIES:
        raise ValidationFailed(
            gettext_noop("批量申请至少要选 %(min)d 家公司；只有一家公司请新建普通加急单。"),
            field="companies",
            params={"min": MIN_COMPANIES},
        )
    if len(ids) > MAX_COMPANIES:
        raise ValidationFailed(
            gettext_noop("一个批量申请最多 %(max)d 家公司（现为 %(count)d 家），请分成几批。"),
            field="companies",
            params={"max": MAX_COMPANIES, "count": len(ids)},
        )
    seen: set[int] = set()
    for position, company in enumerate(ids, start=1):
        if company in seen:
            raise ValidationFailed(
                gettext_noop("第 %(n)d 家公司与前面的重复：每家公司在一批里只能有一张加急单。"),
                field="companies",
                params={"n": position},
            )
        seen.add(company)
    return tuple(ids)


@dataclass(frozen=True, slots=True)
class MemberFinish:
    """When one company's case is expected to finish.

    `finish` is None when nothing can be said (its service left the catalog). `counts` is False
    for a case that will not finish at all (cancelled, declined): it neither delays the batch
    nor can be its bottleneck.
    """

    key: Hashable
    finish: dt.datetime | None
    counts: bool = True


@dataclass(frozen=True, slots=True)
class BatchOutlook:
    """The batch as a whole against its deadline.

    - `finish`: the latest finish of the cases that count; None if none has one.
    - `meets_deadline`: None without a finish; whether `finish` falls on or before the deadline.
    - `late_by_workdays`: working days after the deadline day up to the finish day (0 on time),
      counted as the planner counts a late option.
    - `spare_workdays`: working days after the finish day up to the deadline day (0 when late or
      finishing on the deadline day).
    - `bottlenecks`: the keys of the cases finishing at `finish` (usually one; all of them on a
      tie), in the order given.
    - `unknown`: keys of counted cases without a finish; the batch's finish may be later.
    """

    finish: dt.datetime | None
    meets_deadline: bool | None
    late_by_workdays: int
    spare_workdays: int
    bottlenecks: tuple[Hashable, ...]
    unknown: tuple[Hashable, ...]

    @property
    def finish_date(self) -> dt.date | None:
        return self.finish.date() if self.finish is not None else None


def batch_outlook(
    members: Iterable[MemberFinish], *, deadline: dt.date, calendar: WorkCalendar
) -> BatchOutlook:
    """The batch's finish, its bottleneck and whether it meets `deadline` (see BatchOutlook).

    Finishes are compared as instants in the calendar's time zone; the deadline is a whole
    day, met by a finish at any hour of it."""
    counted = [m for m in members if m.counts]
    known = [m for m in counted if m.finish is not None]
    unknown = tuple(m.key for m in counted if m.finish is None)
    if not known:
        return BatchOutlook(None, None, 0, 0, (), unknown)
    last = max(m.finish for m in known)  # type: ignore[type-var]
    finish_day = last.astimezone(calendar.tz).date()
    day = dt.timedelta(days=1)
    meets = finish_day <= deadline
    late = 0 if meets else calendar.workdays_between(deadline + day, finish_day + day)
    spare = calendar.workdays_between(finish_day + day, deadline + day) if meets else 0
    bottlenecks = tuple(m.key for m in known if m.finish == last)
    return BatchOutlook(last, meets, late, spare, bottlenecks, unknown)
