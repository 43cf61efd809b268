"""What the client sees on the portal: the daily reports sent and the warnings told."""

from __future__ import annotations

from .models import DailyReport, RiskWarning


def portal_context(request, case) -> dict:
    return {
        "monitoring_reports": list(DailyReport.objects.filter(case=case, status="sent")[:10]),
        # Only warnings still in force: one that cleared (the projection recovered, the case
        # was delivered) no longer describes the case.
        "monitoring_warnings": list(
            RiskWarning.objects.filter(case=case, status="sent", cleared_at__isnull=True)[:10]
        ),
    }
