"""Calendar questions over the API: GET /api/v1/calendar/…"""

from ninja import Router, Schema

from expedite.domain.errors import ValidationFailed, gettext_noop
from expedite.workdays import answers
from expedite.workdays.parsing import parse_count, parse_date
from expedite.workdays.selectors import firm_calendar

from .schemas import ErrorOut

router = Router(tags=["calendar"])
MAX_SPAN_DAYS = 3660


class DayOut(Schema):
    date: str
    workday: bool
    kind: str
    name: str | None
    provisional: bool
    text: str


class WorkdaysOut(Schema):
    start: str
    end: str
    interval: str
    count: int
    workdays: list[str]
    provisional: bool


class AddOut(Schema):
    date: str
    n: int
    result: str
    provisional: bool


@router.get("/workdays", response={200: WorkdaysOut, 422: ErrorOut})
def workdays(request, start: str, end: str):
    """The workdays in [start, end] (both included), at most ten years."""
    a, b = parse_date(start, field="start"), parse_date(end, field="end")
    if b < a:
        raise ValidationFailed(gettext_noop("结束日期不能早于开始日期。"), field="end")
    if (b - a).days > MAX_SPAN_DAYS:
        raise ValidationFailed(gettext_noop("查询区间不能超过十年。"), field="end")
    return answers.workdays_answer(firm_calendar(), a, b)


@router.get("/add", response={200: AddOut, 422: ErrorOut})
def add(request, date: str, n: str):
    """The date n workdays from `date` (0: date itself, or the next workday if it is not one)."""
    return answers.add_answer(firm_calendar(), parse_date(date), parse_count(n))


@router.get("/days/{day}", response={200: DayOut, 422: ErrorOut})
def explain(request, day: str):
    """What kind of day it is: workday, weekend, statutory holiday, make-up workday, closure."""
    return answers.day_answer(firm_calendar(), parse_date(day))
