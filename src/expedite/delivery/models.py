from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from expedite.cases.models import Case, CaseDocument
from expedite.domain.delivery import EVALUATION_LABELS

EVALUATION_CHOICES = [(k.value, _(v)) for k, v in EVALUATION_LABELS.items()]


class Confirmation(models.Model):
    """结果确认单: the client's signed-for confirmation of a delivered case (one per case).

    What the client confirmed (who, when, from where, with which code) is also inside the
    signed PDF; this row finds it and its document again."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="confirmation")
    evaluation = models.CharField(_("客户评价"), max_length=16, choices=EVALUATION_CHOICES)
    remark = models.TextField(_("意见"), blank=True)
    contact_name = models.CharField(_("确认人"), max_length=100)
    confirmed_at = models.DateTimeField(_("确认时间"))
    ip = models.GenericIPAddressField(_("确认 IP"), null=True, blank=True)
    # The portal's one-time code (VerificationCode) the client entered; its number, kept even
    # after a retention purge removed the code rows.
    code_number = models.PositiveIntegerField(_("验证码编号"))
    # Null only while the row is being written; SET_NULL so a purge may remove documents first.
    document = models.ForeignKey(
        CaseDocument, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signer_subject = models.CharField(_("签章证书"), max_length=300)
    signer_sha256 = models.CharField(max_length=64)
    self_signed = models.BooleanField(_("自签名证书"), default=False)

    class Meta:
        verbose_name = pgettext_lazy("one", "结果确认单")
        verbose_name_plural = _("结果确认单")

    def __str__(self) -> str:
        return f"confirmation of case {self.case_id}"
