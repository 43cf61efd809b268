"""Re-plan on the job queue: a manager asks, a worker solves (`work.tasks.schedule_replan`),
the workload page shows how far it is.

Solving all open steps takes seconds at a few thousand cases (and CP-SAT its whole limit), too
long for a web request. `schedule_request` records a `ScheduleRun` and enqueues it once the
transaction commits; while one is queued or running, asking again returns that one. The
worker's `schedule_run` claims the run with a conditional update (a second delivery of the
same job does nothing), solves through `schedule_propose` reporting its stage and progress on
the row, and records the proposal or the refusal.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils.translation import gettext as _

from expedite import clock
from expedite.domain.errors import DomainError, ValidationFailed, gettext_noop

from .models import ScheduleRun
from .schedule import SOLVERS, require_planner, schedule_propose

log = logging.getLogger(__name__)

# A run that has shown no sign of life for this long (a worker that died) is given up, so a
# new request is not held behind it forever.
STALE = dt.timedelta(minutes=15)

# Each stage's share of the whole run, per solver: (stage, from, to).
STAGES = {
    "greedy": {"reading": (0.0, 0.1), "simple": (0.1, 0.9), "storing": (0.9, 1.0)},
    "cpsat": {
        "reading": (0.0, 0.05),
        "simple": (0.05, 0.2),
        "search": (0.2, 0.95),
        "storing": (0.95, 1.0),
    },
}


def schedule_request(*, actor, now: dt.datetime, solver: str) -> tuple[ScheduleRun, bool]:
    """Queue a re-plan (managers only). Returns the run and whether it is new: while one is
    queued or running, that one is returned and nothing is queued."""
    require_planner(actor)
    if solver not in SOLVERS:
        raise ValidationFailed(_("未知的排期方法。"), field="solver")
    with transaction.atomic():
        active = ScheduleRun.objects.select_for_update().filter(status__in=ScheduleRun.ACTIVE)
        active.filter(updated_at__lt=now - STALE).update(
            status=ScheduleRun.FAILED,
            finished_at=now,
            error={"template": gettext_noop("后台排期长时间没有响应，已放弃。"), "params": {}},
        )
        current = active.filter(updated_at__gte=now - STALE).first()
        if current is not None:
            return current, False
        run = ScheduleRun.objects.create(
            requested_at=now, requested_by=actor, solver=solver, updated_at=now
        )
        transaction.on_commit(lambda: _enqueue(run.pk))
    return run, True


def _enqueue(pk: int) -> None:
    # The queue's own task module: it imports this one.
    from .tasks import schedule_replan

    try:
        schedule_replan(pk)
    except Exception:
        # The queue being down must not fail the request: the run stays queued and is given up
        # once stale; the page says it is waiting.
        log.exception("could not enqueue schedule_replan %s", pk)


def schedule_run(*, pk: int, now: dt.datetime) -> dict:
    """The worker's step: solve a queued run. Returns whether it ran (a run already claimed,
    finished or given up is left alone) and the proposal it made."""
    claimed = ScheduleRun.objects.filter(pk=pk, status=ScheduleRun.QUEUED).update(
        status=ScheduleRun.RUNNING, started_at=now, updated_at=now, stage="reading"
    )
    if not claimed:
        return {"run": pk, "ran": False}
    run = ScheduleRun.objects.select_related("requested_by").get(pk=pk)
    shares = STAGES[run.solver]

    def progress(stage: str, done: float) -> None:
        lo, hi = shares.get(stage, (0.0, 1.0))
        ScheduleRun.objects.filter(pk=pk).update(
            stage=stage, progress=round(lo + (hi - lo) * done, 3), updated_at=clock.now()
        )

    try:
        proposal = schedule_propose(
            actor=run.requested_by, now=now, solver=run.solver, progress=progress
        )
    except DomainError as exc:
        _finish(pk, ScheduleRun.FAILED, error={"template": exc.template, "params": exc.params})
        return {"run": pk, "ran": True, "proposal": None}
    except Exception:
        _finish(pk, ScheduleRun.FAILED, error={"template": gettext_noop("排期时出错。")})
        raise
    _finish(pk, ScheduleRun.DONE, proposal=proposal)
    return {"run": pk, "ran": True, "proposal": proposal.pk}


def _finish(pk: int, status: str, *, proposal=None, error=None) -> None:
    at = clock.now()
    fields = {"status": status, "finished_at": at, "updated_at": at, "error": error or {}}
    if status == ScheduleRun.DONE:
        fields |= {"stage": "done", "progress": 1.0, "proposal": proposal}
    ScheduleRun.objects.filter(pk=pk).update(**fields)


def latest_run() -> ScheduleRun | None:
    return ScheduleRun.objects.first()
