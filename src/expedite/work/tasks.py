"""The work app's queued task: a re-plan a manager asked for (`schedule_runs`)."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from expedite import clock

from .schedule_runs import schedule_run


@db_task()
def schedule_replan(run_id: int) -> dict:
    """Solve the queued re-plan; a second delivery of the same run does nothing."""
    return schedule_run(pk=run_id, now=clock.now())
