"""The demand radar's actions: train, score every client, propose planned work, record what
came of it. Each is one transaction and leaves an audit event (docs/radar.md)."""

from __future__ import annotations

import contextlib
import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import override

from expedite.accounts.selectors import user_can
from expedite.audit.services import audit_record
from expedite.cases.models import Client
from expedite.cases.plans import current_catalog
from expedite.cases.services import case_open, case_service
from expedite.cases.triage import TriageInput, case_triage
from expedite.catalog import load_obligations
from expedite.domain.audit import ActorKind, AuditKind
from expedite.domain.calendar import SHANGHAI
from expedite.domain.errors import DomainError, NotAllowed, ValidationFailed, gettext_noop
from expedite.domain.radar import (
    FEATURES,
    HORIZONS,
    NotEnoughHistory,
    RadarModel,
    pending,
    reasons,
    snapshot,
)
from expedite.domain.radar_eval import backtest, train
from expedite.domain.radar_history import synthetic_history
from expedite.domain.roles import Capability
from expedite.domain.sms import SmsKind
from expedite.domain.triage import Consequence
from expedite.notify.notices import tell_client
from expedite.workdays.selectors import firm_calendar

from .history import EXPEDITED_VERDICTS, firm_history, starts, upcoming_for
from .models import OutreachOutcome, RadarOutreach, RadarScore, RadarSource, RadarVersion
from .words import obligation_text

SHOWN_AHEAD = 5  # obligations kept with a score


def _require(actor) -> None:
    if actor is not None and not user_can(actor, Capability.USE_RADAR):
        raise NotAllowed(gettext_noop("您的角色无权使用需求雷达。"))


def _history(source: str, *, today: dt.date, seed: int):
    if source == RadarSource.SYNTHETIC:
        return synthetic_history(current_catalog(), load_obligations(), firm_calendar(), seed=seed)
    return firm_history(today=today)


def radar_backtest(*, source: str, now: dt.datetime, seed: int = 1, history=None) -> dict:
    """The backtest report on the firm's history or the synthetic one (or `history`, already
    read); raises ValidationFailed when the history is too short to split."""
    today = now.astimezone(SHANGHAI).date()
    if history is None:
        history = _history(source, today=today, seed=seed)
    try:
        report = backtest(history, load_obligations(), starts(), seed=seed)
    except (ValueError, NotEnoughHistory):
        raise ValidationFailed(
            gettext_noop(
                "历史数据不足以回测：需要两年多的委托记录且其中有加急单（现有 %(cases)s 件）。"
            ),
            params={"cases": len(history.cases)},
        ) from None
    report["source"] = source
    report["seed"] = seed if source == RadarSource.SYNTHETIC else None
    return report


@transaction.atomic
def radar_train(
    *, source: str, now: dt.datetime, seed: int = 1, actor=None, label: str = ""
) -> RadarVersion:
    """Backtest, then fit the models on the whole history, and keep both as a new version."""
    _require(actor)
    today = now.astimezone(SHANGHAI).date()
    history = _history(source, today=today, seed=seed)
    evaluation = radar_backtest(source=source, now=now, seed=seed, history=history)
    try:
        models = train(history, load_obligations(), starts(), seed=seed)
    except NotEnoughHistory:
        raise ValidationFailed(gettext_noop("历史数据中没有足够的加急单，无法训练。")) from None
    version = RadarVersion.objects.create(
        trained_at=now,
        source=source,
        seed=seed if source == RadarSource.SYNTHETIC else None,
        fitted={str(h): m.as_json() for h, m in models.items()},
        evaluation=evaluation,
        history=evaluation["history"],
        trained_by=label or (actor.get_username() if actor is not None else ""),
    )
    audit_record(
        kind=AuditKind.RADAR_TRAINED,
        actor=actor,
        actor_kind=None if actor is not None else ActorKind.SYSTEM,
        actor_label="" if actor is not None else (label or "radar"),
        payload={
            "version": version.pk,
            "source": source,
            "precision_at_50": {
                h: evaluation["horizons"][h]["methods"]["model"]["precision_at_50"]
                for h in evaluation["horizons"]
            },
        },
    )
    return version


def _ahead_json(up) -> dict:
    return {
        "code": up.code,
        "name": up.name,
        "service": up.service,
        "due": up.due.isoformat(),
        "latest_start": up.latest_start.isoformat() if up.latest_start else None,
        "weight": up.weight,
        "consequence": up.consequence,
        "source": up.source,
    }


@transaction.atomic
def radar_score(*, now: dt.datetime) -> int:
    """Score every client with the newest models; returns how many were scored. Idempotent:
    a client's row is replaced."""
    version = RadarVersion.objects.first()
    if version is None:
        return 0
    models = {h: RadarModel.from_json(version.fitted[str(h)]) for h in HORIZONS}
    if any(m.features != FEATURES for m in models.values()):
        return 0  # fitted on other features: the next training replaces it
    today = now.astimezone(SHANGHAI).date()
    history = firm_history(today=today + dt.timedelta(days=1))
    own: dict[int, list] = {}
    for c in history.cases:
        own.setdefault(c.client, []).append(c)
    obligations, found = load_obligations(), starts()
    rows = []
    for record in history.clients:
        cases = own.get(record.client, [])
        snap = snapshot(record, cases, today, obligations, found)
        p30 = models[30].probability(snap.values)
        p60 = models[60].probability(snap.values)
        # The features know the days before today, as in training; the list a liaison acts on
        # also leaves out what a case opened today already meets.
        ahead = [u for u in snap.ahead if pending(u, cases, today + dt.timedelta(days=1))]
        near = [u for u in ahead if u.latest_start <= today + dt.timedelta(days=60)]
        weight = max((u.weight for u in near), default=1)
        rows.append(
            RadarScore(
                client_id=record.client,
                version=version,
                computed_at=now,
                p30=p30,
                p60=p60,
                value=p30 * weight,
                next_start=min((u.latest_start for u in ahead), default=None),
                reasons=[r.as_json() for r in reasons(models[30], snap)],
                ahead=[_ahead_json(u) for u in ahead[:SHOWN_AHEAD]],
            )
        )
    RadarScore.objects.all().delete()
    RadarScore.objects.bulk_create(rows, batch_size=500)
    return len(rows)


@transaction.atomic
def radar_propose(
    *, actor, client_id: int, code: str, due: dt.date, now: dt.datetime
) -> RadarOutreach:
    """Propose standard-track work for one obligation of a client: open a case for it on the
    standard path, tell the client, and record the outreach. Proposing twice is refused."""
    _require(actor)
    if actor is None or not user_can(actor, Capability.CREATE_CASE):
        raise NotAllowed(gettext_noop("您的角色无权为客户新建办理事项。"))
    client = Client.objects.select_for_update().filter(pk=client_id).first()
    if client is None:
        raise ValidationFailed(gettext_noop("请选择已登记的客户。"), field="client")
    today = now.astimezone(SHANGHAI).date()
    up = next(
        (u for u in upcoming_for(client, today=today) if u.code == code and u.due == due), None
    )
    if RadarOutreach.objects.filter(client=client, code=code, due=due).exists():
        raise ValidationFailed(gettext_noop("已就该事项联系过客户，请在联系记录中跟进。"))
    if up is None or up.latest_start is None:
        raise ValidationFailed(gettext_noop("该客户没有这一待办事项，或已无法按常规办理排期。"))
    if up.latest_start < today:
        raise ValidationFailed(
            gettext_noop("最晚启动日 %(date)s 已过，已不能按常规办理；请按加急流程与客户沟通。"),
            params={"date": up.latest_start.isoformat()},
        )
    own = firm_history(today=today + dt.timedelta(days=1), client_ids=[client.pk]).cases
    if not pending(up, own, today + dt.timedelta(days=1)):
        raise ValidationFailed(gettext_noop("该客户已有办理这一事项的加急单，无需再建。"))
    score = RadarScore.objects.filter(client=client).first()
    subject = f"{up.name}（{up.source}）" if up.source else up.name
    case = case_open(
        actor=actor,
        client=client,
        service=case_service(up.service),
        requested_deadline=up.due,
        reason=_("需求雷达：%(what)s 截止 %(due)s，最晚 %(start)s 启动，建议按常规办理。")
        % {"what": subject, "due": up.due.isoformat(), "start": up.latest_start.isoformat()},
        now=now,
    )
    try:
        with transaction.atomic():
            case = case_triage(
                actor=actor,
                case=case,
                data=TriageInput(
                    deadline=up.due,
                    written_notice=False,
                    consequence=Consequence.REGULATORY_PENALTY.value,
                ),
                now=now,
            )
    except DomainError:
        # The facts triage asks for are the liaison's to fill in: the case waits as a draft.
        pass
    if case.verdict in EXPEDITED_VERDICTS:
        # Triage finds the standard path too late after all: promise nothing, keep nothing.
        raise ValidationFailed(
            gettext_noop("研判结论为须加急办理，不能作为常规办理建议；请按加急流程与客户沟通。")
        )
    outreach = RadarOutreach.objects.create(
        client=client,
        code=up.code,
        name=up.name,
        service=up.service,
        due=up.due,
        latest_start=up.latest_start,
        case=case,
        probability=score.p30 if score else None,
        proposed_by=actor,
        proposed_at=now,
    )
    tell_client(
        key=f"radar:{outreach.pk}",
        case=case,
        now=now,
        compose=lambda: _message(up, case),
        sms=(
            SmsKind.REMINDER,
            {
                "service": case.service.name_zh,
                "ref": case.reference,
                "what": _chinese("建议现在按常规办理"),
                "date": up.latest_start.isoformat(),
            },
        ),
    )
    audit_record(
        kind=AuditKind.RADAR_PROPOSED,
        actor=actor,
        case=case,
        payload={
            "client_id": client.pk,
            "obligation": up.code,
            "due": up.due.isoformat(),
            "latest_start": up.latest_start.isoformat(),
            "verdict": case.verdict,
        },
    )
    return outreach


def _chinese(text: str) -> str:
    # The text-message templates are filed in Chinese, whoever sends them.
    with override("zh-hans"):
        return _(text)


def _message(up, case) -> tuple[str, str]:
    name = obligation_text(up.name)
    subject = _("%(name)s：建议现在按常规办理") % {"name": name}
    body = _(
        "您好！\n\n%(name)s%(source)s 须在 %(due)s 前完成。按常规流程办理，最晚须于 %(start)s "
        "启动；现在开始可按常规时限办理，无需加急、不收加急费用。\n\n"
        "我们已为您登记（%(ref)s），请回复确认或联系您的专属顾问。\n\n依据：%(basis)s"
    ) % {
        "name": name,
        "source": (_("（%(title)s）") % {"title": up.source}) if up.source else "",
        "due": up.due.isoformat(),
        "start": up.latest_start.isoformat(),
        "ref": case.reference,
        "basis": obligation_text(up.basis),
    }
    return subject, body


@transaction.atomic
def radar_outcome(
    *, actor, outreach_id: int, outcome: str, note: str, now: dt.datetime
) -> RadarOutreach:
    """Record what came of an outreach; the model reads it at its next training."""
    _require(actor)
    if outcome not in OutreachOutcome.values or outcome == OutreachOutcome.PENDING:
        raise ValidationFailed(gettext_noop("请选择联系结果。"), field="outcome")
    outreach = RadarOutreach.objects.select_for_update().filter(pk=outreach_id).first()
    if outreach is None:
        raise ValidationFailed(gettext_noop("没有这条联系记录。"))
    note = " ".join((note or "").split())
    if len(note) > 200 or "\x00" in note:
        raise ValidationFailed(gettext_noop("备注最多 200 个字。"), field="note")
    outreach.outcome, outreach.outcome_at, outreach.note = outcome, now, note
    outreach.save(update_fields=["outcome", "outcome_at", "note"])
    audit_record(
        kind=AuditKind.RADAR_OUTCOME,
        actor=actor,
        case=outreach.case,
        payload={"outreach": outreach.pk, "outcome": outcome, "note": note},
    )
    return outreach


def radar_nightly(*, now: dt.datetime) -> dict:
    """Retrain on the firm's history when it allows a backtest (once a day: a second run the
    same day keeps that day's version), then score every client."""
    trained = None
    today = now.astimezone(SHANGHAI).date()
    newest = RadarVersion.objects.filter(source=RadarSource.FIRM).first()
    if newest is None or newest.trained_at.astimezone(SHANGHAI).date() != today:
        # Too little history of its own yet: the models in use stay.
        with contextlib.suppress(ValidationFailed):
            trained = radar_train(source=RadarSource.FIRM, now=now, label="nightly").pk
    return {"trained": trained, "scored": radar_score(now=now)}
