from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ImportBatch(models.Model):
    """One upload: its checked rows as previewed, then what importing them did.

    The rows are kept as checked (canonical values and problems) so the preview, the import
    and the report all speak of the same rows; importing compares them with the database again.
    """

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("上传时间"))
    file_names = models.CharField(_("文件"), max_length=500)
    digest = models.CharField(max_length=64)
    # [{"sheet", "number", "values", "problems": [{"column", "template", "params"}], "action"}]
    rows = models.JSONField(default=list)
    # {"clients": {"new": n, "update": n, "same": n, "problem": n}, …}
    summary = models.JSONField(default=dict)
    applied_at = models.DateTimeField(_("导入时间"), null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = pgettext_lazy("one", "导入批次")
        verbose_name_plural = _("导入批次")

    def __str__(self) -> str:
        return self.file_names
