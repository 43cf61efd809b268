"""The review sections of the case page: 递交前复核 before the first submission, and the double
review (self-check, then a supervisor) before delivery."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from expedite import clock
from expedite.accounts.selectors import staff_display_name, user_can
from expedite.cases import selectors as case_selectors
from expedite.cases.panels import panel_url
from expedite.common.access import access
from expedite.common.forms import first_error
from expedite.common.i18n import localized
from expedite.domain.cases import CaseState
from expedite.domain.errors import DomainError, NotAllowed, NotFound
from expedite.domain.roles import Capability

from .forms import ChecklistForm
from .models import SUPERVISOR
from .selectors import (
    case_handlers,
    case_reviews,
    review_checklist,
    round_status,
    submission_checklist,
    submission_passed,
    submission_step,
)
from .services import self_check, supervisor_review
from .submission import SUBMISSION_STATES, submission_check


def review_context(request, case) -> dict:
    """What the case page's review section needs; empty when there is nothing to show."""
    reviews = case_reviews(user=request.user, case=case)
    in_review = case.state == CaseState.REVIEW.value
    if not (in_review or reviews):
        return {"review": None}
    try:
        checklist = review_checklist(case)
    except NotFound:
        checklist = ()
    status = round_status(case, reviews=reviews)
    user = request.user
    rounds: dict[int, list] = {}
    for r in reviews:
        entry = {"review": r, "name": staff_display_name(r.reviewer)}
        rounds.setdefault(r.round, []).append({**entry, "findings": list(r.findings.all())})
    # Who handled the case matters only while the second review is open.
    awaiting = in_review and status.self_check is not None and status.supervisor is None
    is_handler = awaiting and user.pk in status.handler_ids | case_handlers(case)
    return {
        "review": {
            "in_review": in_review,
            "status": status,
            "checklist": list(enumerate(checklist)),
            "rounds": sorted(rounds.items(), reverse=True),
            "self_checker": staff_display_name(status.self_check.reviewer)
            if status.self_check
            else "",
            "can_self_check": in_review
            and status.self_check is None
            and user_can(user, Capability.SELF_CHECK),
            # The handler is not offered the second review; the service refuses it anyway.
            "can_review": awaiting and not is_handler and user_can(user, Capability.REVIEW_RESULT),
            "is_handler": is_handler,
            "awaiting_review": in_review
            and status.self_check is not None
            and status.supervisor is None,
            "ready": in_review and status.supervisor is not None and status.supervisor.passed,
        }
    }


@login_required
@require_POST
def case_review(request, pk: int, stage: str):
    case = access(case_selectors.access_case, user=request.user, pk=pk)
    try:
        form = ChecklistForm(request.POST, checklist=review_checklist(case))
        if not form.is_valid():
            messages.error(request, first_error(form))
            return redirect(panel_url(case.pk, "reviews"))
        results, findings = form.results(), form.findings()
        if stage == SUPERVISOR:
            review = supervisor_review(
                actor=request.user,
                case=case,
                results=results,
                findings=findings,
                now=clock.now(),
            )
            done = (
                _("主管复核通过，可以交付。")
                if review.passed
                else _("主管复核未通过：已记录发现的错误，加急单退回办理中，请经办人更正。")
            )
        else:
            review = self_check(actor=request.user, case=case, results=results, now=clock.now())
            done = (
                _("自查已通过，等待主管复核。")
                if review.passed
                else _("自查已记录：有问题的检查项请更正后重新自查。")
            )
    except DomainError as exc:
        messages.error(request, localized(exc))
    else:
        messages.success(request, done)
    return redirect(panel_url(case.pk, "reviews"))


def submission_context(request, case) -> dict:
    """递交前复核 on the case page: only for services that have a submission checklist, from
    acceptance until the check passed (then one line saying who passed it)."""
    try:
        checklist = submission_checklist(case)
    except NotFound:
        checklist = ()
    if not checklist:
        return {"submission": None}
    passed = submission_passed(case)
    open_ = passed is None and CaseState(case.state) in SUBMISSION_STATES
    if passed is None and not open_:
        return {"submission": None}
    user = request.user
    handler = open_ and user.pk in case_handlers(case)
    step = submission_step(case)
    return {
        "submission": {
            "checklist": list(enumerate(checklist)),
            "passed": passed,
            "passed_by": staff_display_name(passed.reviewer) if passed else "",
            "step": step,
            "failed": list(case.submission_checks.filter(passed=False).order_by("-created_at")[:3]),
            "can_check": open_ and not handler and user_can(user, Capability.REVIEW_RESULT),
            "is_handler": handler,
        }
    }


@login_required
@require_POST
def case_submission_check(request, pk: int):
    case = access(case_selectors.access_case, user=request.user, pk=pk)
    try:
        form = ChecklistForm(request.POST, checklist=submission_checklist(case))
        if not form.is_valid():
            messages.error(request, first_error(form))
            return redirect(panel_url(case.pk, "submission"))
        row = submission_check(
            actor=request.user, case=case, results=form.results(), now=clock.now()
        )
    except NotAllowed as exc:
        raise PermissionDenied(localized(exc)) from exc
    except DomainError as exc:
        messages.error(request, localized(exc))
    else:
        messages.success(
            request,
            _("递交前复核通过，可以递交。")
            if row.passed
            else _("递交前复核未通过：问题已记录，请经办人更正后重新复核。"),
        )
    return redirect(panel_url(case.pk, "submission"))
