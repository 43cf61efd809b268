"""The one-time codes that prove a phone number before a client's request is stored."""

from __future__ import annotations

from django.db import models


class RequestCode(models.Model):
    """A code sent to `phone` from the public request page; only its HMAC is kept."""

    phone = models.CharField(max_length=11, db_index=True)
    digest = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.phone[:3]}****{self.phone[-4:]}"
