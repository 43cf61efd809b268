"""Demo radar: models trained on the synthetic history (seed 1) with their backtest, every
client scored, and the liaison's first proposal of planned work, which the client took.
Idempotent; returns the number of cases the proposals opened."""

from __future__ import annotations

import datetime as dt

from expedite.domain.calendar import SHANGHAI
from expedite.domain.roles import Role

from . import services
from .models import OutreachOutcome, RadarScore, RadarSource, RadarVersion


def radar_demo_load(*, users: dict, now: dt.datetime) -> int:
    if RadarVersion.objects.exists():
        return 0
    services.radar_train(source=RadarSource.SYNTHETIC, now=now, seed=1, label="demo")
    services.radar_score(now=now)
    today = now.astimezone(SHANGHAI).date()
    liaison = users[Role.LIAISON]
    proposed = 0
    for score in RadarScore.objects.order_by("-value", "pk"):
        for up in score.ahead:
            start = up.get("latest_start")
            if start is None or dt.date.fromisoformat(start) < today:
                continue
            outreach = services.radar_propose(
                actor=liaison,
                client_id=score.client_id,
                code=up["code"],
                due=dt.date.fromisoformat(up["due"]),
                now=now,
            )
            if not proposed:
                services.radar_outcome(
                    actor=liaison,
                    outreach_id=outreach.pk,
                    outcome=OutreachOutcome.CONVERTED,
                    note="客户同意按常规办理",
                    now=now,
                )
            proposed += 1
            break
        if proposed == 2:
            break
    return proposed
