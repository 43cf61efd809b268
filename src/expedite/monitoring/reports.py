"""日报: drafted from the day's step events and the plan, edited by the liaison, sent once.

One report per case and day is the database's rule (unique (case, date)): drafting inserts with
ON CONFLICT DO NOTHING, so two workers or a restarted one simply find the row there; sending
is a conditional update draft → sent, and only the worker whose update succeeded enqueues.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from expedite.accounts.selectors import user_can
from expedite.audit.services import audit_record
from expedite.cases.models import Case, ClientContact
from expedite.cases.words import term
from expedite.custody.models import CustodyMovement
from expedite.domain.audit import AuditKind
from expedite.domain.calendar import WorkCalendar
from expedite.domain.cases import CaseState
from expedite.domain.errors import NotAllowed, ValidationFailed, gettext_noop
from expedite.domain.reporting import (
    CLIENT_KINDS,
    ReportContent,
    StepFact,
    compose_report,
    report_schedule,
    reports_today,
)
from expedite.domain.roles import Capability
from expedite.domain.text import clean_text
from expedite.notify.notices import tell_client
from expedite.work.models import StepRun
from expedite.work.selectors import ACTIVE_STATES, case_projection, step_delays
from expedite.workdays.selectors import firm_calendar

from .models import CaseMonitoring, DailyReport, Incident

ACTIVE = [s.value for s in ACTIVE_STATES]
CHUNK = 500


def report_time_for(monitoring: CaseMonitoring | None) -> dt.time:
    if monitoring is not None and monitoring.report_time is not None:
        return monitoring.report_time
    return settings.EXPEDITE_REPORT_TIME


def schedule_for(case: Case, day: dt.date, cal: WorkCalendar):
    return report_schedule(
        day, report_time_for(_monitoring(case)), settings.EXPEDITE_REPORT_EDIT_MINUTES, cal.tz
    )


def _monitoring(case: Case) -> CaseMonitoring | None:
    try:
        return case.monitoring
    except CaseMonitoring.DoesNotExist:
        return None


# -- content -------------------------------------------------------------------------------------


def _client_items(case: Case, incidents, handovers) -> list[str]:
    items = []
    if case.state == CaseState.MATERIALS.value:
        items.append(_("请按材料清单尽快提供办理所需材料。"))
    if case.state == CaseState.ON_HOLD.value:
        items.append(_("本单正在等待您的回复或材料，收到后我们立即继续办理。"))
    items.extend(
        _("%(kind)s：%(what)s") % {"kind": i.get_kind_display(), "what": i.description}
        for i in incidents
    )
    items.extend(
        _("请确认物品交接：%(item)s（%(kind)s，%(at)s）")
        % {
            "item": m.item.label or m.item.get_kind_display(),
            "kind": m.get_kind_display(),
            "at": m.at.astimezone(firm_calendar().tz).strftime("%m-%d %H:%M"),
        }
        for m in handovers
    )
    return items


def contents(cases: list[Case], *, day: dt.date, now: dt.datetime, cal: WorkCalendar):
    """Each case's report for `day`, read in a few queries for the whole batch."""
    ids = [c.pk for c in cases]
    runs: dict[int, list[StepRun]] = defaultdict(list)
    for r in StepRun.objects.filter(case_id__in=ids).select_related("track"):
        runs[r.case_id].append(r)
    delays = step_delays(ids)
    incidents: dict[int, list[Incident]] = defaultdict(list)
    for i in Incident.objects.filter(
        case_id__in=ids, resolved_at__isnull=True, kind__in=[k.value for k in CLIENT_KINDS]
    ):
        incidents[i.case_id].append(i)
    handovers: dict[int, list[CustodyMovement]] = defaultdict(list)
    for m in (
        CustodyMovement.objects.filter(item__case_id__in=ids, confirmed_at__isnull=True)
        .filter(~Q(from_client="") | ~Q(to_client=""))
        .select_related("item")
    ):
        handovers[m.item.case_id].append(m)
    # The report goes to the client as written: drafted in its primary contact's language.
    languages: dict[int, str] = {}
    for client_id, language in ClientContact.objects.filter(
        client_id__in={c.client_id for c in cases}
    ).values_list("client_id", "language"):
        languages.setdefault(client_id, language)
    result: dict[int, ReportContent] = {}
    for case in cases:
        proj = case_projection(
            case, now=now, cal=cal, runs=runs[case.pk], delays=delays.get(case.pk, {})
        )
        facts = [
            StepFact(
                name=v.run.name,
                track=v.run.track.name,
                started_at=v.run.started_at,
                finished_at=v.run.finished_at,
                projected_start=v.start,
                projected_finish=v.finish,
            )
            for v in proj.steps
        ]
        with translation.override(languages.get(case.client_id, settings.LANGUAGE_CODE)):
            result[case.pk] = compose_report(
                day=day,
                cal=cal,
                steps=facts,
                # Track notes are the team's own words (they may be blunt or name colleagues):
                # the liaison adds what the client should read when editing the draft.
                client_items=_client_items(case, incidents[case.pk], handovers[case.pk]),
                translate=_,
                term=term,
            )
    return result


# -- the scheduler -------------------------------------------------------------------------------


def _due_for_draft(
    *, now: dt.datetime, cal: WorkCalendar, shard: tuple[int, int] = (0, 1), case_ids=None
) -> list[Case]:
    day = now.astimezone(cal.tz).date()
    cases = (
        Case.objects.filter(state__in=ACTIVE)
        .exclude(pk__in=DailyReport.objects.filter(date=day).values("case_id"))
        .select_related("monitoring", "client")
        .order_by("pk")
    )
    if case_ids is not None:
        cases = cases.filter(pk__in=case_ids)
    index, count = shard
    if count > 1:  # each worker drafts its share of the cases
        cases = cases.annotate(shard=F("pk") % count).filter(shard=index)
    due = []
    for case in cases:
        monitoring = _monitoring(case)
        holidays = bool(monitoring and monitoring.continue_on_holidays)
        if not reports_today(day, cal, continue_on_holidays=holidays):
            continue
        if now >= schedule_for(case, day, cal).draft_at:
            due.append(case)
    return due


def reports_draft(*, now: dt.datetime, shard: tuple[int, int] = (0, 1), case_ids=None) -> int:
    """Draft today's report of every case whose edit window has opened; returns how many
    drafts this call wrote (a row another worker wrote first is left alone)."""
    cal = firm_calendar()
    day = now.astimezone(cal.tz).date()
    due = _due_for_draft(now=now, cal=cal, shard=shard, case_ids=case_ids)
    written = 0
    for i in range(0, len(due), CHUNK):
        batch = due[i : i + CHUNK]
        found = contents(batch, day=day, now=now, cal=cal)
        rows = [
            DailyReport(
                case=case,
                date=day,
                done_today=found[case.pk].done_today,
                plan_tomorrow=found[case.pk].plan_tomorrow,
                client_todo=found[case.pk].client_todo,
                generated_at=now,
                send_at=schedule_for(case, day, cal).send_at,
            )
            for case in batch
        ]
        before = DailyReport.objects.filter(date=day, case__in=batch).count()
        DailyReport.objects.bulk_create(rows, ignore_conflicts=True)
        written += DailyReport.objects.filter(date=day, case__in=batch).count() - before
    return written


def reports_send_due(*, now: dt.datetime) -> int:
    """Send every draft whose time has come; each is claimed by a conditional update."""
    sent = 0
    for pk in DailyReport.objects.filter(status="draft", send_at__lte=now).values_list(
        "pk", flat=True
    ):
        sent += _send(pk, actor=None, now=now)
    return sent


def reports_tick(*, now: dt.datetime) -> dict[str, int]:
    """The every-minute job: draft what is due, send what is due."""
    return {"drafted": reports_draft(now=now), "sent": reports_send_due(now=now)}


@transaction.atomic
def _send(pk: int, *, actor, now: dt.datetime) -> int:
    claimed = DailyReport.objects.filter(pk=pk, status="draft").update(status="sent", sent_at=now)
    if not claimed:
        return 0  # sent already, by another worker or by hand
    report = DailyReport.objects.select_related("case", "case__client").get(pk=pk)
    case = report.case
    if report.edited_by_id is None:
        # Not edited: what happened since the draft (a step finished at 16:30) goes in too.
        cal = firm_calendar()
        fresh = contents([case], day=report.date, now=now, cal=cal)[case.pk]
        report.done_today = fresh.done_today
        report.plan_tomorrow = fresh.plan_tomorrow
        report.client_todo = fresh.client_todo
        report.save(update_fields=["done_today", "plan_tomorrow", "client_todo"])

    def compose() -> tuple[str, str]:
        subject = _("【日报】%(ref)s %(service)s %(date)s") % {
            "ref": case.reference,
            "service": case.service.display_name(get_language()),
            "date": report.date.isoformat(),
        }
        return subject, report_text(report)

    messages = tell_client(
        key=f"report:{case.pk}:{report.date.isoformat()}", case=case, compose=compose, now=now
    ).total
    audit_record(
        kind=AuditKind.REPORT_SENT,
        actor=actor,
        case=case,
        payload={"date": report.date.isoformat(), "report": report.pk, "messages": messages},
    )
    return 1


def report_text(report: DailyReport) -> str:
    return "\n\n".join(
        (
            _("今日完成") + "\n" + report.done_today,
            _("明日计划") + "\n" + report.plan_tomorrow,
            _("需客户配合") + "\n" + report.client_todo,
        )
    )


# -- the liaison's actions -----------------------------------------------------------------------


def _check(actor) -> None:
    if not user_can(actor, Capability.CLIENT_MESSAGE):
        raise NotAllowed(_("只有客户对接专员（或主管、经理）可以处理日报。"))


def report_draft_now(*, actor, case: Case, now: dt.datetime) -> DailyReport:
    """Today's draft at once (e.g. to start editing early); an existing one is returned."""
    _check(actor)
    if case.state not in ACTIVE:
        raise ValidationFailed(_("只有办理中的加急单发送日报。"), field="case")
    cal = firm_calendar()
    day = now.astimezone(cal.tz).date()
    existing = DailyReport.objects.filter(case=case, date=day).first()
    if existing is not None:
        return existing
    monitoring = _monitoring(case)
    if not reports_today(
        day, cal, continue_on_holidays=bool(monitoring and monitoring.continue_on_holidays)
    ):
        raise ValidationFailed(_("今天不是工作日，本单未设置节假日照常发送日报。"), field="case")
    content = contents([case], day=day, now=now, cal=cal)[case.pk]
    DailyReport.objects.bulk_create(
        [
            DailyReport(
                case=case,
                date=day,
                done_today=content.done_today,
                plan_tomorrow=content.plan_tomorrow,
                client_todo=content.client_todo,
                generated_at=now,
                send_at=schedule_for(case, day, cal).send_at,
            )
        ],
        ignore_conflicts=True,
    )
    return DailyReport.objects.get(case=case, date=day)


def _text(value: str, field: str, label: str) -> str:
    return clean_text(value, field=field, label=label, max_length=4000, required=True)


@transaction.atomic
def report_edit(
    *,
    actor,
    report: DailyReport,
    done_today: str,
    plan_tomorrow: str,
    client_todo: str,
    now: dt.datetime,
) -> DailyReport:
    _check(actor)
    report = (
        DailyReport.objects.select_for_update(no_key=True).select_related("case").get(pk=report.pk)
    )
    if report.status != "draft":
        raise ValidationFailed(_("日报已发送，不能再修改。"), field="report")
    report.done_today = _text(done_today, "done_today", gettext_noop("今日完成"))
    report.plan_tomorrow = _text(plan_tomorrow, "plan_tomorrow", gettext_noop("明日计划"))
    report.client_todo = _text(client_todo, "client_todo", gettext_noop("需客户配合"))
    report.edited_by = actor
    report.edited_at = now
    report.save(
        update_fields=["done_today", "plan_tomorrow", "client_todo", "edited_by", "edited_at"]
    )
    audit_record(
        kind=AuditKind.REPORT_EDITED,
        actor=actor,
        case=report.case,
        payload={"date": report.date.isoformat(), "report": report.pk},
    )
    return report


def report_send(*, actor, report: DailyReport, now: dt.datetime) -> DailyReport:
    """Send now, before the report time."""
    _check(actor)
    if not _send(report.pk, actor=actor, now=now):
        raise ValidationFailed(_("日报已发送。"), field="report")
    return DailyReport.objects.get(pk=report.pk)


@transaction.atomic
def monitoring_settings_save(
    *, actor, case: Case, report_time: dt.time | None, continue_on_holidays: bool
) -> CaseMonitoring:
    _check(actor)
    row, _created = CaseMonitoring.objects.select_for_update(no_key=True).get_or_create(case=case)
    row.report_time = report_time
    row.continue_on_holidays = continue_on_holidays
    row.save()
    audit_record(
        kind=AuditKind.REPORT_SETTINGS_CHANGED,
        actor=actor,
        case=case,
        payload={
            "report_time": report_time.strftime("%H:%M") if report_time else None,
            "continue_on_holidays": continue_on_holidays,
        },
    )
    return row
