"""Links become rows: every existing case gets a current link (the old signed links stop working).

The token is rebuilt the way expedite.portal.links builds it; it is written out here so that this
migration keeps working whatever that module becomes.
"""

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.core import signing
from django.db import migrations
from django.utils import timezone


def issue(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    PortalLink = apps.get_model("portal", "PortalLink")
    now = timezone.now()
    days = getattr(settings, "EXPEDITE_PORTAL_LINK_DAYS", 90)
    for case in Case.objects.filter(portal_links__isnull=True).only("pk"):
        link = PortalLink.objects.create(
            case=case,
            nonce=secrets.token_urlsafe(16),
            token_digest=f"-{case.pk}",
            created_at=now,
            expires_at=now + dt.timedelta(days=days),
        )
        token = signing.Signer(salt="expedite.portal.link").sign_object(
            {"l": link.pk, "n": link.nonce}, compress=True
        )
        link.token_digest = hashlib.sha256(token.encode()).hexdigest()
        link.save(update_fields=["token_digest"])


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial"), ("cases", "0002_casedocument_client_visible")]

    operations = [migrations.RunPython(issue, migrations.RunPython.noop)]
