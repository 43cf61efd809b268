"""The radar pages: this week's clients to contact, one client's deadlines, the backtest."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from expedite import clock
from expedite.cases.models import Client
from expedite.common.access import access
from expedite.common.i18n import localized
from expedite.domain.calendar import SHANGHAI
from expedite.domain.errors import DomainError

from . import selectors, services
from .history import upcoming_for
from .models import OutreachOutcome
from .words import obligation_text

METHODS = {
    "model": gettext_lazy("需求雷达模型"),
    "expedited_last_12_months": gettext_lazy("基准：过去 12 个月加急过"),
    "deadline_within_30_days": gettext_lazy("基准：30 天内有已知截止日"),
}


def said(reason: dict) -> str:
    """A reason in the reader's language: its template translated, then filled in (an
    obligation's name in that language too)."""
    params = dict(reason.get("params", {}))
    if "name" in params:
        params["name"] = obligation_text(str(params["name"]))
    return _(reason["template"]) % params


def _today() -> dt.date:
    return clock.now().astimezone(SHANGHAI).date()


def _ahead_rows(ahead: list[dict], today: dt.date) -> list[dict]:
    rows = []
    for up in ahead:
        start = dt.date.fromisoformat(up["latest_start"]) if up.get("latest_start") else None
        rows.append({**up, "days_left": (start - today).days if start else None})
    return rows


@login_required
@require_GET
def radar_page(request):
    today = _today()
    until = selectors.call_by(today)
    rows = access(selectors.radar_rows, user=request.user, call_by=until)
    shown = [
        {
            "score": s,
            "reasons": [said(r) for r in s.reasons],
            "ahead": _ahead_rows(s.ahead, today),
        }
        for s in rows
    ]
    return render(
        request,
        "radar/radar_page.html",
        {
            "rows": shown,
            "version": selectors.latest_version(user=request.user),
            "outreach": selectors.recent_outreach(user=request.user),
            "outcomes": [c for c in OutreachOutcome.choices if c[0] != OutreachOutcome.PENDING],
            "figure": selectors.outreach_figure(),
            "quiet": selectors.quiet_clients(user=request.user, call_by=until),
            "worth": selectors.worth_a_call(user=request.user, call_by=until),
        },
    )


@login_required
@require_GET
def radar_client(request, client_id: int):
    score = access(selectors.client_score, user=request.user, client_id=client_id)
    client = get_object_or_404(Client, pk=client_id)
    today = _today()
    upcoming = upcoming_for(client, today=today)
    open_cases = client.cases.exclude(
        state__in=("delivered", "confirmed", "closed", "cancelled", "declined")
    ).select_related("service")
    return render(
        request,
        "radar/radar_client.html",
        {
            "client": client,
            "score": score,
            "reasons": [said(r) for r in score.reasons] if score else [],
            "upcoming": [
                {"up": u, "days_left": (u.latest_start - today).days if u.latest_start else None}
                for u in upcoming
            ],
            "open_cases": open_cases,
        },
    )


def _calibration_points(bins: list[dict], size: int = 200) -> list[dict]:
    """Where each calibration bin sits on a square chart: predicted across, observed up."""
    return [
        {
            "x": round(b["predicted"] * size, 1),
            "y": round(size - b["observed"] * size, 1),
            "r": 2 + min(6, b["count"] ** 0.5 / 6),
            **b,
        }
        for b in bins
    ]


@login_required
@require_GET
def radar_report(request):
    version = access(selectors.latest_version, user=request.user)
    horizons = []
    if version and "horizons" in version.evaluation:
        for h, block in version.evaluation["horizons"].items():
            horizons.append(
                {
                    "days": h,
                    "block": block,
                    "points": _calibration_points(block["methods"]["model"]["calibration"]),
                    "methods": [
                        {"name": METHODS.get(k, k), "key": k, **v}
                        for k, v in block["methods"].items()
                    ],
                }
            )
    return render(request, "radar/radar_report.html", {"version": version, "horizons": horizons})


@login_required
@require_POST
def radar_propose(request, client_id: int):
    access(selectors.latest_version, user=request.user)
    try:
        due = dt.date.fromisoformat(request.POST.get("due", ""))
        outreach = services.radar_propose(
            actor=request.user,
            client_id=client_id,
            code=request.POST.get("code", "")[:64],
            due=due,
            now=clock.now(),
        )
    except ValueError:
        messages.error(request, _("日期格式不正确。"))
    except DomainError as exc:
        messages.error(request, localized(exc))
    else:
        messages.success(
            request,
            _("已为 %(client)s 登记常规办理（%(ref)s），并已通知客户。")
            % {"client": outreach.client.name, "ref": outreach.case.reference},
        )
    return redirect("radar")


@login_required
@require_POST
def radar_outcome(request, outreach_id: int):
    access(selectors.outreach, user=request.user, pk=outreach_id)
    try:
        services.radar_outcome(
            actor=request.user,
            outreach_id=outreach_id,
            outcome=request.POST.get("outcome", ""),
            note=request.POST.get("note", ""),
            now=clock.now(),
        )
    except DomainError as exc:
        messages.error(request, localized(exc))
    else:
        messages.success(request, _("已记录联系结果。"))
    return redirect("radar")
