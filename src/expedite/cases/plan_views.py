"""The plan panel of a case (Gantt, options, quote) and its printable quote."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from expedite import clock
from expedite.charts.timeline import plan_svg
from expedite.common.access import access
from expedite.common.i18n import localized
from expedite.domain.catalog import Catalog, ServiceType
from expedite.domain.durations import Duration
from expedite.domain.errors import DomainError, NotFound
from expedite.domain.planning import Options, PlanFacts
from expedite.domain.verdict_text import options_summary
from expedite.workdays.selectors import firm_calendar

from . import selectors
from .limits import authority_lines
from .plans import (
    case_options,
    catalog_for,
    definition_for,
    facts_from,
)
from .quote import quote_text
from .words import list_sep, say, term


def _saving(saves, day) -> str:
    days, rest = divmod(saves, day)
    hours = rest / dt.timedelta(hours=1)
    parts = []
    if days:
        parts.append(_("%(n)d 个工作日") % {"n": days})
    if hours >= 0.05:
        parts.append(_("%(h).1f 小时") % {"h": hours})
    return " ".join(parts) or "0"


def duration_words(d: Duration) -> str:
    """“2 个工作日 4 小时” (or an authority's “15 日”, “9 个月”) in the reader's language."""
    return say(d.phrase().as_json())


def expected_bases(service: ServiceType, plans) -> list[str]:
    """What each expected application window a plan is dated from rests on (按往年批次预计…),
    once each: those dates are provisional until the year's notice."""
    out: list[str] = []
    for p in plans:
        for s in p.steps:
            if s.code not in p.expected_windows:
                continue
            day = s.start.date()
            for w in service.step(s.code).windows:
                if w.expected and w.opens <= day <= w.closes and w.basis not in out:
                    out.append(w.basis)
    return out


def facts_from_request(request, service: ServiceType, case=None) -> PlanFacts:
    """The what-if facts ticked on the case page; anything not of this service is ignored.

    Before anything is ticked, a triaged case starts from what its triage established.
    """
    pre = {p for lv in service.levers for p in lv.preconditions}
    flags = {s.when for s in service.steps if s.when}
    missing = {m.code for m in service.materials if m.lead_time}
    unmet = {p.code for p in service.prerequisites}
    get = request.GET
    if case is not None and not get and case.triage:
        staff = case.intake.get("staff") or {}
        fired = [r["code"] for r in case.triage.get("fired_rules", [])]
        rules = {r.code: r for r in catalog_for(case).rules}
        return facts_from(
            preconditions=[p for p in staff.get("preconditions", []) if p in pre],
            flags=[f for f in staff.get("flags", []) if f in flags],
            missing_materials=[
                rules[c].missing_material
                for c in fired
                if c in rules and rules[c].missing_material in missing
            ],
            unmet_prerequisites=[
                rules[c].prerequisite
                for c in fired
                if c in rules and rules[c].prerequisite in unmet
            ],
        )
    return facts_from(
        preconditions=[p for p in get.getlist("pre") if p in pre],
        flags=[f for f in get.getlist("flag") if f in flags],
        missing_materials=[m for m in get.getlist("missing") if m in missing],
        unmet_prerequisites=[u for u in get.getlist("unmet") if u in unmet],
    )


def fact_choices(service: ServiceType, catalog: Catalog, facts: PlanFacts) -> list[dict]:
    """Checkboxes for the facts that can change this service's plan."""
    choices = []
    for code in dict.fromkeys(p for lv in service.levers for p in lv.preconditions):
        choices.append(
            {
                "param": "pre",
                "code": code,
                "name": term(catalog.precondition_name(code)),
                "on": code in facts.preconditions,
            }
        )
    for step in service.steps:
        if step.when:
            name = term(catalog.fact_label(step.when))
            choices.append(
                {"param": "flag", "code": step.when, "name": name, "on": step.when in facts.flags}
            )
    for m in service.materials:
        if m.lead_time:
            name = _("缺%(material)s（%(source)s出具需 %(time)s）") % {
                "material": term(m.name),
                "source": term(m.source or "第三方"),
                "time": duration_words(m.lead_time),
            }
            choices.append(
                {
                    "param": "missing",
                    "code": m.code,
                    "name": name,
                    "on": m.code in facts.missing_materials,
                }
            )
    for p in service.prerequisites:
        choices.append(
            {
                "param": "unmet",
                "code": p.code,
                "name": _("未满足：%(name)s") % {"name": term(p.name)},
                "on": p.code in facts.unmet_prerequisites,
            }
        )
    return choices


def _quote(case, result: Options) -> dict:
    """The quote a liaison sends to the client, in the client's language."""
    language = selectors.client_language(case)
    with translation.override(language):
        service = case.service.display_name(language)
        text = quote_text(
            result, client=case.client.name, service=service, definition=definition_for(case)
        )
    return {"quote": text, "quote_language": language}


def plan_context(request, case) -> dict:
    service = definition_for(case)
    catalog = catalog_for(case)
    facts = facts_from_request(request, service, case)
    try:
        result: Options = case_options(case, facts=facts, now=clock.now())
    except NotFound:
        raise
    except DomainError as exc:
        # The plan cannot be dated (e.g. no application window known yet): say why, keep the
        # facts to change and the authorities' limits.
        return {
            "case": case,
            "plan_error": localized(exc),
            "authorities": authority_lines(service),
            "choices": fact_choices(service, catalog, facts),
            "query": request.GET.urlencode(),
        }
    cal = firm_calendar()
    expedited = None
    if result.recommended is not None and result.recommended.key != "standard":
        expedited = result.recommended
    elif result.fastest.plan.levers and result.fastest.plan.span_us < result.standard.plan.span_us:
        expedited = result.fastest
    rows = [(_("常规流程"), result.standard.plan)]
    if expedited is not None:
        title = _("加急方案") if expedited.key == "recommended" else _("最快方案")
        rows.append((title, expedited.plan))
    day = cal.hours.day_length
    options = [o for o in (result.standard, result.recommended, result.fastest) if o is not None]
    seen, unique = set(), []
    for o in options:
        if o.plan.levers not in seen:
            seen.add(o.plan.levers)
            unique.append(o)
    return {
        "case": case,
        "result": result,
        "summary": say(options_summary(result).as_json()),
        "options": unique,
        "expedited": expedited,
        "option_rows": [
            {"option": o, "choices": [(c, _saving(c.saves, day)) for c in o.choices]}
            for o in unique
        ],
        "gantt": mark_safe(plan_svg(rows, cal, deadline=case.requested_deadline, term=term)),  # noqa: S308 - built with escape()
        "expected_bases": expected_bases(service, [o.plan for o in unique]),
        **_quote(case, result),
        "authorities": authority_lines(service),
        "choices": fact_choices(service, catalog, facts),
        "query": request.GET.urlencode(),
        "unavailable": [
            (term(lever.name), list_sep().join(term(catalog.precondition_name(m)) for m in missing))
            for lever, missing in result.unavailable
        ],
    }


@login_required
def case_plan(request, pk: int):
    case = access(selectors.access_case, user=request.user, pk=pk)
    return render(request, "cases/_plan.html", plan_context(request, case))


@login_required
def case_quote(request, pk: int):
    case = access(selectors.access_case, user=request.user, pk=pk)
    return render(request, "cases/quote.html", plan_context(request, case))
