"""The world of a simulated firm-year: who asks for what and when, and how the work really
goes. Pure Python: the calendar is passed in; the decisions (verdict, promise, plan, team,
order of work) come from a policy (`policies.py`, `product.py`).

Every draw about a request or a step comes from its own seeded generator, keyed by the seed
and the request (and the step's code), so the same request meets the same office delays,
rejections and lateness whichever policy runs it. The parameters are in `Params` and in
docs/simulation.md; none is fitted to the product.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field

FIRM_ROLES = ("liaison", "process", "risk", "supervisor", "manager")
OFFICE_ROLES = ("government", "third_party")


@dataclass(frozen=True)
class Params:
    year: int = 2026
    staff: int = 40
    cases: int = 2000
    urgent: int = 300
    # Among the urgent asks, the share that is 假急: only comfort at stake, nothing in writing.
    false_urgency: float = 0.2
    clients: int = 100
    # Deadlines, in working days after the request, as shares of the standard plan's span:
    # urgent ones before the standard plan can finish, the others after it.
    urgent_offset: tuple[float, float] = (0.5, 0.95)
    routine_offset: tuple[float, float] = (1.0, 1.8)
    # Arrivals: more in the weeks before a month's end and in the busy seasons.
    month_end_weight: float = 1.5
    season_weight: dict = field(default_factory=lambda: {3: 1.3, 4: 1.3, 5: 1.3, 12: 1.2})
    # What a client can arrange that a lever needs (电子签章, a signatory on call …): each
    # of a service's lever preconditions, with this chance.
    arranged: float = 0.6
    # The world pushing back.
    office_sigma: float = 0.30  # an authority's time around the plan (log-normal spread)
    rejection: float = 0.06  # a step at an authority sent back for correction
    rejection_days: tuple[int, int] = (2, 5)
    client_late: float = 0.10  # the client's materials arrive late
    client_late_days: tuple[int, int] = (1, 4)
    effort_hours_per_day: float = 4.0  # staff effort a step needs per working day it spans
    effort_sigma: float = 0.35  # staff effort around that
    sick: float = 0.012  # a person falls ill on a working day
    sick_days: tuple[int, int] = (1, 3)
    leave_spells: int = 2  # planned leave per person and year, spells of five working days
    overtime_cap: float = 2.0  # extra hours a person may work on a step behind its plan


@dataclass(frozen=True)
class Request:
    """What a client asks for, and the truth the firm has to find out."""

    n: int
    arrival: dt.date
    hour: float  # working hours into the arrival day
    service: str
    std: int  # the catalog's standard working days
    deadline: dt.date
    urgent: bool  # the client asks for a date the standard path misses
    false_urgency: bool  # …with nothing but comfort at stake
    consequence: str
    written_notice: bool
    client: int  # index into the firm's clients
    late_days: int  # working days the client's materials arrive late (0: on time)


@dataclass
class Task:
    """One step of the plan a case runs on."""

    code: str
    role: str
    depends_on: tuple[str, ...]
    plan_us: int  # working time the plan allows
    planned_finish: dt.date
    person: int | None = None  # staff index for a firm step
    skill: str = ""
    left: float = 0.0  # hours of effort (firm) or of office time left
    effort: float = 0.0  # hours of effort the step took in all (firm)
    started: float | None = None  # absolute hour on the simulation's axis
    finished: float | None = None  # when the product hears it is done (within the day)
    free_at: float = 0.0  # when its successors may start
    rejected_at: float | None = None  # office hours spent when it sends the file back
    rejection_hours: float = 0.0
    spent: float = 0.0  # office hours run so far
    until: float = 0.0  # absolute hour the step has been worked up to
    announced: bool = False  # its start has been handed to the policy

    @property
    def office(self) -> bool:
        return self.role in OFFICE_ROLES


@dataclass
class Job:
    """An accepted case as the firm works it."""

    request: Request
    promise: dt.date
    tasks: list[Task]
    key: tuple  # the order of work: smaller first
    expedited: bool
    surcharge: float  # the surcharge's share of the base fee
    levers: bool = False  # runs a plan with levers
    caught: bool = False  # the product found the urgency false (假急)
    warned: bool = False  # a warning is open on the case: its steps may take overtime
    waits_until: int = 0  # day index before which the client's materials are not in
    delivered: float | None = None
    ref: object = None  # the product's case, for the product's policy


def draw_requests(params: Params, seed: int, cal, services: list[tuple[str, int]]) -> list:
    """The year's requests, in arrival order. `services`: (code, standard working days)."""
    rng = random.Random(f"{seed}:requests")
    days = cal.workdays_in(dt.date(params.year, 1, 1), dt.date(params.year, 12, 31))
    weights = []
    for d in days:
        w = params.season_weight.get(d.month, 1.0)
        month_end = cal.period_end(d.replace(day=1), months=1)
        if (month_end - d).days < 7:
            w *= params.month_end_weight
        weights.append(w)
    arrivals = sorted(rng.choices(range(len(days)), weights=weights, k=params.cases))
    urgent = set(rng.sample(range(params.cases), params.urgent))
    clients = [1 / (i + 1) ** 0.7 for i in range(params.clients)]
    out = []
    for n, index in enumerate(arrivals):
        r = random.Random(f"{seed}:request:{n}")
        code, std = r.choice(services)
        is_urgent = n in urgent
        fake = is_urgent and r.random() < params.false_urgency
        low, high = params.urgent_offset if is_urgent else params.routine_offset
        # A standard plan of `std` working days counts the day it starts: it finishes
        # std - 1 working days after the request. Urgent deadlines fall before that (the
        # same day at the shortest), the others a day or more after it.
        if is_urgent:
            offset = math.floor((std - 1) * r.uniform(low, high))
        else:
            offset = max(std, math.ceil(std * r.uniform(low, high)))
        if fake:
            # Not every 假急 says so: some claim a business reason, a few bring a letter.
            consequence = "comfort_only" if r.random() < 0.7 else "lost_business"
            written = r.random() < 0.1
        elif is_urgent:
            consequence = r.choice(("contract_penalty", "regulatory_penalty", "lost_business"))
            written = r.random() < 0.85
        else:
            consequence = r.choice(("contract_penalty", "regulatory_penalty", "lost_business"))
            written = r.random() < 0.6
        late = r.randint(*params.client_late_days) if r.random() < params.client_late else 0
        day = days[index]
        out.append(
            Request(
                n=n,
                arrival=day,
                hour=round(r.uniform(0.2, 5.0), 2),
                service=code,
                std=std,
                deadline=cal.add_workdays(day, offset),
                urgent=is_urgent,
                false_urgency=fake,
                consequence=consequence,
                written_notice=written,
                client=r.choices(range(params.clients), weights=clients)[0],
                late_days=late,
            )
        )
    return out


def step_draws(params: Params, seed: int, n: int, task: Task, day_hours: float) -> None:
    """How the step really goes: the hours it needs (effort for the firm's staff, elapsed
    working time at an authority) and whether an authority sends it back."""
    r = random.Random(f"{seed}:step:{n}:{task.code}")
    plan_days = task.plan_us / (day_hours * 3_600_000_000)
    if task.office:
        task.left = plan_days * day_hours * r.lognormvariate(0.0, params.office_sigma)
        if r.random() < params.rejection:
            task.rejected_at = task.left  # known when the office answers
            task.rejection_hours = r.randint(*params.rejection_days) * day_hours
            task.left += task.rejection_hours
    else:
        effort = params.effort_hours_per_day * max(plan_days, 0.25)
        task.left = task.effort = effort * r.lognormvariate(0.0, params.effort_sigma)


def absences(params: Params, seed: int, people: int, days: list[dt.date]) -> dict:
    """Planned leave (within the year) and sickness (until the run ends):
    {person: [(first day index, last day index, kind)]}."""
    out: dict[int, list] = {}
    in_year = sum(1 for d in days if d.year == params.year)
    for p in range(people):
        r = random.Random(f"{seed}:absence:{p}")
        spells = []
        for _ in range(params.leave_spells):
            first = r.randrange(0, in_year - 5)
            spells.append((first, first + 4, "leave"))
        i = 0
        while i < len(days):
            if r.random() < params.sick:
                length = r.randint(*params.sick_days)
                spells.append((i, min(len(days) - 1, i + length - 1), "sick"))
                i += length
            i += 1
        out[p] = sorted(spells)
    return out
