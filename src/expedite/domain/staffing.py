"""Who works on a case: proposals for the three roles, workload, and who waits for whom.

Pure functions over plain data. A step of the plan needs its role's person for
`EFFORT_HOURS_PER_STEP_DAY` hours on each working day it spans (a specialist runs two
things at once); steps done by the government or by a supervisor load nobody of the three.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from .errors import ValidationFailed, gettext_noop
from .phrases import Items, Phrase, Term, templates

EFFORT_HOURS_PER_STEP_DAY = 4.0
CASE_ROLES = ("liaison", "process", "risk")
ROLE_LABELS_ZH = {"liaison": "客户对接专员", "process": "流程推进专员", "risk": "风险审核专员"}

templates(
    {
        "staffing.and": gettext_noop("%(first)s；%(then)s"),
        "staffing.skills_match": gettext_noop("技能匹配"),
        "staffing.schedule_adopted": gettext_noop("按采纳的排期调整"),
        "staffing.skills_missing": gettext_noop("缺少技能：%(skills)s"),
        "staffing.load": gettext_noop(
            "窗口内已排 %(load)s 小时，本单需 %(need)s 小时，可用 %(capacity)s 小时"
        ),
        "staffing.absent": gettext_noop("其中 %(days)s 天请假/外出"),
        "staffing.over_capacity": gettext_noop("将超出产能"),
        "staffing.expedite_team": gettext_noop("加急服务小组成员"),
        "staffing.nobody": gettext_noop("没有具备该角色的可用人员，请经理指定。"),
        "staffing.manager_chose": gettext_noop("经理指定"),
    }
)


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    name: str
    roles: frozenset[str]
    skills: frozenset[str]
    capacity_hours: float  # per working day
    expedite_team: bool = False
    absent: frozenset[dt.date] = frozenset()

    def capacity_on(self, day: dt.date) -> float:
        return 0.0 if day in self.absent else self.capacity_hours


@dataclass(frozen=True, slots=True)
class Need:
    """What a case needs from one role: skills, and hours on each working day of its window."""

    role: str
    skills: frozenset[str]
    hours_by_day: Mapping[dt.date, float]

    @property
    def days(self) -> tuple[dt.date, ...]:
        return tuple(sorted(self.hours_by_day))

    @property
    def hours(self) -> float:
        return float(sum(self.hours_by_day.values()))


@dataclass(frozen=True, slots=True)
class Candidate:
    person: Person
    missing_skills: frozenset[str]
    absent_days: int  # days of the window the person is away
    load_hours: float  # already planned in the window
    capacity_hours: float  # available in the window (absences excluded)
    need_hours: float

    @property
    def over_capacity(self) -> bool:
        return self.load_hours + self.need_hours > self.capacity_hours + 1e-9

    @property
    def utilisation(self) -> float:
        if self.capacity_hours <= 0:
            return float("inf")
        return (self.load_hours + self.need_hours) / self.capacity_hours

    def sort_key(self) -> tuple:
        # Someone away for the whole window cannot take the case at all; after skills, fitting
        # the hours in matters more than a day away.
        return (
            self.capacity_hours <= 0,
            len(self.missing_skills),
            self.over_capacity,
            self.absent_days,
            round(self.utilisation, 3),
            not self.person.expedite_team,
            self.person.id,
        )

    def reason(self) -> Phrase:
        """Why this person: skills, hours in the window, days away (parts joined with “；”)."""
        if self.missing_skills:
            skills = Items(tuple(Term(s) for s in sorted(self.missing_skills)))
            parts = [Phrase("staffing.skills_missing", {"skills": skills})]
        else:
            parts = [Phrase("staffing.skills_match")]
        hours = {
            "load": f"{self.load_hours:g}",
            "need": f"{self.need_hours:g}",
            "capacity": f"{self.capacity_hours:g}",
        }
        parts.append(Phrase("staffing.load", hours))
        if self.absent_days:
            parts.append(Phrase("staffing.absent", {"days": self.absent_days}))
        if self.over_capacity:
            parts.append(Phrase("staffing.over_capacity"))
        if self.person.expedite_team:
            parts.append(Phrase("staffing.expedite_team"))
        reason = parts[0]
        for part in parts[1:]:
            reason = Phrase("staffing.and", {"first": reason, "then": part})
        return reason

    def reason_zh(self) -> str:
        return self.reason().zh


def candidates(
    need: Need,
    people: Iterable[Person],
    load: Mapping[tuple[int, dt.date], float],
    *,
    exclude: Iterable[int] = (),
) -> list[Candidate]:
    """Everyone holding the role, best first: present at all, skills, room for the hours, days
    away, then the lighter load."""
    excluded = set(exclude)
    days = need.days
    result = []
    for p in people:
        if need.role not in p.roles or p.id in excluded:
            continue
        result.append(
            Candidate(
                person=p,
                missing_skills=need.skills - p.skills,
                absent_days=sum(1 for d in days if d in p.absent),
                load_hours=float(sum(load.get((p.id, d), 0.0) for d in days)),
                capacity_hours=float(sum(p.capacity_on(d) for d in days)),
                need_hours=need.hours,
            )
        )
    result.sort(key=Candidate.sort_key)
    return result


@dataclass(frozen=True, slots=True)
class TeamProposal:
    chosen: Mapping[str, Candidate | None]
    alternatives: Mapping[str, tuple[Candidate, ...]] = field(default_factory=dict)


def propose_team(
    needs: Mapping[str, Need],
    people: Sequence[Person],
    load: Mapping[tuple[int, dt.date], float],
) -> TeamProposal:
    """One person per role. Risk review is never the process specialist; where people allow,
    the three are different people. Roles nobody holds come back as None."""
    chosen: dict[str, Candidate | None] = {}
    alternatives: dict[str, tuple[Candidate, ...]] = {}
    taken: set[int] = set()
    # The process specialist carries the most hours: choose first, then the reviewer.
    for role in ("process", "risk", "liaison"):
        need = needs.get(role)
        if need is None:
            continue
        ranked = candidates(need, people, load)
        hard = {c.person.id for r, c in chosen.items() if c and _conflicts(role, r)}
        allowed = [c for c in ranked if c.person.id not in hard]
        preferred = [c for c in allowed if c.person.id not in taken] or allowed
        chosen[role] = preferred[0] if preferred else None
        alternatives[role] = tuple(c for c in allowed if c is not chosen[role])[:3]
        if chosen[role]:
            taken.add(chosen[role].person.id)
    return TeamProposal(chosen=chosen, alternatives=alternatives)


def _conflicts(role_a: str, role_b: str) -> bool:
    return {role_a, role_b} == {"process", "risk"}


def check_team(team: Mapping[str, int | None]) -> None:
    """The four-eyes rule on a case's team: the reviewer of risk is not the process specialist."""
    process, risk = team.get("process"), team.get("risk")
    if process is not None and process == risk:
        raise ValidationFailed(
            gettext_noop("风险审核专员不能由本单的流程推进专员兼任（四眼原则）。"), field="risk"
        )


# -- load and waiting -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Demand:
    """One case's hours for one person, by working day, and its place in the queue."""

    case_id: int
    person_id: int
    priority: float  # higher goes first (the triage priority)
    hours_by_day: Mapping[dt.date, float]


@dataclass(frozen=True, slots=True)
class Wait:
    case_id: int
    person_id: int
    workdays: int  # how much later its work for this person ends than planned
    behind: tuple[int, ...]  # the cases served first on the days it wanted


def allocate(
    demands: Iterable[Demand],
    capacity: Mapping[tuple[int, dt.date], float],
    days: Sequence[dt.date],
) -> list[Wait]:
    """Serve each person's demands in queue order from their daily capacity.

    A demand takes what is left on the days it wants and spills into the following working
    days; it waits by the number of working days its last hour moves. `days` must cover the
    horizon (demands spilling past it wait by at least the rest of the horizon).
    """
    index = {d: i for i, d in enumerate(days)}
    left: dict[tuple[int, dt.date], float] = {}
    served: dict[tuple[int, dt.date], list[int]] = {}
    waits = []
    ordered = sorted(demands, key=lambda x: (-x.priority, x.case_id))
    for dm in ordered:
        wanted = sorted(d for d in dm.hours_by_day if d in index)
        if not wanted:
            continue
        cursor = index[wanted[0]]
        last_used = cursor
        carry = 0.0
        for d in wanted:
            carry += dm.hours_by_day[d]
            cursor = max(cursor, index[d])
            while carry > 1e-9 and cursor < len(days):
                key = (dm.person_id, days[cursor])
                free = left.setdefault(key, capacity.get(key, 0.0))
                take = min(free, carry)
                if take > 0:
                    left[key] = free - take
                    carry -= take
                    served.setdefault(key, []).append(dm.case_id)
                    last_used = cursor
                if carry > 1e-9:
                    cursor += 1
        if carry > 1e-9:
            last_used = len(days)
        late = last_used - index[wanted[-1]]
        if late > 0:
            ahead = {
                c for d in wanted for c in served.get((dm.person_id, d), ()) if c != dm.case_id
            }
            waits.append(Wait(dm.case_id, dm.person_id, late, tuple(sorted(ahead))))
    return waits


def step_hours(
    steps: Iterable[tuple[str, Sequence[dt.date]]],
) -> dict[str, dict[dt.date, float]]:
    """Hours per role and working day from (role, working days the step spans) pairs."""
    out: dict[str, dict[dt.date, float]] = {}
    for role, days in steps:
        if role not in CASE_ROLES:
            continue
        bucket = out.setdefault(role, {})
        for d in days:
            bucket[d] = bucket.get(d, 0.0) + EFFORT_HOURS_PER_STEP_DAY
    return out


# The liaison talks to the client and the reviewer checks the case every day it runs, even on
# days with no step of their own.
BASELINE_HOURS_PER_DAY = {"liaison": 1.0, "process": 0.0, "risk": 1.0}


def case_needs(
    steps: Iterable[tuple[str, str, Sequence[dt.date]]],
    window: Sequence[dt.date],
) -> dict[str, Need]:
    """The three roles' needs from a case's steps, as (role, skill, working days) triples.

    The reviewer must know everything the case touches; the others need their steps' skills.
    """
    steps = list(steps)
    hours = step_hours((role, days) for role, _skill, days in steps)
    every_skill = frozenset(skill for _role, skill, _days in steps if skill)
    needs = {}
    for role in CASE_ROLES:
        own = frozenset(s for r, s, _d in steps if r == role and s)
        by_day = dict(hours.get(role, {}))
        for d in window:
            by_day[d] = by_day.get(d, 0.0) + BASELINE_HOURS_PER_DAY[role]
        needs[role] = Need(
            role=role,
            skills=every_skill if role == "risk" else (own or every_skill),
            hours_by_day={d: h for d, h in by_day.items() if h > 0},
        )
    return needs
