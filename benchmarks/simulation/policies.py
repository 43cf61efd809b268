"""Who decides. A policy answers a request (a job, or None when the firm declines it), orders
the work and hears what happens (`handle`). The product's policy (`product.py`) asks the
product for every decision and tells it everything, through its services; the simple
policies below replay the product's intake (the same promises, plans and teams) and replace
one decision each:

- `fcfs`: the staff work the cases in the order they came in;
- `edf`: in the order of their promised dates (earliest deadline first);
- `no_levers`: the product's triage priority, but every case runs its standard plan.

When a step's person is away, each gives it to whoever in the same role is least busy that
day, as a manager would by hand.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .world import Job, Request, Task


@dataclass(frozen=True)
class StepPlan:
    code: str
    role: str
    depends_on: tuple[str, ...]
    plan_us: int
    planned_finish: dt.date
    person: int | None


@dataclass(frozen=True)
class Intake:
    """What the product decided for a request, for the simple policies to replay."""

    promise: dt.date
    priority: float
    expedited: bool
    surcharge: float
    steps: tuple[StepPlan, ...]  # the plan the product laid out (its recommended option)
    standard: tuple[StepPlan, ...]  # the standard plan, the same people on it

    def job(self, request: Request, key: tuple, *, standard: bool = False) -> Job:
        plan = self.standard if standard else self.steps
        return Job(
            request=request,
            promise=self.promise,
            tasks=[
                Task(
                    code=s.code,
                    role=s.role,
                    depends_on=s.depends_on,
                    plan_us=s.plan_us,
                    planned_finish=s.planned_finish,
                    person=s.person,
                )
                for s in plan
            ],
            key=key,
            expedited=self.expedited,
            levers=self.expedited and not standard,
            surcharge=0.0 if standard else self.surcharge,
        )


class Replay:
    """A simple policy over the product's intake (`decided`: request number → Intake, absent
    when the product declined)."""

    KEYS = {
        "fcfs": lambda r, d: (r.arrival, r.hour, r.n),
        "edf": lambda r, d: (d.promise, r.arrival, r.n),
        "no_levers": lambda r, d: (-d.priority, d.promise, r.n),
    }

    def __init__(self, name: str, decided: dict[int, Intake]):
        self.name = name
        self.decided = decided

    def begin(self, **_facts) -> None:
        pass

    def morning(self, _i: int, _day: dt.date, _active: list[Job]) -> None:
        pass

    def intake(self, request: Request, _i: int, _at: float) -> Job | None:
        d = self.decided.get(request.n)
        if d is None:
            return None
        key = self.KEYS[self.name](request, d)
        return d.job(request, key, standard=self.name == "no_levers")

    def handle(self, _event) -> None:
        pass

    def cover(self, task: Task, staff, away: set[int], cursor: list[float]) -> int | None:
        """Someone away: the manager gives the step to whoever in the same role is least busy
        today (None: nobody is in)."""
        role = staff.roles[task.person]
        free = [q for q, r in enumerate(staff.roles) if r == role and q not in away]
        return min(free, key=lambda q: (cursor[q], q)) if free else None

    def end(self) -> None:
        pass
