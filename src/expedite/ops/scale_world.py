"""What the stories of a scale firm share (`ops/scale.py`): the world, the audit chain written
as rows, and how a case's facts are drawn."""

from __future__ import annotations

import datetime as dt
import hashlib
import heapq
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from expedite.audit.models import AuditEvent, AuditHead
from expedite.audit.services import _normal as audit_normal
from expedite.cases.models import Client, ServiceType
from expedite.cases.triage import TriageInput, run_triage
from expedite.domain.audit import GENESIS_HASH, ActorKind, AuditKind, EventBody, canonical_bytes
from expedite.domain.errors import DomainError
from expedite.domain.roles import Role

MoveClock = Callable[[dt.datetime], None]

REASONS = (
    "新客户合同签约需要，逾期按合同承担违约金。",
    "平台通知下周下架未取得许可的店铺，已收到书面通知。",
    "项目开工节点前须完成，甲方已发函催办。",
    "季度申报截止前财务离职，委托加急代办。",
    "投标要求营业执照已列明相应经营范围。",
    "外方股东变更须在季度末前完成。",
    "新员工入职当月须完成参保。",
    "银行授信审批需要最新登记信息。",
    "客户希望早点办完，没有书面要求。",
)
CONSEQUENCES = ("contract_penalty",) * 3 + ("regulatory_penalty",) * 2 + ("lost_business",) * 4
CONSEQUENCES += ("comfort_only",)


@dataclass
class Chain:
    """Audit events written as rows: appended to the chain in time order, many at a time.

    Each event is hashed as `audit_record` hashes one appended at that instant (same body,
    same payload normalisation). `flush(t)` appends every pending event up to `t`, so the
    services' own appends at `t` come after them and the chain stays in time order.
    """

    pending: list = field(default_factory=list)
    count: int = 0

    def add(self, *, time, kind: AuditKind, case_id, payload: dict, actor=None, client=""):
        if actor is not None:
            who = (ActorKind.STAFF, actor.get_username(), actor.pk)
        elif client:
            who = (ActorKind.CLIENT, client, None)
        else:
            who = (ActorKind.SYSTEM, ActorKind.SYSTEM.value, None)
        self.count += 1
        event = (kind, case_id, audit_normal(payload), who)
        heapq.heappush(self.pending, (time, self.count, event))

    def flush(self, until: dt.datetime | None = None) -> None:
        """Append the pending events up to `until` (all of them without), in one transaction
        the caller holds."""
        if not self.pending or (until is not None and self.pending[0][0] > until):
            return
        head, _created = AuditHead.objects.select_for_update().get_or_create(
            pk=1, defaults={"seq": 0, "hash": GENESIS_HASH}
        )
        seq, prev = head.seq, head.hash
        rows = []
        while self.pending and (until is None or self.pending[0][0] <= until):
            time, _n, (kind, case_id, payload, (actor_kind, label, user_id)) = heapq.heappop(
                self.pending
            )
            seq += 1
            body = EventBody(
                seq=seq,
                time=time.astimezone(dt.UTC),
                actor_kind=actor_kind,
                actor=label,
                kind=kind,
                case_id=case_id,
                payload=payload,
                prev_hash=prev,
            )
            data = canonical_bytes(body)
            digest = hashlib.sha256(data).hexdigest()
            rows.append(
                AuditEvent(
                    seq=seq,
                    time=body.time,
                    actor_kind=actor_kind,
                    actor=label,
                    user_id=user_id,
                    kind=kind,
                    case_id=case_id,
                    payload=payload,
                    prev_hash=prev,
                    hash=digest,
                    canonical=data.decode(),
                )
            )
            prev = digest
        AuditEvent.objects.bulk_create(rows, batch_size=500)
        AuditHead.objects.filter(pk=1).update(seq=seq, hash=prev)


@dataclass
class World:
    """The instant, the calendar, the staff and clients, and the chain the stories share."""

    now: dt.datetime
    rng: random.Random
    move_clock: MoveClock
    cal: object = None
    catalog: object = None  # the catalog in force, read once
    catalog_version: object = None
    contact_of: dict = field(default_factory=dict)  # client pk → primary contact's name
    staff: dict = field(default_factory=dict)  # Role → [User]
    clients: list = field(default_factory=list)
    client_weights: list = field(default_factory=list)
    liaison_of: dict = field(default_factory=dict)  # client pk → User
    skills_of: dict = field(default_factory=dict)  # user pk → set of skills
    given: Counter = field(default_factory=Counter)  # user pk → cases given so far
    services: list = field(default_factory=list)
    facts: dict = field(default_factory=dict)  # code → (facts let through, facts refused)
    chain: Chain = field(default_factory=Chain)
    stopped: Counter = field(default_factory=Counter)

    def one(self, role: Role):
        return self.staff[role][0]

    def later(self, t: dt.datetime, hours: float) -> dt.datetime:
        """`hours` of working time after `t`."""
        return self.cal.add_working_time(t, dt.timedelta(hours=hours))

    def back(self, workdays: int) -> dt.datetime:
        """A working instant `workdays` working days before today (at least one)."""
        today = self.now.astimezone(self.cal.tz).date()
        day = self.cal.add_workdays(today, -max(workdays, 1))
        start = self.cal.work_clock(dt.datetime.combine(day, dt.time(0), tzinfo=self.cal.tz))
        offset = int(self.rng.random() * self.cal.hours.day_us)
        return self.cal.at_work_clock(start + offset, starting=True)

    def pick_team(self, service: ServiceType) -> dict:
        """Whom the manager puts on a case: the least-loaded specialist and reviewer who know
        one of the service's skills (anyone in the role when nobody does)."""
        needed = {s.skill for s in self.catalog.get(service.code).steps if s.skill}
        team = {}
        for role, key in ((Role.PROCESS, "process"), (Role.RISK, "risk")):
            people = self.staff[role]
            fit = [u for u in people if self.skills_of.get(u.pk, set()) & needed] or people
            chosen = min(fit, key=lambda u: (self.given[u.pk], u.pk))
            self.given[chosen.pk] += 1
            team[key] = chosen
        return team


@dataclass(frozen=True)
class Draw:
    """What the client brings: who, which service, why, and the answers to the triage."""

    client: Client
    service: ServiceType
    reason: str
    consequence: str
    written_notice: bool
    preconditions: tuple[str, ...]
    offset: int  # working days from the triage's day to the requested deadline

    def triage_input(self, world: World, at: dt.datetime, *, facts: dict, offset=None):
        day = at.astimezone(world.cal.tz).date()
        return TriageInput(
            deadline=world.cal.add_workdays(day, self.offset if offset is None else offset),
            written_notice=self.written_notice,
            consequence=self.consequence,
            facts=facts,
            preconditions=self.preconditions,
        )


def draw(world: World) -> Draw:
    rng = world.rng
    service = rng.choice(world.services)
    definition = world.catalog.get(service.code)
    arranged = sorted({p for lever in definition.levers for p in lever.preconditions})
    std = service.standard_workdays
    return Draw(
        client=rng.choices(world.clients, weights=world.client_weights)[0],
        service=service,
        reason=rng.choice(REASONS),
        consequence=rng.choice(CONSEQUENCES),
        written_notice=rng.random() < 0.75,
        preconditions=tuple(p for p in arranged if rng.random() < 0.6),
        # From about half the standard time (only the fastest path may make it) to more than
        # enough: expedite, infeasible and not needed in proportion.
        offset=max(1, round(std * rng.uniform(0.45, 1.25))) + 1,
    )


def try_triage(world: World, code: str, facts: dict, at: dt.datetime) -> str:
    """The verdict the rules give these facts at `at`, with time to spare (nothing is
    written)."""
    std = next(s.standard_workdays for s in world.services if s.code == code)
    day = at.astimezone(world.cal.tz).date()
    data = TriageInput(
        deadline=world.cal.add_workdays(day, 2 * std + 5),
        written_notice=True,
        consequence="lost_business",
        facts=facts,
    )
    try:
        result = run_triage(
            service_code=code,
            data=data,
            now=at,
            value_tier="standard",
            catalog=world.catalog,
        )
    except DomainError:
        return "error"
    return result.verdict.value
