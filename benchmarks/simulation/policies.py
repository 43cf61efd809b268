"""Who decides. A policy answers a request (a job, or None when the firm declines it), orders
the work and hears what happens (`handle`). The product's policy (`product.py`) asks the
product for every decision and tells it everything, through its services; the simple
policies below replay the product's intake (the same promises, plans and teams) and make
their own decisions on the order of work (and, for one, on levers):

- `fcfs`: the staff work the cases in the order they came in;
- `edf`: in the order of their promised dates (earliest deadline first);
- `edf_rebalanced`: the same order, and each morning every step not yet started goes to
  whoever in its role is in and has the least work queued (the order of work without the
  product's scheduler, but with a manager's daily re-balancing);
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
    skill: str = ""


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
                    skill=s.skill,
                )
                for s in plan
            ],
            key=key,
            expedited=self.expedited,
            levers=self.expedited and not standard,
            surcharge=0.0 if standard else self.surcharge,
        )


def able(staff, task: Task) -> list[int]:
    """Who may do the step: its role, with its skill when someone in the role holds it (as
    the product's scheduler reads a step's skill)."""
    role = staff.roles[task.person]
    same = [q for q, r in enumerate(staff.roles) if r == role]
    if not task.skill or not staff.skills:
        return same
    return [q for q in same if task.skill in staff.skills[q]] or same


class Replay:
    """A simple policy over the product's intake (`decided`: request number → Intake, absent
    when the product declined)."""

    def __init__(self, name: str, decided: dict[int, Intake], cal, staff):
        self.name, self.decided, self.cal, self.staff = name, decided, cal, staff
        self.away: dict[int, set[int]] = {}

    def _key(self, r: Request, d: Intake) -> tuple:
        if self.name == "fcfs":
            return (r.arrival, r.hour, r.n)
        if self.name == "no_levers":
            return (-d.priority, d.promise, r.n)
        # The promise as it stands: moved by the days the firm waited on the client.
        due = self.cal.add_workdays(d.promise, r.late_days) if r.late_days else d.promise
        return (due, r.arrival, r.n)

    def begin(self, *, days, spells, day_hours) -> None:
        for person, rows in spells.items():
            for first, last, _kind in rows:
                for i in range(first, last + 1):
                    self.away.setdefault(i, set()).add(person)

    def morning(self, i: int, _day: dt.date, active: list[Job]) -> None:
        """`edf_rebalanced`: each morning, in deadline order, every step not yet started goes
        to whoever in its role (with its skill) is in today and has the least work queued."""
        if self.name != "edf_rebalanced":
            return
        roles, away = self.staff.roles, self.away.get(i, set())
        queued = [0.0] * len(roles)
        for job in active:
            for t in job.tasks:
                if t.started is not None and t.finished is None and t.person is not None:
                    queued[t.person] += t.left
        for job in sorted(active, key=lambda j: j.key):
            for t in job.tasks:
                if t.started is not None or t.office or t.person is None:
                    continue
                pool = [q for q in able(self.staff, t) if q not in away]
                if pool:
                    t.person = min(pool, key=lambda q: (queued[q], q))
                    queued[t.person] += t.left

    def intake(self, request: Request, _i: int, _at: float) -> Job | None:
        d = self.decided.get(request.n)
        if d is None:
            return None
        return d.job(request, self._key(request, d), standard=self.name == "no_levers")

    def handle(self, _event) -> None:
        pass

    def cover(self, task: Task, staff, away: set[int], people: list) -> int | None:
        """Someone away: the manager gives the step to whoever in the same role (with its
        skill) has worked least so far today (None: nobody is in, the step waits)."""
        free = [q for q in able(staff, task) if q not in away]
        return min(free, key=lambda q: (people[q].worked, q)) if free else None

    def end(self) -> None:
        pass
