"""Reads for batches, with the permission check: a batch shows only the cases its reader may
see (`cases.selectors.case_list`), and one with none of them is not found."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from expedite.cases.models import Case, ClientContact
from expedite.cases.plans import definition_for, next_working_start, plan_from_dict
from expedite.cases.selectors import case_list, client_list, read_once
from expedite.domain.batches import BatchOutlook, MemberFinish, batch_outlook
from expedite.domain.calendar import WorkCalendar
from expedite.domain.cases import CaseState
from expedite.domain.errors import NotFound
from expedite.domain.planning import Plan, plan
from expedite.work.models import StepRun
from expedite.work.selectors import case_projection, step_delays
from expedite.workdays.selectors import firm_calendar

from .models import Batch, BatchCase

# Cases that will not finish: they neither delay the batch nor are its bottleneck.
NOT_FINISHING = frozenset({CaseState.CANCELLED, CaseState.DECLINED})


def batch_list(*, user) -> QuerySet[Batch]:
    """The batches with at least one case the user may see, newest first."""
    visible = case_list(user=user)
    return (
        Batch.objects.filter(members__case__in=visible)
        .select_related("service", "requester__client")
        .distinct()
    )


def access_batch(*, user, pk: int) -> Batch:
    visible = case_list(user=user)
    batch = (
        Batch.objects.filter(pk=pk, members__case__in=visible)
        .select_related("service", "requester__client", "created_by")
        .distinct()
        .first()
    )
    if batch is None:
        raise NotFound(_("找不到该批量申请。"))
    return batch


def requester_choices(*, user) -> QuerySet[ClientContact]:
    """Every registered client contact, by company: who may ask for a batch."""
    return (
        ClientContact.objects.filter(client__in=client_list(user=user))
        .select_related("client")
        .order_by("client__name", "pk")
    )


def batch_cases(batch: Batch, *, user) -> list[Case]:
    """The batch's cases the user may see, in the batch's order."""
    return list(
        case_list(user=user).filter(batch_link__batch=batch).order_by("batch_link__position")
    )


def batch_of(case: Case) -> Batch | None:
    """The batch the case belongs to, if any (read once per case object)."""

    def read() -> Batch | None:
        link = BatchCase.objects.select_related("batch__requester").filter(case=case).first()
        return link.batch if link is not None else None

    return read_once(case, "batch", read)


@dataclass(frozen=True, slots=True)
class CasePlan:
    """One company's case in the batch's plan.

    `plan`: the plan the triage chose (what the client is quoted and the work is laid out
    from); before triage, the standard plan from now (`promised` False); None when the service
    left the catalog. `projected_finish`: from actual progress, once the plan is laid out as
    steps. `finish`: the projection where there is one, else the plan's finish."""

    case: Case
    plan: Plan | None
    promised: bool
    projected_finish: dt.datetime | None
    counts: bool

    @property
    def planned_finish(self) -> dt.datetime | None:
        return self.plan.finish if self.plan is not None else None

    @property
    def finish(self) -> dt.datetime | None:
        return self.projected_finish or self.planned_finish


@dataclass(frozen=True, slots=True)
class BatchPlan:
    rows: list[CasePlan]
    outlook: BatchOutlook
    calendar: WorkCalendar

    def is_bottleneck(self, row: CasePlan) -> bool:
        return row.case.pk in self.outlook.bottlenecks

    @property
    def bottleneck_rows(self) -> list[CasePlan]:
        return [r for r in self.rows if self.is_bottleneck(r)]


def _case_plan(case: Case, *, now: dt.datetime, cal: WorkCalendar) -> tuple[Plan | None, bool]:
    option = (case.triage or {}).get("recommended_option")
    if option and option.get("steps"):
        try:
            return plan_from_dict(option), True
        except (KeyError, ValueError, TypeError):
            pass  # a malformed stored plan: plan afresh below
    try:
        service = definition_for(case)
    except NotFound:
        return None, False
    return plan(service, next_working_start(now), cal), False


def batch_plan(batch: Batch, *, cases: list[Case], now: dt.datetime) -> BatchPlan:
    """The batch's plan: each case's plan and expected finish, and the batch's outlook
    against its deadline (domain.batches.batch_outlook)."""
    cal = firm_calendar()
    ids = [c.pk for c in cases]
    runs: dict[int, list[StepRun]] = {pk: [] for pk in ids}
    for run in StepRun.objects.filter(case_id__in=ids).order_by("case_id", "position"):
        runs[run.case_id].append(run)
    laid_out = [pk for pk in ids if runs[pk]]
    delays = step_delays(laid_out) if laid_out else {}
    rows = []
    for case in cases:
        found, promised = _case_plan(case, now=now, cal=cal)
        projected = None
        if runs[case.pk]:
            projected = case_projection(
                case, now=now, cal=cal, runs=runs[case.pk], delays=delays.get(case.pk, {})
            ).finish
        rows.append(
            CasePlan(
                case=case,
                plan=found,
                promised=promised,
                projected_finish=projected,
                counts=case.state not in NOT_FINISHING,
            )
        )
    outlook = batch_outlook(
        [MemberFinish(r.case.pk, r.finish, counts=r.counts) for r in rows],
        deadline=batch.requested_deadline,
        calendar=cal,
    )
    return BatchPlan(rows=rows, outlook=outlook, calendar=cal)
