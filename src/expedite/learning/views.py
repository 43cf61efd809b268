"""Pages: the case's 复盘 section, the managers' follow-ups, the optimization handbook."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from expedite import clock
from expedite.accounts.selectors import staff_display_name, user_can
from expedite.cases import selectors as case_selectors
from expedite.cases.panels import panel_url
from expedite.cases.plans import current_catalog
from expedite.cases.words import say, say_value, term
from expedite.charts.trends import planned_actual_svg
from expedite.common.access import access
from expedite.common.forms import first_error
from expedite.common.i18n import localized
from expedite.domain.catalog import LeverKind
from expedite.domain.errors import DomainError, NotAllowed
from expedite.domain.learning import LEVER_KINDS, CatalogChange, ChangeKind, duration_phrase
from expedite.domain.roles import Capability
from expedite.workdays.selectors import firm_calendar

from . import selectors
from .catalog import revision_number
from .forms import (
    CatalogChangeForm,
    FollowUpCloseForm,
    HandbookDecisionForm,
    HandbookEntryForm,
    RetrospectiveForm,
)
from .guards import REASON_TEXT
from .models import Retrospective
from .services import RETRO_STATES, follow_up_resolve, handbook_entry_add, proposal_decide
from .services import retrospective_save as save_retrospective


def retrospective_context(request, case) -> dict:
    """The case page's 复盘 section; nothing before delivery."""
    if case.state not in RETRO_STATES:
        return {"retro": None}
    row = Retrospective.objects.filter(case=case).first()
    feedback = selectors.feedback_for(case)
    reasons = selectors.retrospective_reasons_for(case, feedback=feedback)
    entries = {}
    if row is not None:
        entries = {e.action_index: e for e in row.entries.all()}
    return {
        "retro": {
            "row": row,
            "reasons": [_(REASON_TEXT[r]) for r in reasons],
            "required": bool(reasons),
            "can_write": user_can(request.user, Capability.WRITE_RETROSPECTIVE),
            "can_handbook": user_can(request.user, Capability.EDIT_HANDBOOK),
            "actions": [(i, a, entries.get(i)) for i, a in enumerate(row.actions if row else [])],
            "feedback": feedback,
        }
    }


@login_required
@require_POST
def case_retrospective(request, pk: int):
    case = access(case_selectors.access_case, user=request.user, pk=pk)
    form = RetrospectiveForm(request.POST)
    form.is_valid()  # every field is optional text: the service judges the content
    try:
        save_retrospective(
            actor=request.user,
            case=case,
            went_well=form.cleaned_data["went_well"],
            to_improve=form.cleaned_data["to_improve"],
            actions=form.action_lines(),
            now=clock.now(),
        )
    except DomainError as exc:
        messages.error(request, localized(exc))
    else:
        messages.success(request, _("复盘已保存。"))
    return redirect(panel_url(case.pk, "retrospective"))


@login_required
def follow_up_list(request):
    rows = access(selectors.follow_ups, user=request.user)
    recent = selectors.recent_feedback(user=request.user)
    return render(
        request,
        "learning/follow_ups.html",
        {
            "open": [r for r in rows if r.is_open],
            "done": [(r, staff_display_name(r.resolved_by)) for r in rows if not r.is_open][:30],
            "recent": recent,
            "summary": selectors.satisfaction_summary(recent),
        },
    )


@login_required
@require_POST
def follow_up_close(request, pk: int):
    row = access(selectors.follow_up, user=request.user, pk=pk)
    form = FollowUpCloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect(reverse("follow_up_list"))
    try:
        follow_up_resolve(
            actor=request.user,
            follow_up=row,
            note=form.cleaned_data["note"],
            report_time=form.report_time_text(),
            now=clock.now(),
        )
    except DomainError as exc:
        messages.error(request, localized(exc))
    else:
        messages.success(request, _("跟进事项已处理。"))
    return redirect(reverse("follow_up_list"))


def _service_rows(user):
    entries = selectors.handbook_entries(user=user)
    counts: dict[str, int] = {}
    for code in entries.values_list("service_code", flat=True):
        counts[code] = counts.get(code, 0) + 1
    lang = get_language() or ""
    return [
        (s.code, s.name_en if lang.startswith("en") else s.name_zh, counts.get(s.code, 0))
        for s in current_catalog().services
    ]


@login_required
def handbook(request):
    entries = access(selectors.handbook_entries, user=request.user)
    return render(
        request,
        "learning/handbook.html",
        {
            "services": _service_rows(request.user),
            "pending": [_entry_row(e) for e in entries.filter(status="pending")],
            "entries": [_entry_row(e) for e in entries.exclude(status="pending")[:50]],
            "revisions": [
                (r, [[say_value(cell) for cell in line] for line in r.diff])
                for r in selectors.revisions(user=request.user)[:20]
            ],
            "revision_number": revision_number(),
            "can_decide": user_can(request.user, Capability.DECIDE_CATALOG_CHANGE),
        },
    )


def step_name(service_code: str, step_code: str) -> str:
    """A step as people call it (初审), not the catalog's code; the code if it has gone."""

    try:
        service = current_catalog().get(service_code)
    except KeyError:  # the service has left the catalog
        return step_code
    return term(next((s.name for s in service.steps if s.code == step_code), step_code))


def _entry_row(entry) -> dict:
    return {
        "e": entry,
        "step": step_name(entry.service_code, entry.step_code) if entry.step_code else "",
        "change": describe_change(entry.change),
        "author": staff_display_name(entry.created_by),
        "decider": staff_display_name(entry.decided_by) if entry.decided_by else "",
    }


def _length(value) -> str:
    phrase = duration_phrase(value)
    return say(phrase.as_json()) if phrase else "—"


def describe_change(change: dict) -> str:
    if not change:
        return ""

    c = CatalogChange.from_dict(change)
    if c.kind == ChangeKind.DURATION:
        return _("步骤 %(step)s 时长改为 %(d)s") % {
            "step": step_name(c.service, c.step),
            "d": _length(dict(c.duration)),
        }
    if c.kind == ChangeKind.CHECKLIST:
        return _("复核清单新增：%(item)s") % {"item": c.item}
    lever = dict(c.lever)
    text = _("步骤 %(step)s 新增加急手段：%(name)s") % {
        "step": step_name(c.service, c.step),
        "name": lever.get("name"),
    }
    if lever.get("to"):
        text += f" → {_length(lever['to'])}"
    return text


@login_required
def handbook_service(request, code: str):
    entries = access(selectors.handbook_entries, user=request.user, service_code=code)
    try:
        service = current_catalog().get(code)
    except KeyError:
        raise Http404("no such service") from None
    figures = selectors.planned_vs_actual(code)
    day = firm_calendar().hours.day_length
    steps = [
        (
            s,
            # An authority's calendar time (日, 个月) has no fixed number of working hours.
            None
            if s.duration.is_calendar
            else round(s.duration.to_timedelta(day).total_seconds() / 3600, 1),
            say(s.duration.phrase().as_json()),
        )
        for s in service.steps
    ]
    prefill = _prefill(request, code)
    return render(
        request,
        "learning/handbook_service.html",
        {
            "service": service,
            "service_name": service.name_en
            if (get_language() or "").startswith("en")
            else service.name_zh,
            "steps": steps,
            "figures": figures,
            "chart": planned_actual_svg(figures, term=term),
            "entries": [_entry_row(e) for e in entries],
            "can_edit": user_can(request.user, Capability.EDIT_HANDBOOK),
            "can_decide": user_can(request.user, Capability.DECIDE_CATALOG_CHANGE),
            "lever_kinds": [(k.value, LEVER_KIND_LABELS[k]) for k in LEVER_KINDS],
            "prefill": prefill,
        },
    )


LEVER_KIND_LABELS = {
    LeverKind.COMPRESS: gettext_lazy("压缩时长"),
    LeverKind.REMOTE: gettext_lazy("远程办理"),
    LeverKind.SKIP: gettext_lazy("省去该步骤"),
}


def _prefill(request, code: str) -> dict:
    """A retrospective's action, when the entry is made from the case page."""
    try:
        retro = Retrospective.objects.select_related("case").get(pk=int(request.GET["retro"]))
        index = int(request.GET["action"])
        action = retro.actions[index]
    except (KeyError, ValueError, IndexError, Retrospective.DoesNotExist):
        return {}
    return {"retro": retro.pk, "action": index, "title": action, "case": retro.case}


@login_required
@require_POST
def handbook_entry_create(request, code: str):
    source = HandbookEntryForm(request.POST)
    proposed = CatalogChangeForm(request.POST)
    for form in (source, proposed):
        if not form.is_valid():
            messages.error(request, first_error(form))
            return redirect(reverse("handbook_service", args=[code]) + "#new-entry")
    retro, index = None, None
    if source.cleaned_data["retro"] is not None:
        retro = Retrospective.objects.filter(pk=source.cleaned_data["retro"]).first()
        index = source.cleaned_data["action"]
    try:
        handbook_entry_add(
            actor=request.user,
            service_code=code,
            step_code=source.cleaned_data["step"],
            title=source.cleaned_data["title"],
            body=source.cleaned_data["body"],
            retrospective=retro,
            action_index=index,
            change=proposed.change(code),
            now=clock.now(),
        )
    except NotAllowed as exc:
        raise PermissionDenied(localized(exc)) from exc
    except DomainError as exc:
        messages.error(request, localized(exc))
        return redirect(reverse("handbook_service", args=[code]) + "#new-entry")
    messages.success(request, _("已加入优化手册。"))
    return redirect(reverse("handbook_service", args=[code]) + "#entries")


@login_required
@require_POST
def handbook_decide(request, pk: int):
    entry = access(selectors.handbook_entry, user=request.user, pk=pk)
    form = HandbookDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect(reverse("handbook"))
    accept = form.cleaned_data["decision"] == "accept"
    try:
        proposal_decide(
            actor=request.user,
            entry=entry,
            accept=accept,
            reason=form.cleaned_data["reason"],
            now=clock.now(),
        )
    except DomainError as exc:
        messages.error(request, localized(exc))
    else:
        done = _("已采纳，服务目录已修订，新的计划将按此执行。")
        messages.success(request, done if accept else _("已记录不采纳的理由。"))
    return redirect(form.back(reverse("handbook")))
