import datetime as dt

from ninja import Field, Schema

from expedite import clock
from expedite.cases.clocks import read_clocks
from expedite.portal.links import portal_path
from expedite.workdays.display import deadline_facts
from expedite.workdays.selectors import firm_calendar


class ContactIn(Schema):
    name: str = Field(..., description="联系人姓名")
    phone: str = ""
    email: str = ""
    title: str = ""


class ContactOut(ContactIn):
    id: int
    is_primary: bool


class ClientIn(Schema):
    name: str = Field(..., description="公司名称")
    uscc: str = Field(..., description="统一社会信用代码 (GB 32100-2015)")
    value_tier: str = Field("standard", description="standard | key | strategic")
    contacts: list[ContactIn] = Field(..., description="至少一位联系人；第一位为主要联系人")
    notes: str = ""


class ClientOut(Schema):
    id: int
    name: str
    uscc: str
    value_tier: str
    notes: str
    contacts: list[ContactOut]
    created_at: dt.datetime


class ServiceOut(Schema):
    code: str
    name_zh: str
    name_en: str
    category: str
    standard_workdays: int
    milestones: list[str]


class CaseIn(Schema):
    client_id: int
    service: str = Field(..., description="服务事项代码，见 GET /services")
    requested_deadline: dt.date
    reason: str


class ClockOut(Schema):
    key: str = Field(..., description="firm | client_wait | government")
    state: str = Field(..., description="not_started | running | paused | stopped")
    elapsed_seconds: int = Field(..., description="工作时间（秒），不含暂停与非工作时段")
    due: dt.datetime | None
    breached: bool


class CaseOut(Schema):
    id: int
    reference: str
    client_id: int
    client_name: str
    service: str
    service_name: str
    requested_deadline: dt.date
    reason: str
    state: str
    created_at: dt.datetime
    portal_url: str | None = Field(None, description="客户进度页的当前链接（已撤销或过期时为空）")
    deadline_workdays_left: int = Field(..., description="从今天到截止日（含两端）的工作日数")
    deadline_provisional: bool = Field(..., description="涉及尚未公布放假安排的年份")
    clocks: list[ClockOut]

    # Resolved per row, so a paginated list only does this work for the rows it returns.
    @staticmethod
    def resolve_client_name(obj) -> str:
        return obj.client.name

    @staticmethod
    def resolve_service(obj) -> str:
        return obj.service.code

    @staticmethod
    def resolve_service_name(obj) -> str:
        return obj.service.name_zh

    @staticmethod
    def resolve_portal_url(obj, context) -> str | None:

        path = portal_path(obj)
        return context["request"].build_absolute_uri(path) if path else None

    @staticmethod
    def resolve_deadline_workdays_left(obj, context) -> int:
        return _deadline(obj, context).workdays_left

    @staticmethod
    def resolve_deadline_provisional(obj, context) -> bool:
        return _deadline(obj, context).provisional

    @staticmethod
    def resolve_clocks(obj, context) -> list[dict]:

        return [
            {
                "key": r.key,
                "state": r.state.value,
                "elapsed_seconds": int(r.elapsed.total_seconds()),
                "due": r.due,
                "breached": r.breached,
            }
            for r in read_clocks(obj.clocks, now=clock.now(), firm=_calendar(context))
        ]


def _calendar(context):
    """The firm's calendar, looked up once per request however many rows are serialized."""

    request = context["request"]
    cal = getattr(request, "_expedite_calendar", None)
    if cal is None:
        cal = request._expedite_calendar = firm_calendar()
    return cal


def _deadline(case, context):

    facts = getattr(case, "_deadline_facts", None)
    if facts is None:
        cal = _calendar(context)
        facts = deadline_facts(cal, case.requested_deadline, today=clock.today())
        case._deadline_facts = facts
    return facts


class ErrorItem(Schema):
    field: str | None
    message: str


class ErrorOut(Schema):
    detail: list[ErrorItem]
