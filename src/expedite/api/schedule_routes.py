"""The firm-wide schedule over the API: the latest proposal, re-plan, accept.

Re-planning goes on the job queue as on the page: `POST /schedule` answers 202 with the run at
once, `GET /schedule/runs/{id}` tells how far it is and, once done, which proposal it made.
"""

from typing import Any, Literal

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from expedite import clock
from expedite.accounts.selectors import user_can
from expedite.domain.errors import NotAllowed
from expedite.domain.roles import Capability
from expedite.work import schedule as schedule_services
from expedite.work.models import ScheduleProposal, ScheduleRun
from expedite.work.schedule_input import Clock, read_stamp
from expedite.work.schedule_page import run_context
from expedite.work.schedule_runs import schedule_request
from expedite.workdays.selectors import firm_calendar

from .schemas import ErrorOut

router = Router(tags=["schedule"])


class ReplanIn(Schema):
    solver: Literal["greedy", "cpsat"] = Field(
        "greedy", description="greedy（即时）或 cpsat（约 5 秒）"
    )


def _out(proposal: ScheduleProposal | None) -> dict[str, Any]:
    if proposal is None:
        return {"proposal": None}
    # The same fingerprint as the scheduling input's, read from plain columns.
    stamp = read_stamp(now=clock.now())
    cal = firm_calendar()
    slots = Clock(cal, cal.work_clock(proposal.origin), stamp.clock.slots)
    return {
        "proposal": {
            "id": proposal.pk,
            "status": proposal.status,
            "current": proposal.status == ScheduleProposal.PENDING
            and proposal.fingerprint == stamp.fingerprint,
            "created_at": proposal.created_at.isoformat(),
            "nightly": proposal.nightly,
            "solver": proposal.solver,
            "optimal": proposal.optimal,
            "weighted_tardiness": proposal.weighted_tardiness,
            "baseline_tardiness": proposal.baseline_tardiness,
            "makespan_hours": proposal.makespan,
            "changes": proposal.changes,
            "steps": [
                {
                    "step": int(tid),
                    "user": int(worker) if worker else None,
                    "start": slots.start_at(start).isoformat(),
                    "finish": slots.end_at(end).isoformat(),
                }
                for tid, (start, end, worker) in sorted(
                    proposal.placements.items(), key=lambda kv: (kv[1][0], int(kv[0]))
                )
            ],
            "cases": proposal.summary.get("cases", {}),
        }
    }


@router.get("/schedule", response={200: dict[str, Any], 403: ErrorOut})
def latest(request):
    if not user_can(request.user, Capability.VIEW_CASES):
        raise NotAllowed(_("您的角色无权查看排期。"))
    return _out(schedule_services.latest_proposal())


def _run_out(run: ScheduleRun) -> dict[str, Any]:
    shown = run_context(run)
    return {
        "run": {
            "id": run.pk,
            "status": run.status,
            "solver": run.solver,
            "requested_at": run.requested_at.isoformat(),
            "stage": run.stage,
            "stage_text": str(shown["run_stage"]),
            "progress": run.progress,
            "finished_at": run.finished_at.isoformat() if run.finished_at else None,
            "proposal": run.proposal_id,
            "error": shown["run_error"] or None,
        }
    }


@router.post("/schedule", response={202: dict[str, Any], 403: ErrorOut, 422: ErrorOut})
def replan(request, payload: ReplanIn):
    """Queue a re-plan (managers only); while one is queued or running, that one is returned.
    Poll `GET /schedule/runs/{id}` until its status is `done` (or `failed`, with the reason)."""
    run, _created = schedule_request(actor=request.user, now=clock.now(), solver=payload.solver)
    return Status(202, _run_out(run))


@router.get("/schedule/runs/{run_id}", response={200: dict[str, Any], 403: ErrorOut, 404: ErrorOut})
def run_status(request, run_id: int):
    if not user_can(request.user, Capability.VIEW_CASES):
        raise NotAllowed(_("您的角色无权查看排期。"))
    return _run_out(get_object_or_404(ScheduleRun, pk=run_id))


@router.post(
    "/schedule/{proposal_id}/accept",
    response={200: dict[str, Any], 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
)
def accept(request, proposal_id: int):
    proposal = get_object_or_404(ScheduleProposal, pk=proposal_id)
    return _out(
        schedule_services.schedule_accept(actor=request.user, proposal=proposal, now=clock.now())
    )
