from django.contrib import admin

from expedite.common.admin import ReadOnlyAdmin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("seq", "time", "actor_kind", "actor", "kind", "case")
    list_filter = ("kind", "actor_kind")
    search_fields = ("actor", "kind")
