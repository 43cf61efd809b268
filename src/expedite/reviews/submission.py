"""递交前复核: before the first submission to an authority, a supervisor who did not prepare
the case goes through the service's submission checklist (signatures, seals, the forms against
the licence). The work app's step guard holds the first filing until one passes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from expedite.accounts.selectors import staff_display_name, user_can
from expedite.audit.services import audit_record
from expedite.cases.lifecycle import STATE_NAMES
from expedite.cases.models import Case
from expedite.domain.audit import AuditKind
from expedite.domain.cases import CaseState
from expedite.domain.errors import NotAllowed, ValidationFailed, gettext_noop
from expedite.domain.phrases import Phrase, Term
from expedite.domain.roles import Capability
from expedite.notify.handoffs import hand_off

from .messages import problems
from .models import SubmissionCheck
from .selectors import case_handlers, submission_checklist, submission_passed, submission_step
from .services import clean_results

# The submission check happens while the case is being worked on, before anything is filed.
SUBMISSION_STATES = frozenset(
    {CaseState.ACCEPTED, CaseState.MATERIALS, CaseState.IN_PROGRESS, CaseState.ON_HOLD}
)


@transaction.atomic
def submission_check(
    *, actor, case: Case, results: Iterable[Mapping], now: dt.datetime
) -> SubmissionCheck:
    """递交前复核: a supervisor who did not prepare the case goes through the service's
    submission checklist; a pass lets the first step at an authority start."""
    if not user_can(actor, Capability.REVIEW_RESULT):
        raise NotAllowed(_("只有主管、部门经理或总经理可以进行递交前复核。"))
    case = Case.objects.select_for_update(no_key=True).select_related("client").get(pk=case.pk)
    checklist = submission_checklist(case)
    if not checklist:
        raise ValidationFailed(gettext_noop("该服务不需要递交前复核。"), field="stage")
    if CaseState(case.state) not in SUBMISSION_STATES:
        raise ValidationFailed(
            gettext_noop("加急单当前为“%(state)s”，不在递交材料之前，不能做递交前复核。"),
            field="stage",
            params={"state": str(STATE_NAMES.get(case.state, case.state))},
        )
    if submission_passed(case) is not None:
        raise ValidationFailed(gettext_noop("递交前复核已经通过，无需重复。"), field="stage")
    if actor.pk in case_handlers(case):
        raise NotAllowed(_("四眼原则：递交前复核须由经办人以外的主管进行。"))
    cleaned = clean_results(checklist, results)
    row = SubmissionCheck.objects.create(
        case=case,
        reviewer=actor,
        results=cleaned,
        passed=all(r["ok"] for r in cleaned),
        created_at=now,
    )
    audit_record(
        kind=AuditKind.REVIEW_SUBMISSION_CHECKED,
        actor=actor,
        case=case,
        payload={
            "passed": row.passed,
            "problems": [{"item": r["item"], "note": r["note"]} for r in row.problems],
        },
    )
    step = submission_step(case)
    doers = get_user_model().objects.filter(
        pk__in=case.assignments.filter(role="process", user__isnull=False).values("user_id")
    )
    names = {"ref": case.reference, "client": case.client.name}
    if row.passed:
        hand_off(
            key=f"submission:passed:{case.pk}:{row.pk}",
            users=doers,
            case=case,
            panel="work",
            subject=Phrase("reviews.submission.passed.subject", names),
            body=Phrase(
                "reviews.submission.passed.body",
                {"who": staff_display_name(actor), "step": Term(step.name) if step else ""},
            ),
            now=now,
            besides={actor.pk},
        )
    else:
        hand_off(
            key=f"submission:failed:{case.pk}:{row.pk}",
            users=doers,
            case=case,
            panel="submission",
            subject=Phrase("reviews.submission.failed.subject", names),
            body=Phrase(
                "reviews.submission.failed.body",
                {"who": staff_display_name(actor), "items": problems(row.problems, notes=True)},
            ),
            now=now,
            besides={actor.pk},
        )
    return row
