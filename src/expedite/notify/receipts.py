"""Delivery receipts: the provider says whether a text message reached the phone.

Both providers push a JSON array of reports to an address the firm gives them; neither signs
it, so the address ends in a secret (EXPEDITE_SMS_RECEIPT_TOKEN). A report names the message
by the provider's id (阿里云 biz_id, 腾讯云 sid); 阿里云's also carries our key (out_id), so a
message held because its send timed out is settled by its report: it went out after all. A
腾讯云 report of such a message names only an id we never received: it stays held.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from .models import Channel, Delivery, OutboxMessage, Status

MAX_REPORTS = 1000


def _reports(provider: str, items: list) -> list[tuple[str, str, bool, str]]:
    """(provider id, our key, delivered, note) of each well-formed report."""
    found = []
    for item in items[:MAX_REPORTS]:
        if not isinstance(item, dict):
            continue
        if provider == "aliyun":
            delivered = item.get("success") is True
            note = f"{item.get('err_code', '')} {item.get('err_msg', '')}"
            ref, key = item.get("biz_id"), item.get("out_id")
        else:
            delivered = item.get("report_status") == "SUCCESS"
            note = f"{item.get('errmsg', '')} {item.get('description', '')}"
            ref, key = item.get("sid"), ""
        if not isinstance(ref, str) or not ref:
            continue
        key = key if isinstance(key, str) else ""
        found.append((ref[:100], key[:200], delivered, note.strip()[:200]))
    return found


def _row_for(ref: str, key: str):
    rows = OutboxMessage.objects.select_for_update().filter(channel=Channel.SMS)
    row = rows.filter(provider_ref=ref).first()
    if row is None and key:
        row = rows.filter(key=key).first()
    return row


@transaction.atomic
def receipts_record(provider: str, items: list, *, now: dt.datetime) -> int:
    """Record each report on its message; returns how many messages it settled. A report for
    an unknown message is ignored (it may be another system's on the same account)."""
    settled = 0
    for ref, key, delivered, note in _reports(provider, items):
        row = _row_for(ref, key)
        if row is None:
            continue
        row.provider_ref = ref
        row.delivery = Delivery.DELIVERED if delivered else Delivery.FAILED
        row.delivered_at = now
        row.delivery_note = note
        fields = ["provider_ref", "delivery", "delivered_at", "delivery_note"]
        if row.status == Status.HELD:
            # It went out after all: nothing is left to decide.
            row.status, row.sent_at, row.last_error = Status.SENT, now, ""
            fields += ["status", "sent_at", "last_error"]
        row.save(update_fields=fields)
        settled += 1
    return settled
