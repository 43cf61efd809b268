"""证照印章保管: the client's seals, licences, UKeys and originals while the firm holds them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from expedite.domain.custody import ConfirmMethod, ItemKind, ItemState, MovementKind

ITEM_KIND_CHOICES = [
    (ItemKind.COMPANY_SEAL.value, _("公章")),
    (ItemKind.FINANCE_SEAL.value, _("财务章")),
    (ItemKind.LEGAL_REP_SEAL.value, _("法人章")),
    (ItemKind.INVOICE_SEAL.value, _("发票专用章")),
    (ItemKind.LICENSE_ORIGINAL.value, _("营业执照正本")),
    (ItemKind.LICENSE_COPY.value, _("营业执照副本")),
    (ItemKind.TAX_UKEY.value, _("税务UKey")),
    (ItemKind.CA_CERT.value, _("CA证书")),
    (ItemKind.ORIGINAL_DOCUMENT.value, _("原件")),
    (ItemKind.OTHER.value, _("其他")),
]

ITEM_STATE_CHOICES = [
    (ItemState.IN_FIRM.value, _("本所保管中")),
    (ItemState.RETURNED.value, _("已归还客户")),
]

MOVEMENT_KIND_CHOICES = [
    (MovementKind.CHECK_IN.value, _("客户交来")),
    (MovementKind.TRANSFER.value, _("内部转交")),
    (MovementKind.CHECK_OUT.value, _("归还客户")),
]

CONFIRM_METHOD_CHOICES = [
    (ConfirmMethod.STAFF.value, _("员工确认")),
    (ConfirmMethod.PORTAL_CODE.value, _("客户凭确认码确认")),
]


class CustodyItem(models.Model):
    client = models.ForeignKey(
        "cases.Client",
        on_delete=models.PROTECT,
        related_name="custody_items",
        verbose_name=pgettext_lazy("one", "客户"),
    )
    # Usually the case the item was handed over for; an item may serve several cases.
    case = models.ForeignKey(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="custody_items",
        verbose_name=pgettext_lazy("one", "加急单"),
    )
    kind = models.CharField(_("物品类别"), max_length=32, choices=ITEM_KIND_CHOICES)
    label = models.CharField(_("物品说明"), max_length=200, blank=True)
    # The staff member holding it while in the firm; None once returned to the client.
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("保管人"),
    )
    since = models.DateTimeField(_("保管起始"))
    expected_return = models.DateField(_("预计归还日期"), null=True, blank=True)
    state = models.CharField(
        _("状态"), max_length=16, choices=ITEM_STATE_CHOICES, default=ItemState.IN_FIRM.value
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["expected_return", "pk"]
        verbose_name = pgettext_lazy("one", "保管物品")
        verbose_name_plural = _("保管物品")
        indexes = [models.Index(fields=["state", "expected_return"])]

    def __str__(self) -> str:
        name = self.get_kind_display()
        return f"{name} {self.label}".strip()


class CustodyMovement(models.Model):
    """One handover. Append-only: only the confirmation is filled in later, once."""

    CONFIRMATION_FIELDS = frozenset(
        {"confirmed_at", "confirmed_by", "confirmed_by_client", "confirm_method"}
    )

    item = models.ForeignKey(CustodyItem, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(_("交接类型"), max_length=16, choices=MOVEMENT_KIND_CHOICES)
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_client = models.CharField(_("交出人（客户）"), max_length=100, blank=True)
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_client = models.CharField(_("接收人（客户）"), max_length=100, blank=True)
    purpose = models.CharField(_("用途"), max_length=200)
    at = models.DateTimeField(_("交接时间"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_by_client = models.CharField(_("确认人（客户）"), max_length=100, blank=True)
    confirm_method = models.CharField(
        _("确认方式"), max_length=16, choices=CONFIRM_METHOD_CHOICES, blank=True
    )

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = pgettext_lazy("one", "交接记录")
        verbose_name_plural = _("交接记录")
        indexes = [models.Index(fields=["confirmed_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.item}"

    def save(self, *args, **kwargs):
        # A handover is evidence: once written, only its confirmation may be added.
        fields = kwargs.get("update_fields")
        if not self._state.adding and (fields is None or set(fields) - self.CONFIRMATION_FIELDS):
            raise ValueError("custody movements are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("custody movements are append-only")

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None


class HandoverCode(models.Model):
    """A one-time code e-mailed to the client's primary contact; only its HMAC is stored."""

    movement = models.ForeignKey(CustodyMovement, on_delete=models.PROTECT, related_name="codes")
    digest = models.CharField(max_length=64)
    sent_to_name = models.CharField(max_length=100)
    sent_to_email = models.EmailField(blank=True)  # empty: sent by text message
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    # Set when a new code replaces this one: the old code stops working.
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"code for movement {self.movement_id}"
