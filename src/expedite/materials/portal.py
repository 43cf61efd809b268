"""The client's side: the checklist on the portal page, uploads and “材料已提交齐”.

A section of the portal page (registered in MaterialsConfig.ready); the page's context carries
`token`.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from expedite import clock
from expedite.common.forms import first_error
from expedite.common.i18n import localized
from expedite.domain.cases import CaseState
from expedite.domain.errors import DomainError
from expedite.portal import ratelimit
from expedite.portal.access import case_for_token, client_verified
from expedite.portal.sections import NextStep
from expedite.portal.views import too_many_lookups

from . import selectors
from .forms import UploadForm
from .services import MATERIALS_CLOSED, prereview_start, submission_add
from .views import field_rows

# Once the work is under way the client is asked for what is still missing.
_ASKING = frozenset(
    {CaseState.ACCEPTED, CaseState.MATERIALS, CaseState.IN_PROGRESS, CaseState.ON_HOLD}
)


def portal_context(request, case) -> dict:
    """Checklist rows with the review state and the reviewer's note; no staff names. Nothing
    is offered to upload once the result is delivered, and the notice only while it is open."""
    finished = selectors.latest_finished(case)
    items = selectors.item_states(case, finished=finished)
    acting = CaseState(case.state) not in MATERIALS_CLOSED
    notice_open = acting and bool(selectors.open_corrections(finished, items))
    return {
        "materials_items": [{"s": s, "fields": field_rows(s.material)} for s in items],
        "materials_acting": acting,
        "materials_verified": client_verified(request, case, now=clock.now()) is not None,
        "materials_notice": finished.notice_shown() if notice_open else "",
        "materials_due": selectors.correction_due(finished) if notice_open else None,
        "materials_round": selectors.open_round(case) if acting else None,
        "materials_max_mb": settings.EXPEDITE_MAX_UPLOAD_BYTES // 1024 // 1024,
        "materials_any": any(s.latest for s in items),
    }


def portal_next_steps(case, now) -> list[NextStep]:
    """ "您现在需要做的": the corrections of an open 一次性告知 with their deadline, then the
    required items never sent, while the case is under way."""
    if CaseState(case.state) not in _ASKING:
        return []
    finished = selectors.latest_finished(case)
    items = selectors.item_states(case, finished=finished)
    steps = []
    if corrections := selectors.open_corrections(finished, items):
        n = len(corrections)
        due = timezone.localtime(selectors.correction_due(finished)).strftime("%m-%d %H:%M")
        text = ngettext("请补正 %(n)s 项（截止 %(due)s）", "请补正 %(n)s 项（截止 %(due)s）", n)
        steps.append(NextStep(text % {"n": n, "due": due}, "#materials", needs_verification=True))
    if n := sum(1 for s in items if s.state == selectors.WAITING and s.material.required):
        text = ngettext("请上传 %(n)s 份材料", "请上传 %(n)s 份材料", n) % {"n": n}
        steps.append(NextStep(text, "#materials", needs_verification=True))
    return steps


def _case_and_contact(request, token: str):
    case = case_for_token(token, request=request)
    if case is None:
        raise Http404("invalid link")
    return case, client_verified(request, case, now=clock.now())


def _page(token: str, anchor: str = "materials"):
    return redirect(reverse("portal_case", args=[token]) + f"#{anchor}")


def _verify_first(request, token: str):
    messages.error(request, _("上传材料前请先验证身份：获取并输入验证码。"))
    return redirect(reverse("portal_verify", args=[token]) + "#verify")


def _throttled(request, token: str):
    """The portal's lookup limit counts these routes too (guessing tokens here is no cheaper)."""

    if not ratelimit.allow(request, "lookup", token):
        return too_many_lookups(request)
    return None


@require_POST
def portal_upload(request, token: str, item: str):
    if (refused := _throttled(request, token)) is not None:
        return refused
    case, contact = _case_and_contact(request, token)
    if contact is None:
        return _verify_first(request, token)
    material = next((m for m in selectors.checklist(case) if m.code == item), None)
    if material is None:
        raise Http404("no such item")
    data = request.POST.copy()
    data["item"] = item
    form = UploadForm(data, request.FILES, checklist=selectors.checklist(case))
    if not form.is_valid():
        missing = "file" in form.errors
        messages.error(request, _("请选择要上传的文件或拍照。") if missing else first_error(form))
        return _page(token)
    upload = form.cleaned_data["file"]
    try:
        submission_add(
            case=case,
            item=item,
            name=upload.name,
            content=upload.read(),
            fields=form.posted_fields(),
            now=clock.now(),
            contact=contact or _("客户"),
        )
    except DomainError as exc:
        messages.error(request, localized(exc))
    else:
        messages.success(request, _("已收到“%(item)s”，我们会尽快预审。") % {"item": material.name})
    return _page(token)


@require_POST
def portal_complete(request, token: str):
    if (refused := _throttled(request, token)) is not None:
        return refused
    case, contact = _case_and_contact(request, token)
    if contact is None:
        return _verify_first(request, token)
    try:
        prereview_start(case=case, now=clock.now(), contact=contact or _("客户"))
    except DomainError as exc:
        messages.error(request, localized(exc))
    else:
        messages.success(request, _("已通知我们开始预审，2 个工作小时内给您答复。"))
    return _page(token)
