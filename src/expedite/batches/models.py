"""A batch (批量申请): one request, one requester, one service and one deadline for several
companies; each company's work is an ordinary case linked to the batch."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from expedite.cases.models import Case, ClientContact, ServiceType


class Batch(models.Model):
    reference = models.CharField(_("编号"), max_length=20, unique=True, null=True)  # noqa: DJ001 - set just after insert
    # Who asked: a contact of one of the firm's clients (a group's finance head asking for its
    # subsidiaries), not necessarily of one of the companies in the batch.
    requester = models.ForeignKey(
        ClientContact, on_delete=models.PROTECT, related_name="+", verbose_name=_("委托人")
    )
    service = models.ForeignKey(
        ServiceType, on_delete=models.PROTECT, related_name="+", verbose_name=_("服务事项")
    )
    requested_deadline = models.DateField(_("要求截止日期"))
    reason = models.TextField(_("加急原因"))
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = pgettext_lazy("one", "批量申请")
        verbose_name_plural = _("批量申请")

    def __str__(self) -> str:
        return self.reference or f"#{self.pk}"


class BatchCase(models.Model):
    """One company's case in a batch; a case belongs to one batch at most."""

    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="members")
    # A case purged after the retention period takes its link with it.
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="batch_link")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["batch", "position"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "position"], name="batch_case_position")
        ]
        verbose_name = pgettext_lazy("one", "批量申请中的加急单")
        verbose_name_plural = _("批量申请中的加急单")

    def __str__(self) -> str:
        return f"{self.batch} · {self.case}"
