from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CalendarFeed(models.Model):
    """A secret calendar address for one staff member or one case.

    The address carries the row's id and an HMAC of it with the row's nonce, so the page can
    show it again at any time while only someone holding it can read the feed; stopping or
    renewing the address marks the row revoked (a renewed one is a new row with a new nonce).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="calendar_feeds",
    )
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    nonce = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("创建时间"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(_("停用时间"), null=True, blank=True)
    last_read_at = models.DateTimeField(_("最近读取"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = pgettext_lazy("one", "日历订阅")
        verbose_name_plural = _("日历订阅")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=True) ^ models.Q(case__isnull=True),
                name="feed_for_a_person_or_a_case",
            ),
            # One live address per owner: renewing stops the old one in the same transaction.
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_live_feed_per_person",
            ),
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_live_feed_per_case",
            ),
        ]

    def __str__(self) -> str:
        return f"feed {self.pk}"
