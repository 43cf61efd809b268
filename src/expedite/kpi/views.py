"""The KPI dashboard, its Excel export, and the case page's section for errors after delivery."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from expedite import clock
from expedite.accounts.selectors import user_can
from expedite.cases import selectors as case_selectors
from expedite.cases.panels import panel_url
from expedite.charts.trends import Series, bars_svg, line_svg
from expedite.common.access import access
from expedite.common.forms import first_error
from expedite.common.i18n import localized
from expedite.domain import kpi
from expedite.domain.calendar import SHANGHAI
from expedite.domain.errors import DomainError, NotAllowed
from expedite.domain.roles import Capability
from expedite.radar.selectors import outreach_figure

from .forms import DeliveryErrorForm
from .models import DeliveryError
from .selectors import KpiFilters, filter_choices, kpi_report, parse_filters
from .services import DELIVERED_STATES, delivery_error_record
from .simulation import SimulationFigures, simulation_figures, simulation_latest


def _filters(request) -> tuple[KpiFilters, str]:
    today = clock.today()
    try:
        return parse_filters(request.GET, today=today), ""
    except DomainError as exc:
        return parse_filters({}, today=today), localized(exc)


# The page lists the newest errors after delivery; the export lists them all.
PAGE_ERRORS = 30


def _report(request, filters: KpiFilters, *, errors_limit: int | None = None):
    try:
        return kpi_report(
            user=request.user, filters=filters, now=clock.now(), errors_limit=errors_limit
        )
    except NotAllowed as exc:
        raise PermissionDenied(localized(exc)) from exc


def _charts(report) -> dict[str, str]:
    months = [m.month for m in report.months]
    rows = report.months

    def rate(pick) -> list[float | None]:
        return [pick(m).value for m in rows]

    charts = {
        "duration": line_svg(
            months=months,
            series=[
                Series(_("实际÷行业参考"), [m.durations.vs_industry for m in rows]),
                Series(_("实际÷常规"), [m.durations.vs_standard for m in rows]),
            ],
            target=kpi.TARGET_INDUSTRY_RATIO,
            target_label=_("宣称：行业用时的"),
            floor=0.0,
        ),
        "on_time": line_svg(
            months=months, series=[Series(_("按期交付率"), rate(lambda m: m.on_time))], floor=0.0
        ),
        "zero_error": line_svg(
            months=months,
            series=[Series(_("零差错率"), rate(lambda m: m.zero_error))],
            target=kpi.TARGET_ZERO_ERROR,
            target_label=_("宣称"),
            floor=0.0,
            ceiling=1.0,
        ),
        "sla": line_svg(
            months=months,
            series=[
                Series(_("材料预审 2 小时"), rate(lambda m: m.prereview_sla)),
                Series(_("异常 1 小时响应"), rate(lambda m: m.incident_sla)),
            ],
            floor=0.0,
            ceiling=1.0,
        ),
        "satisfaction": line_svg(
            months=months,
            series=[Series(_("满意率（平均分≥4）"), rate(lambda m: m.satisfaction.satisfied))],
            target=kpi.TARGET_SATISFACTION,
            target_label=_("宣称"),
            floor=0.0,
            ceiling=1.0,
        ),
        "repeat": line_svg(
            months=months,
            series=[Series(_("复购率（近 12 个月）"), rate(lambda m: m.repeat))],
            target=kpi.TARGET_REPEAT,
            target_label=_("宣称"),
            floor=0.0,
            ceiling=1.0,
        ),
        "services": bars_svg(
            [
                (name, [s.durations.mean_taken, s.mean_standard, s.mean_industry])
                for name, s in report.services
            ],
            [_("加急实际"), _("常规"), _("行业参考")],
        ),
    }
    return {k: mark_safe(v) for k, v in charts.items()}  # noqa: S308 - built with escape()


def _radar_figure(filters: KpiFilters) -> dict:
    """The radar's outreach proposed within the page's months, for its client and service."""
    after = filters.last.replace(day=28) + dt.timedelta(days=4)
    return outreach_figure(
        start=dt.datetime.combine(filters.first, dt.time(), tzinfo=SHANGHAI),
        end=dt.datetime.combine(after.replace(day=1), dt.time(), tzinfo=SHANGHAI),
        client=filters.client,
        service=filters.service,
    )


@login_required
def dashboard_view(request):
    if not user_can(request.user, Capability.VIEW_KPI):
        raise PermissionDenied(_("只有主管、部门经理或总经理可以查看经营指标。"))
    filters, error = _filters(request)
    report = _report(request, filters, errors_limit=PAGE_ERRORS)
    return render(
        request,
        "kpi/dashboard.html",
        {
            "report": report,
            "filters": filters,
            "filter_error": error,
            "choices": filter_choices(),
            "charts": _charts(report),
            "radar": _radar_figure(filters),
            "export_query": urlencode(filters.query()),
            "targets": {
                "industry": kpi.TARGET_INDUSTRY_RATIO,
                "zero_error": kpi.TARGET_ZERO_ERROR,
                "satisfaction": kpi.TARGET_SATISFACTION,
                "repeat": kpi.TARGET_REPEAT,
            },
        },
    )


def _simulation_chart(sim: SimulationFigures) -> str:
    """Promises kept per policy, in percent."""
    rows = [(p.name, [None if p.kept_share is None else p.kept_share * 100]) for p in sim.policies]
    # The policies' English names run to 24 letters; 24 letters fit where 12 Han characters do.
    svg = bars_svg(rows, [_("承诺兑现率（%）")], label_chars=24)
    return mark_safe(svg)  # noqa: S308 - built with escape()


@login_required
def simulation_view(request):
    """The simulation tab: the newest yearly simulation's figures per policy, and its goals."""
    if not user_can(request.user, Capability.VIEW_KPI):
        raise PermissionDenied(_("只有主管、部门经理或总经理可以查看经营指标。"))
    run = simulation_latest()
    sim = simulation_figures(run) if run is not None else None
    return render(
        request,
        "kpi/simulation.html",
        {"sim": sim, "chart": _simulation_chart(sim) if sim is not None else ""},
    )


@login_required
def export_view(request):
    if not user_can(request.user, Capability.VIEW_KPI):
        raise PermissionDenied(_("只有主管、部门经理或总经理可以查看经营指标。"))
    try:
        filters = parse_filters(request.GET, today=clock.today())
    except DomainError as exc:
        return HttpResponse(localized(exc), status=400, content_type="text/plain; charset=utf-8")
    report = _report(request, filters)
    # openpyxl weighs ~37 MB resident: loaded by the process that exports, when it does.
    from .export import workbook_bytes

    response = HttpResponse(
        workbook_bytes(report, choices=filter_choices()),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"kpi-{filters.first:%Y%m}-{filters.last:%Y%m}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def kpi_case_context(request, case) -> dict:
    """The case page's section: errors found after delivery, and the form to record one."""
    delivered = case.state in DELIVERED_STATES or hasattr(case, "kpi_delivery")
    errors = list(DeliveryError.objects.filter(case=case).select_related("recorded_by"))
    return {
        "delivery_errors": errors,
        "can_record_delivery_error": delivered
        and user_can(request.user, Capability.RECORD_DELIVERY_ERROR),
        "show_delivery_errors": delivered or bool(errors),
    }


@login_required
@require_POST
def delivery_error_view(request, pk: int):
    case = access(case_selectors.access_case, user=request.user, pk=pk)
    form = DeliveryErrorForm(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect(panel_url(case.pk, "delivery-errors"))
    try:
        delivery_error_record(
            actor=request.user,
            case=case,
            found_on=form.cleaned_data["found_on"],
            description=form.cleaned_data["description"],
            remedy=form.cleaned_data["remedy"],
            now=clock.now(),
        )
    except NotAllowed as exc:
        raise PermissionDenied(localized(exc)) from exc
    except DomainError as exc:
        messages.error(request, localized(exc))
    else:
        messages.success(request, _("已登记交付后发现的差错，计入该单交付当月的零差错率。"))
    return redirect(panel_url(case.pk, "delivery-errors"))
