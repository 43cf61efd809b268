"""The product in the loop: a firm of staff and clients built through the product's services,
and a policy that asks the product for every decision and tells it everything, at the
simulation's instants (the process clock is moved to each one first, as the services stamp
their records with it).

Intake: the liaison opens the case and triages it with the client's answers. 需要加急 → the
client takes the recommended plan (levers and surcharge) at the date asked; 无需加急 → the
standard plan; 假急 → the liaison explains, the client takes the standard plan's date and the
case is triaged again with it; cannot be done in time, red line or blocked → declined. Then
quoted and accepted (the product lays out the steps and proposes the team, a manager
confirms it). The order of work is the product's priority. Each step's start and finish goes
through step_start / step_finish (递交前复核 first where the catalog asks for it); an
authority's rejection is an incident the specialist raises and answers; a client late with
materials puts the case on hold until they come; a sick day is an absence a manager records
that morning; the result is reviewed twice and delivered. The periodic jobs run at their
instants: the risk watch and the daily reports during the day, the nightly schedule
(greedy) at 03:15.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from itertools import product as combinations

from .engine import SYNC
from .policies import Intake, StepPlan
from .world import FIRM_ROLES, Job, Params, Request, Task

# Services whose standard path is longer (a trademark's examination, 高企's annual batch) are
# not a year's expedite work.
LONGEST = 60
# A firm of 40: mostly the people who do the work; reviewers, supervisors and managers in
# the numbers the four-eyes rules and approvals need.
HEAD_COUNT = {"liaison": 9, "process": 22, "risk": 4, "supervisor": 2, "manager": 2}
REASONS = {
    "contract_penalty": "客户合同约定期限，逾期须承担违约金。",
    "regulatory_penalty": "监管期限将至，逾期将受处罚。",
    "lost_business": "客户项目节点在即，误期将错失商机。",
    "comfort_only": "客户希望尽快办完，没有书面要求。",
}


def _pdf(title: str) -> bytes:
    # reportlab is the product's own dependency for PDFs.
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out, invariant=1)
    pdf.drawString(40, 500, title)
    pdf.save()
    return out.getvalue()


class Firm:
    """Staff and clients, made through the product's services at `at`."""

    def __init__(self, params: Params, seed: int, at: dt.datetime, move_clock):
        import random

        from django.contrib.auth import get_user_model
        from django.contrib.auth.hashers import make_password
        from django.contrib.auth.models import Group

        from expedite.cases.plans import current_catalog
        from expedite.cases.services import ContactInput, client_create
        from expedite.domain.identifiers import uscc_check_character
        from expedite.domain.roles import Role
        from expedite.work.team import profile_save

        move_clock(at)
        rng = random.Random(f"{seed}:firm")
        user = get_user_model()
        password = make_password("simulation")
        total = sum(HEAD_COUNT.values()) + 1
        self.users, self.roles, self.caps, self.skills = [], [], [], []
        self.by_role: dict[str, list[int]] = {}
        counts = {r: max(1, round(k * params.staff / total)) for r, k in HEAD_COUNT.items()}
        counts["general_manager"] = 1
        for role, count in counts.items():
            group = Group.objects.get_or_create(name=Role(role).value)[0]
            for i in range(count):
                u = user.objects.create(
                    username=f"{role.replace('_', '')}{i + 1:02d}",
                    password=password,
                    last_name="模拟",
                    first_name=f"{role[:3]}{i + 1}",
                    email=f"{role}{i + 1}@firm.example",
                )
                u.groups.add(group)
                self.by_role.setdefault(role, []).append(len(self.users))
                self.users.append(u)
                self.roles.append(role)
                self.caps.append(7.5)
                self.skills.append(frozenset())
        self.index = {u.pk: i for i, u in enumerate(self.users)}
        self.manager = self.users[self.by_role["manager"][0]]
        skills = list(current_catalog().skills)
        for k, p in enumerate(self.by_role["process"] + self.by_role["risk"]):
            own = [skills[(k + j) % len(skills)] for j in range(3)]
            cap = rng.choice((7.5, 7.5, 6.0, 8.0))
            self.caps[p] = cap
            self.skills[p] = frozenset(own)
            profile_save(
                actor=self.manager,
                user=self.users[p],
                skills=own,
                capacity_hours=str(cap),
                expedite_team=k % 3 == 0,
            )
        self.clients = []
        liaisons = self.by_role["liaison"]
        for i in range(params.clients):
            first17 = f"91310000MB{i:07d}"
            self.clients.append(
                client_create(
                    actor=self.users[liaisons[i % len(liaisons)]],
                    name=f"模拟客户{i + 1:03d}有限公司",
                    uscc=first17 + uscc_check_character(first17),
                    value_tier=rng.choice(("standard",) * 6 + ("key",) * 3 + ("strategic",)),
                    contacts=[ContactInput(name=f"联系人{i + 1}", phone=f"139{i:08d}")],
                )
            )
        self.liaison_of = {i: liaisons[i % len(liaisons)] for i in range(params.clients)}


def services_with_answers(at: dt.datetime) -> list[tuple[str, int, dict]]:
    """The catalog's services the rules let through with some answers at `at` and whose
    standard plan can be dated within LONGEST working days: (code, the standard plan's working
    days, answers)."""
    from expedite.cases.models import ServiceType
    from expedite.cases.plans import current_catalog
    from expedite.cases.triage import TriageInput, facts_for, run_triage
    from expedite.domain.errors import DomainError
    from expedite.workdays.selectors import firm_calendar

    cal, catalog, out = firm_calendar(), current_catalog(), []
    for service in sorted(ServiceType.objects.filter(active=True), key=lambda s: s.code):
        questions = facts_for(service.code)
        choices = [(True, False) if kind == "bool" else (3_000_000, 0) for *_q, kind in questions]
        for answers in list(combinations(*choices))[:64]:
            facts = {q[0]: v for q, v in zip(questions, answers, strict=True)}
            data = TriageInput(
                deadline=cal.add_workdays(at.date(), 2 * service.standard_workdays + 5),
                written_notice=True,
                consequence="lost_business",
                facts=facts,
            )
            try:
                result = run_triage(
                    service_code=service.code,
                    data=data,
                    now=at,
                    value_tier="standard",
                    catalog=catalog,
                )
            except DomainError:
                continue
            if result.verdict.value not in ("refused", "blocked"):
                days = result.options.standard.plan.working_days
                if days <= LONGEST:
                    out.append((service.code, days, facts))
                break
    return out


class ProductPolicy:
    name = "product"

    def __init__(self, firm: Firm, answers: dict[str, dict], cal, move_clock, *, params, seed):
        from expedite.cases.plans import current_catalog

        self.firm, self.answers, self.cal, self.move_clock = firm, answers, cal, move_clock
        self.params, self.seed = params, seed
        catalog = current_catalog()
        self.preconditions = {
            code: tuple(
                sorted({p for lever in catalog.get(code).levers for p in lever.preconditions})
            )
            for code in answers
        }
        self.decided: dict[int, Intake] = {}
        self.incidents: dict[int, object] = {}  # task id → open incident
        self.refused: dict[str, int] = {}
        self.examples: dict[str, str] = {}  # refusal → the first case it happened to
        self.client_of: dict[int, int] = {}  # case pk → client index

    # -- time ------------------------------------------------------------------------------

    def begin(self, *, days, spells, day_hours) -> None:
        from expedite.work.team import absence_add

        self.days, self.day_hours = days, day_hours
        self.starts = [
            self.cal.work_clock(dt.datetime.combine(d, dt.time(0), self.cal.tz)) for d in days
        ]
        self.sick = {}
        self._at(dt.datetime.combine(days[0], dt.time(8), self.cal.tz) - dt.timedelta(days=1))
        for person, rows in spells.items():
            for first, last, kind in rows:
                if kind == "leave":  # planned: on record from the start of the year
                    absence_add(
                        actor=self.firm.manager,
                        user=self.firm.users[person],
                        start=days[first],
                        end=days[last],
                        reason="年假",
                    )
                else:
                    self.sick.setdefault(first, []).append((person, last))

    def instant(self, hour: float) -> dt.datetime:
        i = min(int(hour // self.day_hours), len(self.days) - 1)
        local = min(max(hour - i * self.day_hours, 0.0), self.day_hours - 1 / 60)
        return self.cal.at_work_clock(self.starts[i] + int(local * 3_600_000_000), starting=True)

    def _at(self, t: dt.datetime) -> dt.datetime:
        self.move_clock(t)
        return t

    def morning(self, i: int, day: dt.date, active: list[Job]) -> None:
        """The night's proposal; the sick calls; the manager accepts the proposal (made again
        when a sick call made it stale) and the day's work follows it: who does each step,
        and the cases in the order of their next planned step."""
        from django.db import transaction

        from expedite.domain.errors import ValidationFailed
        from expedite.work.models import ScheduleProposal
        from expedite.work.schedule import schedule_accept, schedule_nightly, schedule_propose
        from expedite.work.team import absence_add

        self.active, self.today = active, i
        night = self._at(dt.datetime.combine(day, dt.time(3, 15), self.cal.tz))
        with transaction.atomic():
            made = schedule_nightly(now=night, solver="greedy")
        t = self._at(dt.datetime.combine(day, dt.time(8, 30), self.cal.tz))
        for person, last in self.sick.get(i, ()):
            absence_add(
                actor=self.firm.manager,
                user=self.firm.users[person],
                start=day,
                end=self.days[last],
                reason="病假",
            )
        if made.get("proposal") is None:
            return
        t = self._at(t + dt.timedelta(minutes=15))
        proposal = ScheduleProposal.objects.get(pk=made["proposal"])
        try:
            if proposal.status != ScheduleProposal.PENDING:
                return
            schedule_accept(actor=self.firm.manager, proposal=proposal, now=t)
        except ValidationFailed:
            fresh = schedule_propose(actor=self.firm.manager, now=t, solver="greedy")
            schedule_accept(actor=self.firm.manager, proposal=fresh, now=t)
        finally:
            self._follow(active)

    def _follow(self, active: list[Job]) -> None:
        from expedite.work.models import StepRun

        jobs = {j.ref.pk: j for j in active}
        rows = StepRun.objects.filter(case_id__in=list(jobs), finished_at__isnull=True)
        first: dict[int, dt.datetime] = {}
        for case_id, code, start, assignee in rows.values_list(
            "case_id", "code", "planned_start", "assignee_id"
        ):
            job = jobs[case_id]
            task = next((t for t in job.tasks if t.code == code), None)
            if task is not None and assignee is not None and task.role in FIRM_ROLES:
                task.person = self.firm.index[assignee]
            if case_id not in first or start < first[case_id]:
                first[case_id] = start
        for case_id, job in jobs.items():
            if case_id in first:
                job.key = (first[case_id], *job.key[-2:])

    # -- intake ----------------------------------------------------------------------------

    def intake(self, r: Request, _i: int, at: float) -> Job | None:
        from django.db import transaction

        from expedite.domain.errors import DomainError

        try:
            with transaction.atomic():
                return self._intake(r, at)
        except DomainError as exc:
            key = str(getattr(exc, "template", "") or exc)[:60]
            self.refused[key] = self.refused.get(key, 0) + 1
            return None

    def _intake(self, r: Request, at: float) -> Job | None:
        from django.db.models import Min

        from expedite.approvals.services import approval_decide, approval_request
        from expedite.cases.lifecycle import case_transition
        from expedite.cases.services import case_create
        from expedite.cases.triage import TriageInput, case_triage
        from expedite.domain.approvals import REFUND_SERVICES
        from expedite.work.models import Assignment, StepRun
        from expedite.work.team import team_assign

        firm = self.firm
        liaison = firm.users[firm.liaison_of[r.client]]
        t = self._at(self.instant(at))
        case = case_create(
            actor=liaison,
            client_id=firm.clients[r.client].pk,
            service_code=r.service,
            requested_deadline=r.deadline,
            reason=REASONS[r.consequence],
            now=t,
        )
        data = TriageInput(
            deadline=r.deadline,
            written_notice=r.written_notice,
            consequence=r.consequence,
            facts=self.answers[r.service],
            preconditions=self._arranged(r),
        )
        case = case_triage(actor=liaison, case=case, data=data, now=t)
        caught = case.verdict == "false_urgency"
        if caught:
            # The client takes the standard plan's date; the case is triaged again with it.
            finish = dt.date.fromisoformat(case.triage["options"]["standard"]["finish"])
            data = TriageInput(
                deadline=finish,
                written_notice=r.written_notice,
                consequence=r.consequence,
                facts=self.answers[r.service],
                preconditions=data.preconditions,
            )
            case = case_triage(actor=liaison, case=case, data=data, now=t)
        if case.verdict not in ("expedite", "not_needed"):
            case = case_transition(
                actor=liaison,
                case=case,
                to="declined",
                now=t,
                reason="客户要求的日期无法满足，客户另行安排。",
            )
            return None
        case = case_transition(actor=liaison, case=case, to="quoted", now=t)
        case = case_transition(actor=liaison, case=case, to="accepted", now=t)
        team = {a.role: a.user_id for a in Assignment.objects.filter(case=case)}
        team_assign(actor=firm.manager, case=case, choices=team)
        if r.service in REFUND_SERVICES:
            # Filing an expedited refund waits for the approval its amount needs.
            row = approval_request(
                actor=liaison,
                case=case,
                action="refund",
                amount=Decimal(200_000 + 1000 * (r.n % 500)),
                justification="客户留抵退税，申请加急办理。",
                now=t,
            )
            approval_decide(
                actor=firm.users[firm.by_role["general_manager"][0]],
                request=row,
                grant=True,
                reason="同意。",
                now=t,
            )
        option = case.triage.get("recommended_option") or case.triage["options"]["standard"]
        standard_fee = case.triage["options"]["standard"]["fee"]["total"]
        expedited = case.verdict == "expedite"
        persons = {role: firm.index[user] for role, user in team.items()}
        steps = tuple(self._steps_laid_out(case, persons))
        record = Intake(
            promise=case.requested_deadline,
            priority=case.priority or 0.0,
            expedited=expedited,
            surcharge=(option["fee"]["total"] / standard_fee - 1 if standard_fee else None)
            if expedited
            else 0.0,
            steps=steps,
            standard=tuple(
                self._option_steps(case.triage["options"]["standard"], persons, case.pk)
            ),
        )
        self.decided[r.n] = record
        # Until the next morning's plan: the order of its first planned step.
        first = StepRun.objects.filter(case=case).aggregate(first=Min("planned_start"))["first"]
        job = record.job(r, (first, -record.priority, r.n))
        job.ref = case
        self.client_of[case.pk] = r.client
        job.caught = caught
        return job

    def _arranged(self, r: Request) -> tuple[str, ...]:
        """What the client can arrange that a lever needs (电子签章, a signatory on call …):
        each precondition with the world's chance, drawn for the request."""
        import random

        rng = random.Random(f"{self.seed}:arranged:{r.n}")
        needed = self.preconditions.get(r.service, ())
        return tuple(p for p in needed if rng.random() < self.params.arranged)

    def _person(self, role: str, persons: dict, salt: int) -> int | None:
        if role in persons:
            return persons[role]
        if role in FIRM_ROLES:
            pool = self.firm.by_role[role]
            return pool[salt % len(pool)]
        return None

    def _steps_laid_out(self, case, persons):
        from expedite.work.models import StepRun

        for s in StepRun.objects.filter(case=case).order_by("position"):
            yield StepPlan(
                code=s.code,
                role=s.role,
                depends_on=tuple(s.depends_on),
                plan_us=s.duration_us,
                planned_finish=s.planned_finish.astimezone(self.cal.tz).date(),
                person=self._person(s.role, persons, case.pk),
                skill=s.skill,
            )

    def _option_steps(self, option: dict, persons, salt: int):
        for s in option["steps"]:
            start, finish = (dt.datetime.fromisoformat(s[k]) for k in ("start", "finish"))
            yield StepPlan(
                code=s["code"],
                role=s["role"],
                depends_on=tuple(s.get("depends_on", ())),
                plan_us=int(self.cal.working_time_between(start, finish).total_seconds() * 1e6),
                planned_finish=finish.astimezone(self.cal.tz).date(),
                person=self._person(s["role"], persons, salt),
                skill=s.get("skill") or "",
            )

    # -- what happens ----------------------------------------------------------------------

    def handle(self, e) -> None:
        from django.db import transaction

        from expedite.domain.errors import DomainError

        t = self._at(self.instant(e.at))
        try:
            with transaction.atomic():
                getattr(self, f"_on_{e.kind}")(e, t)
        except DomainError as exc:
            key = f"{e.kind}: {str(getattr(exc, 'template', '') or exc)[:60]}"
            self.refused[key] = self.refused.get(key, 0) + 1
            where = f"{e.job.ref.reference} {e.task.code if e.task else ''} at {t:%Y-%m-%d %H:%M}"
            self.examples.setdefault(key, where)

    def _on_tick(self, e, t) -> None:
        from expedite.monitoring.reports import reports_tick
        from expedite.monitoring.watch import sla_watch

        if abs(e.at % self.day_hours - SYNC) < 1e-6:
            self._sync(t)
            return
        sla_watch(now=t)
        self._tell_clients(t)
        self._mark_warned()
        reports_tick(now=t)

    def _sync(self, t) -> None:
        """日清: each case's process specialist brings every line under way up to date."""
        from expedite.work.models import Track
        from expedite.work.steps import track_update

        jobs = {j.ref.pk: j for j in self.active if j.waits_until <= self.today}
        tracks = Track.objects.filter(
            case_id__in=list(jobs), status="active", case__state="in_progress"
        ).prefetch_related("steps")
        for track in tracks:
            running = [s.name for s in track.steps.all() if s.started_at and not s.finished_at]
            note = f"{'、'.join(running)}进行中。" if running else "等待下一步骤。"
            track_update(
                actor=self._process(jobs[track.case_id]),
                track=track,
                status="active",
                note=note,
                now=t,
            )

    def _mark_warned(self) -> None:
        """A case with an open warning is one the team may work overtime on."""
        from expedite.monitoring.models import RiskWarning

        jobs = {j.ref.pk: j for j in self.active}
        open_ = set(
            RiskWarning.objects.filter(case_id__in=list(jobs), cleared_at__isnull=True)
            .exclude(status="dismissed")
            .values_list("case_id", flat=True)
        )
        for pk, job in jobs.items():
            job.warned = pk in open_

    def cover(self, task, staff, away, people) -> int | None:
        """Nobody by hand: the morning's accepted schedule is the product's answer to who is
        away; a step it left with someone away waits."""
        return task.person

    def _tell_clients(self, t) -> None:
        """The liaison lets each new warning go to the client, with what the firm does."""
        from django.db import transaction

        from expedite.domain.errors import DomainError
        from expedite.monitoring.incidents import warning_approve
        from expedite.monitoring.models import RiskWarning

        for warning in RiskWarning.objects.filter(
            status="pending_approval", decided_by__isnull=True, cleared_at__isnull=True
        ).select_related("case"):
            liaison = self.firm.users[self.firm.liaison_of[self.client_of[warning.case_id]]]
            try:
                with transaction.atomic():
                    warning_approve(
                        actor=liaison,
                        warning=warning,
                        now=t,
                        mitigation="已调整排期，必要时安排加班。",
                    )
            except DomainError:
                pass  # the condition ended meanwhile: the watch withdraws it

    def _process(self, job: Job):
        from expedite.work.models import Assignment

        return Assignment.objects.get(case=job.ref, role="process").user

    def _step(self, job: Job, task: Task):
        from expedite.work.models import StepRun

        return StepRun.objects.get(case=job.ref, code=task.code)

    def _on_start(self, e, t) -> None:
        from expedite.cases.lifecycle import case_transition
        from expedite.cases.models import Case
        from expedite.work.steps import step_start

        case = Case.objects.get(pk=e.job.ref.pk)
        process = self._process(e.job)
        if case.state in ("accepted", "materials"):
            case_transition(actor=process, case=case, to="in_progress", now=t)
        step = self._step(e.job, e.task)
        self._before_submission(case, step, t)
        step_start(actor=process, step=step, now=t)

    def _on_finish(self, e, t) -> None:
        from expedite.monitoring.incidents import incident_resolve
        from expedite.work.steps import step_finish

        process = self._process(e.job)
        hours = None if e.task.office else f"{min(e.task.effort, 999):.2f}"
        step_finish(actor=process, step=self._step(e.job, e.task), now=t, actual_hours=hours)
        incident = self.incidents.pop(id(e.task), None)
        if incident is not None:
            incident_resolve(actor=process, incident=incident, now=t, resolution="补正后已通过。")

    def _on_reject(self, e, t) -> None:
        from expedite.monitoring.incidents import incident_acknowledge, incident_raise

        process = self._process(e.job)
        incident = incident_raise(
            actor=process,
            case=e.job.ref,
            kind="department_rejection",
            description="办理机关退件，要求补正材料。",
            impact_hours=f"{e.task.rejection_hours:.1f}",
            step=self._step(e.job, e.task),
            now=t,
        )
        self.incidents[id(e.task)] = incident_acknowledge(
            actor=process,
            incident=incident,
            cause="机关审查意见要求补正。",
            remedy="按审查意见补正后重新递交。",
            now=t,
        )

    def _on_hold(self, e, t) -> None:
        from expedite.cases.lifecycle import case_transition
        from expedite.cases.models import Case

        liaison = self.firm.users[self.firm.liaison_of[e.job.request.client]]
        case = Case.objects.get(pk=e.job.ref.pk)
        case_transition(actor=liaison, case=case, to="on_hold", now=t, reason="等待客户补充材料。")

    def _on_resume(self, e, t) -> None:
        from expedite.cases.lifecycle import case_allowed, case_transition
        from expedite.cases.models import Case

        liaison = self.firm.users[self.firm.liaison_of[e.job.request.client]]
        case = Case.objects.get(pk=e.job.ref.pk)
        if case.state == "on_hold":
            back = next(s for s in case_allowed(case) if s != "cancelled")
            case_transition(actor=liaison, case=case, to=back, now=t, reason="客户材料已补齐。")

    def _on_deliver(self, e, t) -> None:
        from expedite.cases.lifecycle import case_transition
        from expedite.cases.models import Case
        from expedite.delivery.services import result_file_add
        from expedite.reviews.selectors import review_checklist
        from expedite.reviews.services import self_check, supervisor_review

        case = Case.objects.get(pk=e.job.ref.pk)
        process = self._process(e.job)
        liaison = self.firm.users[self.firm.liaison_of[e.job.request.client]]
        supervisors = self.firm.by_role["supervisor"]
        supervisor = self.firm.users[supervisors[case.pk % len(supervisors)]]
        result_file_add(
            actor=process, case=case, name="办理结果.pdf", content=_pdf(case.reference), now=t
        )
        case = case_transition(actor=process, case=case, to="review", now=t)
        ok = [{"item": item, "ok": True} for item in review_checklist(case)]
        self_check(actor=process, case=case, results=ok, now=t)
        supervisor_review(actor=supervisor, case=case, results=ok, now=t)
        case_transition(actor=liaison, case=case, to="delivered", now=t)

    def _before_submission(self, case, step, t) -> None:
        """递交前复核 by a supervisor before the first step at an authority."""
        from expedite.cases.plans import catalog_for
        from expedite.reviews.selectors import submission_passed
        from expedite.reviews.submission import submission_check

        definition = catalog_for(case).get(case.service.code)
        first = definition.first_submission()
        if first is None or first.code != step.code or not definition.submission_checklist:
            return
        if submission_passed(case) is not None:
            return
        results = [{"item": i, "ok": True, "note": ""} for i in definition.submission_checklist]
        supervisors = self.firm.by_role["supervisor"]
        submission_check(
            actor=self.firm.users[supervisors[case.pk % len(supervisors)]],
            case=case,
            results=results,
            now=t,
        )

    def end(self) -> None:
        pass

    def delivered_in_product(self) -> int:
        from expedite.cases.models import Case

        return Case.objects.filter(state="delivered").count()

    def warnings(self) -> tuple[dict[int, list[dt.datetime]], set[int]]:
        """Case pk → when the product raised a warning (not dismissed) or an incident; and
        the cases with a risk warning."""
        from expedite.monitoring.models import Incident, RiskWarning

        out: dict[int, list[dt.datetime]] = {}
        risky = RiskWarning.objects.exclude(status="dismissed").values_list("case_id", "raised_at")
        alarms = set()
        for case_id, at in risky:
            out.setdefault(case_id, []).append(at)
            alarms.add(case_id)
        for case_id, at in Incident.objects.filter(case__isnull=False).values_list(
            "case_id", "raised_at"
        ):
            out.setdefault(case_id, []).append(at)
        return out, alarms
