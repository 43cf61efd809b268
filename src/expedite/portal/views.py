"""The client's view of a case: no account, a link, client-visible facts only."""

from __future__ import annotations

import logging
import smtplib
from functools import wraps
from urllib.parse import quote

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from expedite import clock
from expedite.cases.plans import definition_for
from expedite.cases.triage import case_intake_answer
from expedite.cases.triage_forms import stage_choices
from expedite.common.i18n import localized
from expedite.domain.cases import CaseState
from expedite.domain.errors import DomainError
from expedite.domain.portal import mask_email, mask_name, mask_phone
from expedite.workdays.display import deadline_facts
from expedite.workdays.selectors import firm_calendar

from . import ratelimit, selectors, services
from .access import case_for_token, client_verified, not_found
from .forms import ClientIntakeForm, CodeEntryForm, CodeRequestForm, PortalActionForm
from .sections import portal_page, projected_finish

_CODE_KEY = "portal_code:{case}"

log = logging.getLogger(__name__)


def _private(response):
    # same-origin: the link never leaks to other sites, and the form's own POSTs still carry an
    # Origin that Django's CSRF check accepts (no-referrer would send "null").
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "private, no-store"
    return response


def too_many(request, text: str):
    response = render(request, "portal/too_many.html", {"text": text}, status=429)
    response["Retry-After"] = "60"
    return _private(response)


def portal_view(view):
    """Throttle the lookup, resolve the link, and answer every bad link with the same 404."""

    @wraps(view)
    def wrapper(request, token: str, *args, **kwargs):
        if not ratelimit.allow(request, "lookup", token):
            return too_many(request, _("访问过于频繁，请一分钟后再试。"))
        case = case_for_token(token)
        if case is None:
            return not_found(request)
        return _private(view(request, case, token, *args, **kwargs))

    return wrapper


def _initial(answers: dict) -> dict:
    initial = dict(answers)
    for key in ("written_notice", "materials_complete"):
        if isinstance(initial.get(key), bool):
            initial[key] = "yes" if initial[key] else "no"
    return initial


@require_http_methods(["GET", "HEAD", "POST"])
@portal_view
def portal_case(request, case, token: str):
    form = None
    # The three questions are asked until the firm has triaged the request.
    if case.state == CaseState.DRAFT:
        initial = case.intake.get("client") or {"deadline": case.requested_deadline}
        stages = stage_choices(definition_for(case))
        form = ClientIntakeForm(request.POST or None, initial=_initial(initial), stages=stages)
        if request.method == "POST" and form.is_valid():
            case_intake_answer(case=case, answers=form.answers(), now=clock.now())
            messages.success(request, _("已收到您的回答，我们会尽快给您答复。"))
            return redirect(request.path)
    elif request.method == "POST":
        return redirect(request.path)
    now = clock.now()
    sections = portal_page.bind(request, case)
    context = {
        "case": case,
        "form": form,
        "answered": bool(case.intake.get("client")),
        "deadline": deadline_facts(firm_calendar(), case.requested_deadline, today=clock.today()),
        "service_name": case.service.display_name(get_language()),
        "finish": projected_finish(case, now=now),
        "liaison": selectors.liaison(case),
        "verified": client_verified(request, case, now=now),
        "todo": selectors.todo(request, case, now=now),
        "token": token,
        "sections": sections,
    }
    return render(request, "portal/case.html", context)


def _contact_label(contact) -> str:
    where = mask_email(contact.email) if contact.email else mask_phone(contact.phone)
    return f"{mask_name(contact.name)} {where}"


@require_http_methods(["GET", "HEAD", "POST"])
@portal_view
def portal_verify(request, case, token: str):
    """验证身份: pick a registered contact, receive a code, enter it."""
    now = clock.now()
    key = _CODE_KEY.format(case=case.pk)
    action = PortalActionForm(request.POST).pressed() if request.method == "POST" else ""
    if action == "send":
        if not ratelimit.allow(request, "code", token):
            return too_many(request, _("获取验证码过于频繁，请 10 分钟后再试。"))
        contact_id = CodeRequestForm(request.POST).contact_id()
        try:
            row = services.code_send(case=case, contact_id=contact_id, now=now)
        except DomainError as exc:
            messages.error(request, localized(exc))
        except (OSError, smtplib.SMTPException):
            # The mail server is down: nothing was stored (the send is inside the transaction).
            log.exception("verification code not sent for case %s", case.pk)
            messages.error(request, _("验证码暂时发送不出去，请稍后再试，或联系您的客户对接专员。"))
        else:
            request.session[key] = row.pk
            messages.success(request, _("验证码已发送，10 分钟内有效。"))
        return redirect(request.path)
    if action == "check":
        try:
            services.code_verify(
                request,
                case=case,
                code_id=request.session.get(key),
                code=CodeEntryForm(request.POST).code_text(),
                now=now,
            )
        except DomainError as exc:
            messages.error(request, localized(exc))
            return redirect(request.path)
        request.session.pop(key, None)
        messages.success(request, _("身份已验证，30 分钟内可在本页办理上传、确认等操作。"))
        return redirect("portal_case", token=token)
    context = {
        "case": case,
        "token": token,
        "service_name": case.service.display_name(get_language()),
        "contacts": [(c.pk, _contact_label(c)) for c in services.verifiable_contacts(case)],
        "code_sent": bool(request.session.get(key)),
        "verified": client_verified(request, case, now=now),
    }
    return render(request, "portal/verify.html", context)


def attachment_headers(response, filename: str):
    """Download headers that keep the browser from rendering or caching the file."""
    ascii_name = filename.encode("ascii", "ignore").decode().replace('"', "").replace("\\", "")
    ascii_name = "".join(ch for ch in ascii_name if 32 <= ord(ch) < 127) or "download"
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_http_methods(["GET", "HEAD"])
@portal_view
def portal_file(request, case, token: str, pk: int):
    doc = selectors.client_files(case).filter(pk=pk).first()
    if doc is None:
        return not_found(request)
    response = FileResponse(doc.file.open("rb"), content_type="application/octet-stream")
    return attachment_headers(response, doc.name)


def milestones_section(request, case) -> dict:
    return {"milestones": selectors.milestones(case)}


def files_section(request, case) -> dict:
    return {"files": selectors.client_files(case)}
