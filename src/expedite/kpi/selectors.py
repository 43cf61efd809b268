"""Reads for the KPI dashboard: the filters, and the plain records the formulas take.

Every figure comes from `expedite.domain.kpi`; this module only chooses the rows (by service,
staff, client and period) and turns them into records, in a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Case as DbCase
from django.db.models import Count, IntegerField, Value, When
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from expedite.accounts.selectors import staff_display_name, user_can
from expedite.cases.models import Case, Client, ServiceType
from expedite.cases.plans import current_catalog
from expedite.domain import kpi
from expedite.domain.cases import CaseState
from expedite.domain.errors import NotAllowed, ValidationFailed, gettext_noop
from expedite.domain.feedback import Scores
from expedite.domain.roles import Capability
from expedite.domain.text import parse_id
from expedite.learning.models import Feedback
from expedite.materials.models import PreReview
from expedite.monitoring.models import Incident
from expedite.reviews.models import ReviewFinding
from expedite.work.models import Assignment
from expedite.workdays.selectors import firm_calendar

from . import rollups
from .models import Delivery, DeliveryError

DEFAULT_MONTHS = 6
MAX_MONTHS = 36
# A purchase is a case the client accepted: from `accepted` on, whatever came after, except a
# case cancelled (the purchase did not happen as bought).
PURCHASED = frozenset(
    s.value
    for s in CaseState
    if s
    not in {
        CaseState.DRAFT,
        CaseState.TRIAGED,
        CaseState.QUOTED,
        CaseState.DECLINED,
        CaseState.CANCELLED,
    }
)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class KpiFilters:
    first: dt.date  # first month of the period (day 1)
    last: dt.date  # last month, included
    service: str = ""
    staff: int | None = None
    client: int | None = None

    @property
    def months(self) -> list[dt.date]:
        return kpi.months_between(self.first, self.last)

    def query(self) -> dict[str, str]:
        """The filters as the page's query string, to link the export to the same figures."""
        q = {"from": f"{self.first:%Y-%m}", "to": f"{self.last:%Y-%m}"}
        for key in ("service", "staff", "client"):
            value = getattr(self, key)
            if value:
                q[key] = str(value)
        return q


def _month(raw: str, *, field_name: str) -> dt.date:
    m = _MONTH.match(raw.strip())
    if not m or not 1 <= int(m.group(2)) <= 12 or not 2000 <= int(m.group(1)) <= 2100:
        raise ValidationFailed(
            gettext_noop("月份“%(value)s”格式不对，应写作 2026-05。"),
            field=field_name,
            params={"value": raw[:20]},
        )
    return dt.date(int(m.group(1)), int(m.group(2)), 1)


def _id(raw: str, *, field_name: str, label: str) -> int | None:
    if not (raw or "").strip():
        return None
    pk = parse_id(raw)
    if pk is None:
        raise ValidationFailed(
            gettext_noop("请从列表中选择%(label)s。"), field=field_name, params={"label": label}
        )
    return pk


def parse_filters(query: Mapping[str, str], *, today: dt.date) -> KpiFilters:
    """Filters from the page's query; the default period is the last six months to this one.
    Unknown services, staff or clients are refused by name, not silently ignored."""
    this_month = kpi.month_of(today)
    last = _month(query["to"], field_name="to") if query.get("to") else this_month
    first = (
        _month(query["from"], field_name="from")
        if query.get("from")
        else kpi.add_months(last, -(DEFAULT_MONTHS - 1))
    )
    if first > last:
        raise ValidationFailed(gettext_noop("起始月份不能晚于结束月份。"), field="from")
    if len(kpi.months_between(first, last)) > MAX_MONTHS:
        raise ValidationFailed(
            gettext_noop("一次最多查看 %(n)s 个月。"), field="from", params={"n": MAX_MONTHS}
        )
    service = (query.get("service") or "").strip()
    if service and not ServiceType.objects.filter(code=service).exists():
        raise ValidationFailed(gettext_noop("请从列表中选择服务事项。"), field="service")
    staff = _id(query.get("staff", ""), field_name="staff", label=gettext_noop("人员"))
    if staff is not None and not get_user_model().objects.filter(pk=staff).exists():
        raise ValidationFailed(gettext_noop("请从列表中选择人员。"), field="staff")
    client = _id(query.get("client", ""), field_name="client", label=gettext_noop("客户"))
    if client is not None and not Client.objects.filter(pk=client).exists():
        raise ValidationFailed(gettext_noop("请从列表中选择客户。"), field="client")
    return KpiFilters(first=first, last=last, service=service, staff=staff, client=client)


def filter_choices() -> dict:
    """What the filter form offers: services, people who worked on cases, and clients."""
    User = get_user_model()
    people = User.objects.filter(
        pk__in=Assignment.objects.filter(user__isnull=False).values("user_id")
    ).order_by("last_name", "first_name", "username")
    return {
        "services": [
            (s.code, s.display_name(get_language()))
            for s in ServiceType.objects.order_by("category", "code")
        ],
        "staff": [(u.pk, staff_display_name(u)) for u in people],
        "clients": list(Client.objects.order_by("name").values_list("pk", "name")),
    }


# -- records ----------------------------------------------------------------------------------


_start = rollups.month_start


def _of_cases(records, f: KpiFilters, *, through: str = "case"):
    """`records` (cases, or rows that belong to a case through the field `through`) of the
    filtered cases; all of them when nothing is filtered (no subquery of every case)."""
    prefix = f"{through}__" if through else ""
    if through:  # a case's records only (an incident of the whole firm has none)
        records = records.filter(**{f"{through}__isnull": False})
    if f.service:
        records = records.filter(**{f"{prefix}service__code": f.service})
    if f.client:
        records = records.filter(**{f"{prefix}client_id": f.client})
    if f.staff:
        mine = Assignment.objects.filter(user_id=f.staff).values("case_id")
        records = records.filter(**{f"{prefix}pk__in": mine})
    return records


def _industry_workdays() -> dict[str, float | None]:
    return {s.code: s.industry_workdays for s in current_catalog().services}


@dataclass(frozen=True)
class Records:
    delivered: list[kpi.DeliveredCase]
    prereviews: list[kpi.SlaRecord]
    incidents: list[kpi.SlaRecord]
    ratings: list[kpi.Rating]
    purchases: list[kpi.Purchase]


def kpi_records(f: KpiFilters) -> Records:
    """The records of the period under the filters (purchases reach back 11 more months for
    the repeat-purchase window)."""
    tz = firm_calendar().tz
    start, end = _start(f.first), _start(kpi.add_months(f.last, 1))
    # Plain column values, not model instances: a case row carries large JSON (its triage,
    # intake and clocks) that decoding for thousands of deliveries cost most of the page.
    period = _of_cases(Delivery.objects.filter(delivered_at__gte=start, delivered_at__lt=end), f)
    # The period's cases as a subquery: a list of thousands of ids costs more to send.
    ids = period.values("case_id")
    deliveries = list(
        period.values_list(
            "case_id",
            "case__client_id",
            "case__service__code",
            "delivered_at",
            "case__requested_deadline",
            "workdays",
            "case__service__standard_workdays",
        )
    )
    after = Counter(
        dict(
            DeliveryError.objects.filter(case_id__in=ids)
            .values("case_id")
            .annotate(n=Count("pk"))
            .values_list("case_id", "n")
        )
    )
    caught = Counter(
        dict(
            ReviewFinding.objects.filter(review__case_id__in=ids)
            .values("review__case_id")
            .annotate(n=Count("pk"))
            .values_list("review__case_id", "n")
        )
    )
    industry = _industry_workdays()
    delivered = [
        kpi.DeliveredCase(
            case_id=case_id,
            client_id=client_id,
            service=service,
            delivered_on=delivered_at.astimezone(tz).date(),
            deadline=deadline,
            workdays=float(workdays),
            standard_workdays=float(standard),
            industry_workdays=industry.get(service),
            errors_after=after[case_id],
            caught_in_review=caught[case_id],
        )
        for case_id, client_id, service, delivered_at, deadline, workdays, standard in deliveries
    ]
    prereviews = [
        kpi.SlaRecord(started_on=started.astimezone(tz).date(), due=due, done=done)
        for started, due, done in _of_cases(
            PreReview.objects.filter(started_at__gte=start, started_at__lt=end), f
        ).values_list("started_at", "due_at", "finished_at")
    ]
    incidents = [
        kpi.SlaRecord(started_on=raised.astimezone(tz).date(), due=due, done=done)
        for raised, due, done in _of_cases(
            Incident.objects.filter(raised_at__gte=start, raised_at__lt=end), f
        ).values_list("raised_at", "response_due", "acknowledged_at")
    ]
    ratings = [
        kpi.Rating(given_on=created.astimezone(tz).date(), average=Scores(*scores).average)
        for created, *scores in _of_cases(
            Feedback.objects.filter(created_at__gte=start, created_at__lt=end), f
        ).values_list("created_at", "timeliness", "communication", "result")
    ]
    return Records(delivered, prereviews, incidents, ratings, _purchases(f, end=end))


def _purchases(f: KpiFilters, *, end: dt.datetime) -> list[kpi.Purchase]:
    """The purchases the period's repeat windows count, dated by their intake month (the
    windows are whole months): counted per client and month by the database, so a year of
    cases comes back as a row per client and month."""
    months = kpi.months_between(kpi.add_months(f.first, -(kpi.REPEAT_WINDOW_MONTHS - 1)), f.last)
    bucket = DbCase(
        *(
            When(created_at__lt=_start(kpi.add_months(m, 1)), then=Value(i))
            for i, m in enumerate(months)
        ),
        output_field=IntegerField(),
    )
    rows = (
        _of_cases(Case.objects.all(), f, through="")
        .filter(state__in=PURCHASED, created_at__gte=_start(months[0]), created_at__lt=end)
        .annotate(month=bucket)
        .values("client_id", "month")
        .annotate(n=Count("pk"))
        .values_list("client_id", "month", "n")
    )
    return [
        kpi.Purchase(client_id=client_id, opened_on=months[month], count=n)
        for client_id, month, n in rows
    ]


def period_errors(f: KpiFilters, *, limit: int | None = None) -> tuple[list[DeliveryError], int]:
    """Errors found after delivery in the cases delivered in the period, newest first (at
    most `limit`), and how many there are."""
    start, end = _start(f.first), _start(kpi.add_months(f.last, 1))
    # Errors are few (most deliveries have none): from them to their cases' deliveries, not
    # from every delivery of the period to its errors.
    flagged = set(DeliveryError.objects.values_list("case_id", flat=True))
    delivered = Delivery.objects.filter(
        case_id__in=flagged, delivered_at__gte=start, delivered_at__lt=end
    )
    cases = list(_of_cases(delivered, f).values_list("case_id", flat=True))
    errors = DeliveryError.objects.filter(case_id__in=cases)
    listed = (
        errors.select_related("case", "case__client", "recorded_by")
        .defer("case__triage", "case__intake", "case__clocks")
        .order_by("-found_on", "-pk")
    )
    if limit is None:
        found = list(listed)
        return found, len(found)
    found = list(listed[:limit])
    return found, len(found) if len(found) < limit else errors.count()


def computed_months(f: KpiFilters, *, now: dt.datetime) -> list[rollups.Month]:
    """Each month's figures and per-service durations, from the records."""
    r = kpi_records(f)
    months = kpi.monthly(
        months=f.months,
        delivered=r.delivered,
        prereviews=r.prereviews,
        incidents=r.incidents,
        ratings=r.ratings,
        purchases=r.purchases,
        now=now,
    )
    delivered: dict[dt.date, list[kpi.DeliveredCase]] = defaultdict(list)
    for c in r.delivered:
        delivered[kpi.month_of(c.delivered_on)].append(c)
    return [(m, kpi.by_service(delivered[m.month])) for m in months]


def firm_months(months: list[dt.date], *, now: dt.datetime) -> list[rollups.Month]:
    """The firm's figures (no filter) of each month: kept months as kept, the others from
    their records, keeping those that can no longer change."""
    catalog = rollups.catalog_key()
    found = rollups.kept(months, catalog=catalog)
    missing = [m for m in months if m not in found]
    if missing:
        span = KpiFilters(first=missing[0], last=missing[-1])
        fresh = {m.month: (m, s) for m, s in computed_months(span, now=now) if m.month in missing}
        final = {m: v for m, v in fresh.items() if rollups.is_final(m, now=now)}
        rollups.keep(final, catalog=catalog, now=now)
        found.update(fresh)
    return [found[m] for m in months]


@dataclass(frozen=True)
class KpiReport:
    filters: KpiFilters
    months: list[kpi.MonthFigures]
    services: list[tuple[str, kpi.ServiceDurations]]  # (name, figures)
    total: kpi.MonthFigures  # the whole period as one (repeat purchase: its last month)
    errors: list[DeliveryError]  # newest first, at most the limit asked for
    errors_total: int = 0


def kpi_report(
    *, user, filters: KpiFilters, now: dt.datetime, errors_limit: int | None = None
) -> KpiReport:
    """The period's figures. Unfiltered, months that are over come from their kept rows
    (rollups.py), so the page reads about one month of records whatever the firm's age; a
    filter (service, person, client) reads that slice's records."""
    if not user_can(user, Capability.VIEW_KPI):
        raise NotAllowed(_("只有主管、部门经理或总经理可以查看经营指标。"))
    if filters.service or filters.staff or filters.client:
        months = computed_months(filters, now=now)
    else:
        months = firm_months(filters.months, now=now)
    figures = [m for m, _services in months]
    names = {s.code: s.display_name(get_language()) for s in ServiceType.objects.all()}
    by_service = kpi.services_combined(services for _m, services in months)
    errors, errors_total = period_errors(filters, limit=errors_limit)
    return KpiReport(
        filters=filters,
        months=figures,
        services=[(names.get(s.service, s.service), s) for s in by_service],
        total=kpi.combined(figures),
        errors=errors,
        errors_total=errors_total,
    )
