"""Reads for the double review: the checklist in force, rounds, handlers, the caught-error KPI."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count
from django.utils.translation import gettext as _

from expedite.accounts.selectors import user_can
from expedite.audit.models import AuditEvent
from expedite.cases.models import Case, CaseDocument
from expedite.cases.plans import definition_for, service_definition
from expedite.cases.selectors import read_once
from expedite.domain.audit import AuditKind
from expedite.domain.calendar import SHANGHAI
from expedite.domain.cases import CaseState
from expedite.domain.delivery import RESULT_KIND
from expedite.domain.errors import NotAllowed, ValidationFailed, gettext_noop
from expedite.domain.roles import Capability
from expedite.work.models import Assignment

from .models import SELF_CHECK, SUPERVISOR, Review, ReviewFinding, SubmissionCheck


def review_checklist(case: Case) -> tuple[str, ...]:
    """The checklist of the catalog version the case was opened under.

    A version stored before checklists existed has none; the current catalog's list for the
    same service stands in, so such a case can still be reviewed and delivered.
    """
    checklist = definition_for(case).checklist
    if not checklist:
        checklist = service_definition(case.service.code).checklist
    return checklist


def current_round(case: Case) -> int:
    """How many times the case has entered `review` (0: never); the latest entry is this round.

    Counted from the audit record of state changes, which every move writes, so a return to
    in_progress by hand starts a new round just as a failed review does.
    """
    return AuditEvent.objects.filter(
        case=case, kind=AuditKind.CASE_STATE_CHANGED, payload__to=CaseState.REVIEW.value
    ).count()


def result_documents(case: Case):
    """The case's result files as they are now, oldest first."""
    return CaseDocument.objects.filter(case=case, kind=RESULT_KIND).order_by("uploaded_at", "pk")


def files_reviewed(case: Case) -> list[dict]:
    """What a review written now covers: each result file, with its bytes' digest."""
    return [
        {"document": d.pk, "sha256": d.sha256, "name": d.name, "uploaded_by": d.uploaded_by_id}
        for d in result_documents(case)
    ]


def _covers(review: Review, doc: CaseDocument) -> bool:
    return any(f.get("document") == doc.pk and f.get("sha256") == doc.sha256 for f in review.files)


def reviewed_result_ids(case: Case, *, docs=None, reviews=None) -> set[int]:
    """Result files the client may see: passed in a supervisor's review by someone other than
    whoever uploaded them (四眼原则), with the bytes that review saw. `docs`, `reviews`: the
    case's result files and its reviews (all of them) already read."""
    docs = list(result_documents(case)) if docs is None else docs
    if reviews is None:
        passes = list(Review.objects.filter(case=case, stage=SUPERVISOR, passed=True))
    else:
        passes = [r for r in reviews if r.stage == SUPERVISOR and r.passed]
    return {
        d.pk
        for d in docs
        if any(_covers(r, d) and r.reviewer_id != d.uploaded_by_id for r in passes)
    }


def result_files_blocker(case: Case, review: Review) -> ValidationFailed | None:
    """Why the result files as they are now are not what `review` passed, or None. A case
    is delivered with at least one result file: the client signs for what it receives."""
    docs = list(result_documents(case))
    if not docs:
        return ValidationFailed(
            gettext_noop(
                "不能交付：还没有结果文件。请先在“结果交付与确认”处上传办理结果，"
                "经另一位主管复核后再交付。"
            ),
            field="state",
        )
    for doc in docs:
        if not _covers(review, doc):
            return ValidationFailed(
                gettext_noop(
                    "不能交付：结果文件“%(name)s”未经复核（在本轮复核之后上传或更换），"
                    "请退回办理中后重新复核。"
                ),
                field="state",
                params={"name": doc.name},
            )
        if doc.uploaded_by_id == review.reviewer_id:
            return ValidationFailed(
                gettext_noop(
                    "不能交付：结果文件“%(name)s”的复核人就是上传人，四眼原则要求由另一位主管复核。"
                ),
                field="state",
                params={"name": doc.name},
            )
    current = {(d.pk, d.sha256) for d in docs}
    for f in review.files:
        if (f.get("document"), f.get("sha256")) not in current:
            return ValidationFailed(
                gettext_noop(
                    "不能交付：复核后结果文件“%(name)s”已被更换或移除，请退回办理中后重新复核。"
                ),
                field="state",
                params={"name": f.get("name", "")},
            )
    return None


def case_handlers(case: Case) -> set[int]:
    """User ids of everyone who handled the case and so may not review it (四眼原则): the
    self-checkers of any round, the case's process specialist (proposed or confirmed), anyone
    who started or finished a step or synced a track of it, and the uploaders of its result
    files."""

    checkers = set(
        Review.objects.filter(case=case, stage=SELF_CHECK).values_list("reviewer_id", flat=True)
    )
    process = Assignment.objects.filter(case=case, role="process", user__isnull=False)
    doers = AuditEvent.objects.filter(
        case=case,
        kind__in=[AuditKind.STEP_STARTED, AuditKind.STEP_FINISHED, AuditKind.TRACK_UPDATED],
        user__isnull=False,
    ).values_list("user_id", flat=True)
    uploaders = result_documents(case).filter(uploaded_by__isnull=False)
    return (
        checkers
        | set(process.values_list("user_id", flat=True))
        | set(doers)
        | set(uploaders.values_list("uploaded_by_id", flat=True))
    )


@dataclass(frozen=True)
class RoundStatus:
    round: int
    self_check: Review | None  # the passed one, if any
    supervisor: Review | None

    @property
    def handler_ids(self) -> set[int]:
        return {self.self_check.reviewer_id} if self.self_check else set()


def round_status(
    case: Case, round_: int | None = None, *, reviews: list[Review] | None = None
) -> RoundStatus:
    """`reviews`: the case's reviews already loaded (any order), not read again."""
    round_ = current_round(case) if round_ is None else round_
    if reviews is None:
        reviews = list(Review.objects.filter(case=case, round=round_))
    reviews = sorted((r for r in reviews if r.round == round_), key=lambda r: (r.created_at, r.pk))
    passed_self = next((r for r in reviews if r.stage == SELF_CHECK and r.passed), None)
    supervisor = next((r for r in reviews if r.stage == SUPERVISOR), None)
    return RoundStatus(round=round_, self_check=passed_self, supervisor=supervisor)


def delivery_blocker(case: Case) -> ValidationFailed | None:
    """What the current round still lacks before the case may be delivered, or None."""
    status = round_status(case)
    params = {"round": status.round}
    if status.self_check is None:
        return ValidationFailed(
            gettext_noop("第 %(round)s 轮复核未完成，不能交付：缺少通过的经办人自查。"),
            field="state",
            params=params,
        )
    review = status.supervisor
    if review is None:
        return ValidationFailed(
            gettext_noop("第 %(round)s 轮复核未完成，不能交付：经办人已自查，缺少主管复核。"),
            field="state",
            params=params,
        )
    if not review.passed:
        return ValidationFailed(
            gettext_noop("第 %(round)s 轮主管复核未通过，不能交付。"), field="state", params=params
        )
    files = result_files_blocker(case, review)
    if files is not None:
        return files
    if review.reviewer_id in status.handler_ids | case_handlers(case):
        return ValidationFailed(
            gettext_noop("不能交付：四眼原则要求复核人不是经办人，本轮复核人也是经办人。"),
            field="state",
        )
    return None


def case_reviews(*, user, case: Case) -> list[Review]:
    """Every review of the case with its findings, latest round first (read once per case
    object: the review and delivery panels share them)."""
    if not user_can(user, Capability.VIEW_CASES):
        raise NotAllowed(_("您没有查看加急单的权限。"))
    return read_once(
        case,
        "reviews",
        lambda: list(
            Review.objects.filter(case=case)
            .select_related("reviewer")
            .prefetch_related("findings")
            .order_by("-round", "created_at", "pk")
        ),
    )


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=SHANGHAI)


def caught_errors(*, user, start: dt.date, end: dt.date) -> dict:
    """Errors caught by review before delivery, per service, reviewed from `start` to `end`
    (dates in the firm's time zone, both included): the zero-error KPI counts these."""
    if not user_can(user, Capability.VIEW_CASES):
        raise NotAllowed(_("您没有查看加急单的权限。"))
    rows = (
        ReviewFinding.objects.filter(
            review__created_at__gte=_day_start(start),
            review__created_at__lt=_day_start(end + dt.timedelta(days=1)),
        )
        .values("review__case__service__code", "review__case__service__name_zh")
        .annotate(count=Count("pk"))
        .order_by("review__case__service__code")
    )
    by_service = [
        {
            "service": r["review__case__service__code"],
            "name": r["review__case__service__name_zh"],
            "count": r["count"],
        }
        for r in rows
    ]
    return {
        "start": start,
        "end": end,
        "total": sum(r["count"] for r in by_service),
        "by_service": by_service,
    }


# -- 递交前复核: before the first submission to an authority ----------------------------------


def submission_checklist(case: Case) -> tuple[str, ...]:
    """The service's submission checklist in the case's catalog version (empty: no gate)."""
    return definition_for(case).submission_checklist


def submission_step(case: Case):
    """The step that first takes the matter to an authority (what the gate holds), or None."""
    return definition_for(case).first_submission()


def submission_passed(case: Case) -> SubmissionCheck | None:
    return SubmissionCheck.objects.filter(case=case, passed=True).order_by("-created_at").first()


def submission_blocker(case: Case, step_code: str) -> ValidationFailed | None:
    """Why the step may not start yet: it is the first submission to an authority and no
    supervisor has passed the submission checklist. None when it may."""
    if not submission_checklist(case):
        return None
    step = submission_step(case)
    if step is None or step.code != step_code or submission_passed(case) is not None:
        return None
    return ValidationFailed(
        gettext_noop(
            "“%(step)s”是第一次向%(track)s递交材料：须先由主管完成递交前复核"
            "（签字盖章齐全、表格与执照一致等），通过后才能开始。"
        ),
        field="step",
        params={"step": step.name, "track": step.track},
    )
