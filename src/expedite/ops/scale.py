"""A firm of N cases for measuring pages at scale, built as the product builds one, seeded.

`scale_load(cases=N, seed=S, now=…, move_clock=…)` starts the firm thirteen months before
`now`: staff in proportion to N (10,000 cases: 135 people) with skills and capacity, clients
(one per 20 cases, a few buying often) with one contact each, then N cases in a fixed mix of
states (`MIX`), each story laid out on the working-day calendar so that the case is where it
has got to at `now`; at 03:15 before `now` the nightly job proposes the schedule (greedy). The
same N, seed and `now` give the same firm. Every action happens at its own instant, in the
order of the whole firm's actions, so the audit chain runs forward in time.

Two paths, so that 10,000 cases take minutes rather than an hour on SQLite:

- **Cases still open, declined or cancelled** (`scale_walk.py`, about a quarter of them) go
  through the services: case_create, case_triage, the approvals a guard asks for,
  case_transition (the work follower lays out tracks and steps on acceptance), step_start /
  step_finish with the 递交前复核 before a first submission, self_check. One corner is cut:
  the team is written as `team_assign` writes a manager's choice, just before acceptance, so
  the follower's `team_propose` (it reads every running case's load: O(N) a call, O(N²) a
  build) does not run.
- **Delivered, confirmed and closed cases** (`scale_history.py`) are written as rows, as
  `kpi/demo.py` writes its history: the case with the triage the product's `run_triage`
  decided at its instant, its portal link, team, tracks and steps (as `plan_lay_out` lays them
  out, carried out at simulated times, some late), 递交前复核, reviews, refund approval,
  delivery record and survey, with an audit event for each (the payloads the services record).
  Not written for them: messages in the outbox, result files, the client's confirmation record
  and signed 结果确认单, follow-ups of low scores, daily reports, incidents, retrospectives.

`move_clock(t)` must set the process clock (`expedite.clock`, Django's `timezone.now`) to `t`:
the services stamp their audit events and `auto_now` fields with it. The page benchmark
(`benchmarks/pages_bench.py`) passes time-machine's traveller; nothing in production calls this.
"""

from __future__ import annotations

import datetime as dt
import heapq
import random
from collections import Counter
from collections.abc import Callable
from itertools import product

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction

from expedite.accounts.models import StaffContact
from expedite.cases.models import Case, CatalogVersion, ServiceType
from expedite.cases.plans import current_catalog
from expedite.cases.services import ContactInput, client_create
from expedite.cases.triage import facts_for
from expedite.domain.errors import DomainError
from expedite.domain.identifiers import uscc_check_character
from expedite.domain.roles import Role
from expedite.work.schedule import schedule_nightly
from expedite.work.team import profile_save
from expedite.workdays.selectors import firm_calendar, version_read_once

from .demo import DEMO_PASSWORD
from .scale_history import plan_history, write_history
from .scale_walk import walk
from .scale_world import MoveClock, World, try_triage

# The share of each state among the N cases. Most of a year's cases are finished; about one
# in six is open at the instant. Delivered, confirmed and closed cases are history (rows);
# the others go through the services.
MIX = {
    "closed": 0.65,
    "confirmed": 0.04,
    "delivered": 0.04,
    "declined": 0.06,
    "cancelled": 0.04,
    "draft": 0.01,
    "triaged": 0.015,
    "quoted": 0.02,
    "accepted": 0.015,
    "materials": 0.015,
    "on_hold": 0.015,
    "in_progress": 0.06,
    "review": 0.02,
}
HISTORY_STATES = frozenset({"closed", "confirmed", "delivered"})

# Staff per case of the firm, with a floor, by role: 10,000 cases → 67 process specialists.
STAFF_PER_CASE = {
    Role.LIAISON: (1 / 400, 2),
    Role.PROCESS: (1 / 150, 4),
    Role.RISK: (1 / 300, 2),
    Role.SUPERVISOR: (1 / 1500, 2),
    Role.MANAGER: (1 / 5000, 1),
    Role.GENERAL_MANAGER: (0, 1),
}
CASES_PER_CLIENT = 20
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍建红鹏飞宇浩然晨曦嘉怡子轩思源"
CLIENT_WORDS = ("鑫达", "恒信", "云启", "华瑞", "博远", "嘉禾", "中科", "锦程", "天成", "明德")
CLIENT_KINDS = ("电子商务", "建设工程", "人力资源", "贸易", "科技", "餐饮管理", "精密机械", "物流")
CITIES = ("上海", "苏州", "杭州", "南京", "宁波", "无锡", "合肥")
# Actions per transaction while building.
CHUNK = 200


def scale_load(
    *,
    cases: int,
    seed: int,
    now: dt.datetime,
    move_clock: MoveClock,
    progress: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Build the firm into the current database (migrated, catalog loaded, no cases).

    Returns how many cases are in each state at `now`, and under `stopped: …` how many
    open-case stories a guard or check ended early (each names the refusal; the case stays
    where it had got to)."""
    say = progress or (lambda _text: None)
    rng = random.Random(seed)  # noqa: S311 - seeded: the same firm every time, no secret
    world = World(now=now, rng=rng, move_clock=move_clock)
    with version_read_once():  # the calendar does not change while the firm is built
        return _build(world, cases, say)


def _build(world: World, cases: int, say) -> dict[str, int]:
    now, move_clock = world.now, world.move_clock
    world.cal = firm_calendar()
    world.catalog = current_catalog()
    world.catalog_version = CatalogVersion.objects.order_by("-pk").first()
    move_clock(now - dt.timedelta(days=400))
    with transaction.atomic():
        _staff(world, cases)
        _clients(world, cases)
    # Sorted here, not by the database: PostgreSQL's collation orders "-" apart from SQLite's.
    world.services = sorted(ServiceType.objects.filter(active=True), key=lambda s: s.code)
    world.facts = {s.code: _facts(world, s.code) for s in world.services}
    # A service no answers let through (at this instant) is left out of the firm.
    left_out = [s.code for s in world.services if world.facts[s.code][0] is None]
    world.services = [s for s in world.services if s.code not in left_out]
    if left_out:
        say(f"left out, no answers the rules let through: {', '.join(left_out)}")
    say(f"staff {sum(map(len, world.staff.values()))}, clients {len(world.clients)}")

    queue: list = []
    for n, target in enumerate(_targets(cases, world.rng)):
        if target in HISTORY_STATES:
            story = plan_history(world, target)
            queue.append((story.intake, n, story))
        else:
            story = walk(world, target)
            queue.append((next(story), n, story))
    night = _nightly(world)
    queue.append((next(night), cases, night))
    heapq.heapify(queue)
    say(f"{cases} stories planned")
    actions = 0
    while queue:
        with transaction.atomic():
            for _ in range(CHUNK):
                if not queue:
                    break
                t, n, story = heapq.heappop(queue)
                move_clock(t)
                actions += 1
                if not hasattr(story, "send"):
                    write_history(world, story)  # its events wait in the chain
                    continue
                world.chain.flush(t)  # before the service appends its own
                nxt = _resume(world, story, t)
                if nxt is not None and nxt <= now:
                    heapq.heappush(queue, (max(nxt, t), n, story))
        if actions % (CHUNK * 25) < CHUNK:
            say(f"  {actions} actions, at {t:%Y-%m-%d}")
    with transaction.atomic():
        world.chain.flush()
    move_clock(now)
    states = Counter(Case.objects.values_list("state", flat=True))
    return {**states, **{f"stopped: {k}": v for k, v in world.stopped.items()}}


def _night_before(world: World) -> dt.datetime:
    """03:15 on the night before `now`'s morning, when the nightly schedule job runs."""
    local = world.now.astimezone(world.cal.tz)
    night = local.replace(hour=3, minute=15, second=0, microsecond=0)
    return night if night <= local else night - dt.timedelta(days=1)


def _nightly(world: World):
    """The night's schedule proposal the managers find in the morning (the greedy plan: the
    nightly job's CP-SAT gets 30 wall-clock seconds and answers differently run to run)."""
    night = yield _night_before(world)
    schedule_nightly(now=night, solver="greedy")
    yield None


def _resume(world: World, story, t: dt.datetime) -> dt.datetime | None:
    """Run the story's action at `t`; the instant of its next one (None: it has ended)."""
    try:
        return story.send(t)
    except StopIteration:
        return None
    except DomainError as exc:
        world.stopped[str(getattr(exc, "template", "") or exc)[:40]] += 1
        return None


def _targets(cases: int, rng: random.Random) -> list[str]:
    """Exactly `cases` states in the shares of MIX (largest remainders), shuffled."""
    exact = {state: share * cases for state, share in MIX.items()}
    counts = {state: int(x) for state, x in exact.items()}
    short = cases - sum(counts.values())
    for state in sorted(exact, key=lambda s: counts[s] - exact[s])[:short]:
        counts[state] += 1
    targets = [state for state, k in counts.items() for _ in range(k)]
    rng.shuffle(targets)
    return targets


def _name(rng: random.Random) -> tuple[str, str]:
    return rng.choice(SURNAMES), "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _staff(world: World, cases: int) -> None:
    """Accounts as the demo makes them (sharing one password hash: hashing is slow on
    purpose), then skills and capacity through profile_save."""
    User = get_user_model()
    password = make_password(DEMO_PASSWORD)
    for role, (per_case, floor) in STAFF_PER_CASE.items():
        group = Group.objects.get_or_create(name=role.value)[0]
        people = []
        for i in range(max(floor, round(cases * per_case))):
            last, first = _name(world.rng)
            username = f"{role.value.replace('_', '')}{i + 1:03d}"
            user = User.objects.create(
                username=username,
                password=password,
                first_name=first,
                last_name=last,
                email=f"{username}@firm.example",
            )
            user.groups.add(group)
            people.append(user)
        world.staff[role] = people
    manager = world.one(Role.MANAGER)
    skills = list(world.catalog.skills)
    for i, user in enumerate(world.staff[Role.PROCESS] + world.staff[Role.RISK]):
        # Every skill is held by several people; each person knows three or four.
        own = [skills[(i + k) % len(skills)] for k in range(3)] + world.rng.sample(skills, 1)
        world.skills_of[user.pk] = set(own)
        profile_save(
            actor=manager,
            user=user,
            skills=own,
            capacity_hours=world.rng.choice(("7.5", "7.5", "6", "8")),
            expedite_team=i % 3 == 0,
        )
    for i, user in enumerate(world.staff[Role.LIAISON]):
        StaffContact.objects.get_or_create(user=user, defaults={"phone": f"021-6288 {i:04d}"})


def _clients(world: World, cases: int) -> None:
    """Clients through client_create, each with its liaison; a few buy often, most now and
    then (weights fall with rank)."""
    liaisons = world.staff[Role.LIAISON]
    tiers = ("standard",) * 6 + ("key",) * 3 + ("strategic",)
    rng = world.rng
    for i in range(max(8, cases // CASES_PER_CLIENT)):
        liaison = liaisons[i % len(liaisons)]
        first17 = f"91310000MA{i:07d}"
        last, first = _name(rng)
        client = client_create(
            actor=liaison,
            name=(
                f"{rng.choice(CITIES)}{rng.choice(CLIENT_WORDS)}{rng.choice(CLIENT_KINDS)}"
                f"有限公司（{i + 1}）"
            ),
            uscc=first17 + uscc_check_character(first17),
            value_tier=rng.choice(tiers),
            contacts=[
                ContactInput(
                    name=last + first,
                    phone=f"139{i:08d}",
                    email=f"contact{i}@client.example" if i % 2 else "",
                    title="经办人",
                    language="en" if i % 10 == 9 else "zh-hans",
                )
            ],
        )
        world.clients.append(client)
        world.contact_of[client.pk] = last + first
        world.liaison_of[client.pk] = liaison
        world.client_weights.append(1 / (i + 1) ** 0.7)


def _facts(world: World, code: str) -> tuple[dict | None, dict | None]:
    """Answers to the service's triage questions: the first the rules let through, and the
    first a red line refuses (None: no such answers). Tried at `now`, then half a month
    earlier: some rules refuse near a month's end whatever the answers."""
    questions = facts_for(code)
    refusing = any(r.kind.value == "refuse" and r.applies_to(code) for r in world.catalog.rules)
    choices = [(True, False) if kind == "bool" else (3_000_000, 0) for _n, _l, kind in questions]
    passed, refused = None, None
    for at in (world.now, world.now - dt.timedelta(days=15)):
        for answers in list(product(*choices))[:64]:
            facts = {q[0]: value for q, value in zip(questions, answers, strict=True)}
            verdict = try_triage(world, code, facts, at)
            if verdict == "refused" and refused is None:
                refused = facts
            elif verdict not in ("refused", "blocked", "error") and passed is None:
                passed = facts
            if passed is not None and (refused is not None or not refusing):
                return passed, refused
    return passed, refused
