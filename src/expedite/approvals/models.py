"""The authority matrix (editable by administrators) and the approval requests on cases."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from expedite.cases.models import CASE_STATE_CHOICES, Case
from expedite.domain.approvals import AUTHORITY, ApprovalAction
from expedite.domain.approvals import ApprovalRule as RuleValue
from expedite.domain.roles import Role

ACTION_CHOICES = [
    (ApprovalAction.REFUND.value, _("加急退税")),
    (ApprovalAction.SURCHARGE_WAIVER.value, _("减免加急费")),
    (ApprovalAction.ACCEPT_INFEASIBLE.value, _("接受无法按期完成的加急单")),
]

_APPROVER_LABELS = {Role.MANAGER: _("部门经理"), Role.GENERAL_MANAGER: _("总经理")}
APPROVER_CHOICES = [(r.value, _APPROVER_LABELS[r]) for r in AUTHORITY]


class ApprovalPolicy(models.Model):
    """One action of the matrix; its rules are edited together so a boundary moves at once."""

    action = models.CharField(
        _("审批事项"), max_length=32, primary_key=True, choices=ACTION_CHOICES
    )
    note = models.CharField(_("依据"), max_length=300, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("one", "审批规则")
        verbose_name_plural = _("审批矩阵")

    def __str__(self) -> str:
        return str(self.get_action_display())


class ApprovalRule(models.Model):
    """`role` approves from `min_amount` (inclusive) to `max_amount` (exclusive; empty: no end)."""

    action = models.ForeignKey(
        ApprovalPolicy,
        on_delete=models.CASCADE,
        related_name="rules",
        db_column="action",
        verbose_name=_("审批事项"),
    )
    min_amount = models.DecimalField(
        _("金额下限（含，元）"), max_digits=14, decimal_places=2, default=0
    )
    max_amount = models.DecimalField(
        _("金额上限（不含，元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    role = models.CharField(_("审批人"), max_length=32, choices=APPROVER_CHOICES)

    class Meta:
        ordering = ["action", "min_amount"]
        verbose_name = pgettext_lazy("one", "审批层级")
        verbose_name_plural = _("审批层级")

    def __str__(self) -> str:
        top = f"{self.max_amount}" if self.max_amount is not None else "∞"
        return f"{self.action_id} [{self.min_amount}, {top}) {self.role}"

    def to_domain(self) -> RuleValue:
        return RuleValue(
            action=ApprovalAction(self.action_id),
            min_amount=self.min_amount,
            max_amount=self.max_amount,
            role=Role(self.role),
        )


class ApprovalRequest(models.Model):
    PENDING = "pending"
    GRANTED = "granted"
    DENIED = "denied"
    WITHDRAWN = "withdrawn"
    STATUS_CHOICES = [
        (PENDING, _("待审批")),
        (GRANTED, _("已批准")),
        (DENIED, _("已驳回")),
        (WITHDRAWN, _("已撤回")),
    ]

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="approvals")
    action = models.CharField(_("审批事项"), max_length=32, choices=ACTION_CHOICES)
    amount = models.DecimalField(
        _("金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    # The move this request holds back until it is granted.
    blocks = models.CharField(_("审批前不能改为"), max_length=16, choices=CASE_STATE_CHOICES)
    justification = models.TextField(_("申请理由"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("申请时间"))
    # The matrix as it was when the request was made: a later edit does not move it.
    required_role = models.CharField(_("审批人"), max_length=32, choices=APPROVER_CHOICES)
    status = models.CharField(_("状态"), max_length=16, choices=STATUS_CHOICES, default=PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_reason = models.TextField(_("审批意见"), blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = pgettext_lazy("one", "审批申请")
        verbose_name_plural = _("审批申请")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "action"],
                condition=Q(status="pending"),
                name="approvals_one_pending_per_case_action",
            )
        ]
        indexes = [models.Index(fields=["status", "required_role"])]

    def __str__(self) -> str:
        return f"{self.case} {self.action} {self.status}"
