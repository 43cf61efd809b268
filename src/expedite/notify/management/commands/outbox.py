"""`expedite outbox status [--json]` and `expedite outbox send [--batch N]`."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand
from django.utils import timezone

from expedite import clock
from expedite.common.process import worker_identity
from expedite.notify.delivery import deliver_due
from expedite.notify.selectors import outbox_status, troubled


class Command(BaseCommand):
    help = "Show what the outbox still has to send, or send what is due now."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        st = sub.add_parser("status", help="counts, and the pending messages with their errors")
        st.add_argument("--json", action="store_true")
        se = sub.add_parser("send", help="send what is due now (as the minute job does)")
        se.add_argument("--batch", type=int, default=100)

    def handle(self, *args, action, **o):
        now = clock.now()
        if action == "send":
            result = deliver_due(now=now, worker=f"cli:{worker_identity()}", batch=o["batch"])
            self.stdout.write(json.dumps(result))
            return
        status = outbox_status(now=now)
        if o["json"]:
            self.stdout.write(json.dumps(status, ensure_ascii=False))
            return
        self.stdout.write(
            f"pending {status['pending']} · due {status['due']} · failing {status['failing']}"
            f" · sent {status['sent']}"
        )
        for row in troubled(limit=50):
            if row.attempts:
                when = timezone.localtime(row.next_attempt_at).strftime("%Y-%m-%d %H:%M:%S")
                self.stdout.write(
                    f"{row.key} [{row.channel}] attempts {row.attempts}, next {when}: "
                    f"{row.last_error}"
                )
