"""The authority matrix in the admin: one page per action with all its tiers.

An action's tiers are edited together (moving the 50,000 boundary changes two rows at once);
the whole set is checked with `validate_rules` and refused if it would overlap or leave a gap.
Every change is audited. Requests are shown read-only: they change through the services.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from expedite.audit.services import audit_record
from expedite.common.admin import ReadOnlyAdmin
from expedite.common.i18n import localized
from expedite.domain.approvals import ApprovalAction, ApprovalRule, validate_rules, yuan
from expedite.domain.audit import AuditKind
from expedite.domain.roles import Role

from .models import ApprovalPolicy, ApprovalRequest
from .models import ApprovalRule as RuleRow


class RuleFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        action = ApprovalAction(self.instance.action)
        kept = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or not data.get("role"):
                continue
            kept.append(
                ApprovalRule(
                    action=action,
                    min_amount=data.get("min_amount") or Decimal(0),
                    max_amount=data.get("max_amount"),
                    role=Role(data["role"]),
                )
            )
        problems = validate_rules(kept, actions=[action])
        if problems:
            raise forms.ValidationError([localized(p) for p in problems])


class RuleInline(admin.TabularInline):
    model = RuleRow
    formset = RuleFormSet
    extra = 0
    fields = ("min_amount", "max_amount", "role")


def _snapshot(policy: ApprovalPolicy) -> dict:
    return {
        "note": policy.note,
        "rules": [
            {
                "min": str(r.min_amount),
                "max": str(r.max_amount) if r.max_amount is not None else None,
                "role": r.role,
            }
            for r in RuleRow.objects.filter(action=policy).order_by("min_amount")
        ],
    }


@admin.register(ApprovalPolicy)
class ApprovalPolicyAdmin(admin.ModelAdmin):
    list_display = ("action", "tiers", "note")
    fields = ("action", "note")
    readonly_fields = ("action",)
    inlines = [RuleInline]

    @admin.display(description=_("审批层级"))
    def tiers(self, obj):
        parts = []
        for r in obj.rules.order_by("min_amount"):
            span = (
                f"≥ {yuan(r.min_amount)}"
                if r.max_amount is None
                else f"{yuan(r.min_amount)}–{yuan(r.max_amount)}"
            )
            parts.append(f"{span}：{r.get_role_display()}")
        return "；".join(parts)

    # The actions are the system's; administrators change who approves them, not the list.
    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        # The change view runs in one transaction: read the matrix before anything is saved.
        request._approval_before = _snapshot(ApprovalPolicy.objects.get(pk=obj.pk))
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        before = getattr(request, "_approval_before", None)
        after = _snapshot(form.instance)
        if before != after:
            audit_record(
                kind=AuditKind.APPROVAL_RULES_CHANGED,
                actor=request.user,
                payload={"action": form.instance.action, "before": before, "after": after},
            )


@admin.register(ApprovalRequest)
class ApprovalRequestAdmin(ReadOnlyAdmin):
    list_display = ("case", "action", "amount", "required_role", "status", "requested_at")
    list_filter = ("status", "action", "required_role")
