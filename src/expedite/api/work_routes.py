"""The people and the progress of a case over the API."""

from typing import Any

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema

from expedite import clock
from expedite.accounts.selectors import staff_display_name
from expedite.cases import selectors
from expedite.cases.words import say
from expedite.work import steps as step_services
from expedite.work import team as team_services
from expedite.work.models import StepRun, Track
from expedite.work.selectors import case_projection, tracks_with_staleness

from .schemas import ErrorOut

router = Router(tags=["work"])


class TeamIn(Schema):
    liaison: int | None = Field(None, description="客户对接专员的用户 ID")
    process: int | None = Field(None, description="流程推进专员的用户 ID")
    risk: int | None = Field(None, description="风险审核专员的用户 ID（不能是流程推进专员）")


class FinishIn(Schema):
    actual_hours: float | None = None
    note: str = ""


class TrackIn(Schema):
    status: str = Field(..., description="waiting / active / blocked / done")
    note: str


def _team(case) -> list[dict[str, Any]]:
    return [
        {
            "role": a.role,
            "user": a.user_id,
            "name": staff_display_name(a.user) if a.user else None,
            "status": a.status,
            "reason": say(a.reason),
        }
        for a in case.assignments.select_related("user").order_by("pk")
    ]


def _progress(case) -> dict[str, Any]:
    now = clock.now()
    p = case_projection(case, now=now)
    return {
        "projected_finish": p.finish.isoformat() if p.finish else None,
        "planned_finish": p.planned_finish.isoformat() if p.planned_finish else None,
        "deadline_end": p.deadline_end.isoformat(),
        "slack_hours": p.slack_hours,
        "at_risk": p.at_risk,
        "late": p.late,
        "steps": [
            {
                "id": v.run.pk,
                "code": v.run.code,
                "name": v.run.name,
                "track": v.run.track.name,
                "state": v.state,
                "planned_start": v.run.planned_start.isoformat(),
                "planned_finish": v.run.planned_finish.isoformat(),
                "projected_start": v.start.isoformat(),
                "projected_finish": v.finish.isoformat(),
                "started_at": v.run.started_at.isoformat() if v.run.started_at else None,
                "finished_at": v.run.finished_at.isoformat() if v.run.finished_at else None,
                "actual_hours": float(v.run.actual_hours)
                if v.run.actual_hours is not None
                else None,
                "critical": v.critical,
            }
            for v in p.steps
        ],
        "tracks": [
            {
                "id": t.pk,
                "name": t.name,
                "status": t.status,
                "note": t.note,
                "updated_at": t.updated_at.isoformat(),
                "stale": stale,
            }
            for t, stale in tracks_with_staleness(case.tracks.all(), now=now)
        ],
    }


@router.get("/cases/{case_id}/team", response={200: list[dict[str, Any]], 404: ErrorOut})
def team(request, case_id: int):
    return _team(selectors.access_case(user=request.user, pk=case_id))


@router.post(
    "/cases/{case_id}/team",
    response={200: list[dict[str, Any]], 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
)
def assign(request, case_id: int, payload: TeamIn):
    case = selectors.access_case(user=request.user, pk=case_id)
    choices = {k: v for k, v in payload.dict().items() if v is not None}
    team_services.team_assign(actor=request.user, case=case, choices=choices)
    return _team(case)


@router.get("/cases/{case_id}/progress", response={200: dict[str, Any], 404: ErrorOut})
def progress(request, case_id: int):
    return _progress(selectors.access_case(user=request.user, pk=case_id))


def _step(request, step_id: int) -> StepRun:
    step = get_object_or_404(StepRun, pk=step_id)
    selectors.access_case(user=request.user, pk=step.case_id)
    return step


@router.post(
    "/steps/{step_id}/start",
    response={200: dict[str, Any], 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
)
def start(request, step_id: int):
    step = step_services.step_start(
        actor=request.user, step=_step(request, step_id), now=clock.now()
    )
    return _progress(step.case)


@router.post(
    "/steps/{step_id}/finish",
    response={200: dict[str, Any], 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
)
def finish(request, step_id: int, payload: FinishIn):
    step = step_services.step_finish(
        actor=request.user,
        step=_step(request, step_id),
        now=clock.now(),
        actual_hours=payload.actual_hours,
        note=payload.note,
    )
    return _progress(step.case)


@router.post(
    "/tracks/{track_id}",
    response={200: dict[str, Any], 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
)
def track(request, track_id: int, payload: TrackIn):
    t = get_object_or_404(Track, pk=track_id)
    case = selectors.access_case(user=request.user, pk=t.case_id)
    step_services.track_update(
        actor=request.user, track=t, status=payload.status, note=payload.note, now=clock.now()
    )
    return _progress(case)
