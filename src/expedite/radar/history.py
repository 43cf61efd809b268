"""The firm's own history as the radar reads it, and the obligations of one client now."""

from __future__ import annotations

import datetime as dt

from expedite.cases.models import Case, Client, ClientCredential
from expedite.cases.plans import current_catalog
from expedite.catalog import load_obligations
from expedite.domain.calendar import SHANGHAI
from expedite.domain.obligations import Credential, LatestStarts, Upcoming, client_obligations
from expedite.domain.radar import ClientRecord, History, PastCase
from expedite.workdays.selectors import firm_calendar

from .models import RadarOutreach

# A case was expedited when its triage said so, or could not promise the date at all.
EXPEDITED_VERDICTS = ("expedite", "infeasible")


def starts() -> LatestStarts:
    return LatestStarts(current_catalog(), firm_calendar())


def firm_history(*, today: dt.date, client_ids: list[int] | None = None) -> History:
    """Every case requested before `today` (or those of `client_ids`), with the clients'
    tiers, licences and outreach days."""
    cases = Case.objects.exclude(state="cancelled").filter(
        created_at__lt=dt.datetime.combine(today, dt.time(), tzinfo=SHANGHAI)
    )
    clients = Client.objects.all()
    credentials = ClientCredential.objects.all()
    outreach = RadarOutreach.objects.all()
    if client_ids is not None:
        cases = cases.filter(client_id__in=client_ids)
        clients = clients.filter(pk__in=client_ids)
        credentials = credentials.filter(client_id__in=client_ids)
        outreach = outreach.filter(client_id__in=client_ids)
    past = []
    for client_id, code, category, created, deadline, verdict in cases.values_list(
        "client_id",
        "service__code",
        "service__category",
        "created_at",
        "requested_deadline",
        "verdict",
    ):
        past.append(
            PastCase(
                client=client_id,
                service=code,
                category=category,
                requested=created.astimezone(SHANGHAI).date(),
                deadline=deadline,
                expedited=verdict in EXPEDITED_VERDICTS,
            )
        )
    held: dict[int, list[Credential]] = {}
    for client_id, kind, title, expires in credentials.values_list(
        "client_id", "kind", "title", "expires_on"
    ):
        held.setdefault(client_id, []).append(Credential(kind, title, expires))
    reached: dict[int, list[dt.date]] = {}
    for client_id, at in outreach.values_list("client_id", "proposed_at"):
        reached.setdefault(client_id, []).append(at.astimezone(SHANGHAI).date())
    records = tuple(
        ClientRecord(
            client=pk,
            tier=tier,
            credentials=tuple(held.get(pk, ())),
            outreach=tuple(reached.get(pk, ())),
        )
        for pk, tier in clients.values_list("pk", "value_tier")
    )
    past.sort(key=lambda c: c.requested)
    start = past[0].requested if past else today
    return History(clients=records, cases=tuple(past), start=start, end=today)


def upcoming_for(client: Client, *, today: dt.date, days: int = 365) -> list[Upcoming]:
    """Every obligation of the client due from today to `days` ahead, soonest start first."""
    history = firm_history(today=today + dt.timedelta(days=1), client_ids=[client.pk])
    served: dict[str, dt.date] = {}
    for c in history.cases:
        served[c.service] = max(c.requested, served.get(c.service, c.requested))
    record = history.clients[0] if history.clients else ClientRecord(client.pk, client.value_tier)
    return client_obligations(
        load_obligations(),
        starts(),
        today=today,
        horizon_days=days,
        served=served,
        credentials=record.credentials,
    )
