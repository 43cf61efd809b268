from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from expedite.common.admin import ReadOnlyAdmin

from .models import AUDIT_KIND_LABELS, AuditEvent


class KindFilter(admin.SimpleListFilter):
    """Filter by event kind, named in the user's language (the field itself has no choices)."""

    title = _("事件类型")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return [(kind.value, label) for kind, label in AUDIT_KIND_LABELS.items()]

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("seq", "time", "actor_kind", "actor", "kind_name", "case")
    list_filter = (KindFilter, "actor_kind")
    search_fields = ("actor", "kind")

    @admin.display(description=_("事件类型"), ordering="kind")
    def kind_name(self, obj):
        return obj.kind_label
