"""A case is confirmed by its client's signed confirmation, never by a member of staff."""

from __future__ import annotations

from django.utils.translation import gettext as _

from expedite.domain.cases import CaseState
from expedite.domain.errors import ValidationFailed

from .models import Confirmation


def confirmed_only_by_the_client(case, target: CaseState, actor) -> None:
    if target != CaseState.CONFIRMED:
        return

    if not Confirmation.objects.filter(case_id=case.pk).exists():
        raise ValidationFailed(
            _("结果须由客户在进度页用验证码确认并签署确认单，员工不能代为确认。"), field="state"
        )
