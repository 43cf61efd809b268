"""REST API under /api/v1: thin endpoints over the services and selectors."""

from django.http import Http404, HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext as _
from ninja import Query, Schema, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import paginate
from ninja.security import HttpBearer, django_auth

from expedite import clock
from expedite.accounts.selectors import api_token_user
from expedite.cases import selectors, services
from expedite.cases.triage import FactsUnanswered
from expedite.common.i18n import localized
from expedite.domain.errors import DomainError, NotAllowed, NotFound, gettext_noop
from expedite.portal.links import with_current_links

from .approval_routes import router as approval_router
from .batch_routes import router as batch_router
from .calendar_routes import router as calendar_router
from .custody_routes import router as custody_router
from .lifecycle_routes import router as lifecycle_router
from .openapi import BoundedLimitOffset, DocumentedAPI, ObjectParser
from .plan_routes import case_router as case_plan_router
from .plan_routes import router as plan_router
from .review_routes import router as review_router
from .schedule_routes import router as schedule_router
from .schemas import CaseIn, CaseOut, ClientIn, ClientOut, ErrorOut, ServiceOut
from .triage_routes import router as triage_router
from .work_routes import router as work_router


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        user = api_token_user(token)
        if user is not None:
            request.user = user
        return user


api = DocumentedAPI(
    title="Expedite 加急服务台 API",
    version="1",
    description="员工令牌认证：`Authorization: Bearer <token>`（在“API 令牌”页面生成）。",
    auth=[TokenAuth(), django_auth],
    urls_namespace="api",
    parser=ObjectParser(),
)
api.add_router("/calendar", calendar_router)
api.add_router("/plans", plan_router)
api.add_router("/cases", case_plan_router)
api.add_router("/cases", lifecycle_router)
api.add_router("/cases", review_router)
api.add_router("/cases", custody_router)
api.add_router("", triage_router)
api.add_router("", work_router)
api.add_router("", approval_router)
api.add_router("", schedule_router)
api.add_router("", batch_router)


def _error(request, status: int, items: list[dict]):
    return api.create_response(request, {"detail": items}, status=status)


@api.exception_handler(NotAllowed)
def _forbidden(request, exc: NotAllowed):
    return _error(request, 403, [{"field": None, "message": localized(exc)}])


@api.exception_handler(NotFound)
def _not_found(request, exc: NotFound):
    return _error(request, 404, [{"field": None, "message": localized(exc)}])


@api.exception_handler(Http404)
def _no_such_object(request, exc: Http404):
    return _error(request, 404, [{"field": None, "message": _("对象不存在或无权访问。")}])


@api.exception_handler(DomainError)
def _invalid(request, exc: DomainError):
    return _error(request, 422, [{"field": exc.field, "message": localized(exc)}])


@api.exception_handler(FactsUnanswered)
def _facts_unanswered(request, exc: FactsUnanswered):
    """A refusal like any other, plus every unanswered question with its fact code."""
    body = {
        "detail": [{"field": exc.field, "message": localized(exc)}],
        "missing_facts": exc.questions,
    }
    return api.create_response(request, body, status=422)


@api.exception_handler(NinjaValidationError)
def _schema_invalid(request, exc: NinjaValidationError):
    items = []
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "payload", "query", "path")]
        field = ".".join(loc) or None
        items.append(
            {
                "field": field,
                "message": _("字段 %(field)s 缺失或格式不正确。") % {"field": field or "-"},
            }
        )
    return _error(request, 422, items)


_HTTP_MESSAGES = {
    400: gettext_noop("请求内容无法解析，请发送 JSON。"),
    403: gettext_noop("请求被拒绝（缺少有效的 CSRF 令牌，或无权访问）。"),
    405: gettext_noop("不支持该请求方法。"),
    429: gettext_noop("请求过于频繁，请稍后再试。"),
}


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    message = _HTTP_MESSAGES.get(exc.status_code)
    text = gettext(message) if message else str(exc)
    return _error(request, exc.status_code, [{"field": None, "message": text}])


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return _error(request, 401, [{"field": None, "message": _("请提供有效的 API 令牌。")}])


class CaseFilter(Schema):
    q: str = ""
    state: str = ""


@api.get("/services", response=list[ServiceOut], tags=["catalog"])
def list_services(request):
    return list(selectors.service_list())


@api.get("/clients", response=list[ClientOut], tags=["clients"])
@paginate(BoundedLimitOffset)
def list_clients(request, q: str = ""):
    return selectors.client_list(user=request.user, query=q).prefetch_related("contacts")


@api.post("/clients", response={201: ClientOut, 422: ErrorOut, 403: ErrorOut}, tags=["clients"])
def create_client(request, payload: ClientIn):
    client = services.client_create(
        actor=request.user,
        name=payload.name,
        uscc=payload.uscc,
        value_tier=payload.value_tier,
        notes=payload.notes,
        contacts=[services.ContactInput(**c.dict()) for c in payload.contacts],
    )
    return Status(201, client)


@api.get("/clients/{client_id}", response={200: ClientOut, 404: ErrorOut}, tags=["clients"])
def get_client(request, client_id: int):
    return selectors.access_client(user=request.user, pk=client_id)


@api.get("/cases", response=list[CaseOut], tags=["cases"])
@paginate(BoundedLimitOffset)
def list_cases(request, filters: Query[CaseFilter]):

    cases = selectors.case_list(user=request.user, query=filters.q, state=filters.state)
    return with_current_links(cases)


@api.post("/cases", response={201: CaseOut, 422: ErrorOut, 403: ErrorOut}, tags=["cases"])
def create_case(request, payload: CaseIn):
    case = services.case_create(
        actor=request.user,
        client_id=payload.client_id,
        service_code=payload.service,
        requested_deadline=payload.requested_deadline,
        reason=payload.reason,
        now=clock.now(),
    )
    return Status(201, case)


@api.get("/cases/{case_id}", response={200: CaseOut, 404: ErrorOut}, tags=["cases"])
def get_case(request, case_id: int):
    return selectors.access_case(user=request.user, pk=case_id)
