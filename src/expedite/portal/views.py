"""The client's view of a case: no account, a link, client-visible facts only."""

from __future__ import annotations

import datetime as dt
import logging
import math
import smtplib
from functools import wraps
from urllib.parse import quote

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from expedite import clock
from expedite.cases.limits import authority_lines
from expedite.cases.plans import definition_for
from expedite.cases.triage import case_intake_answer
from expedite.cases.triage_forms import stage_choices
from expedite.common.i18n import localized
from expedite.domain.cases import CaseState
from expedite.domain.errors import DomainError
from expedite.domain.portal import mask_email, mask_name, mask_phone
from expedite.notify.notices import wants
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


def local_time(instant: dt.datetime, *, now: dt.datetime, seconds: bool = False) -> str:
    """An instant as the client reads it: the firm's time zone, with the date when that is not
    the date at `now`. Rounded up (to the second, or the minute), never shown too early."""
    local = timezone.localtime(instant)
    unit = dt.timedelta(seconds=1) if seconds else dt.timedelta(minutes=1)
    floor = local.replace(microsecond=0) if seconds else local.replace(second=0, microsecond=0)
    local = floor if floor == local else floor + unit
    shown = local.strftime("%H:%M:%S" if seconds else "%H:%M")
    if local.date() != timezone.localtime(now).date():
        shown = f"{local:%m-%d} {shown}"
    return shown


def too_many(request, text: str, *, until: dt.datetime | None = None, case=None, back: str = ""):
    """429: what was refused, when to try again (the firm's time) and, once the link is known to
    be good, whom to call (the case's liaison) and the way back to the page."""
    now = clock.now()
    context = {
        "text": text,
        "until": local_time(until, now=now) if until else "",
        "liaison": selectors.liaison(case) if case is not None else None,
        "back": back,
    }
    response = render(request, "portal/too_many.html", context, status=429)
    wait = (until - now).total_seconds() if until else 60
    response["Retry-After"] = str(max(1, math.ceil(wait)))
    return _private(response)


def too_many_lookups(request):
    """The lookup limit: before the link is resolved, so nothing about the case is shown."""
    until = ratelimit.retry_at("lookup", now=clock.now())
    return too_many(request, _("访问过于频繁，请稍后再试。"), until=until)


def code_contacts(case, token: str, *, now: dt.datetime) -> dict:
    """The 发送验证码 form's context: each contact that can receive a code, masked, with the
    time a new code may go to it through this link (the cooldown), and how many seconds away."""
    rows = []
    for contact in services.verifiable_contacts(case):
        resend = ratelimit.code_resend_at(token, contact.pk, now=now)
        rows.append(
            {
                "pk": contact.pk,
                "label": _contact_label(contact),
                "resend_at": local_time(resend, now=now, seconds=True) if resend else "",
                "wait": math.ceil((resend - now).total_seconds()) if resend else 0,
            }
        )
    ready = [r for r in rows if not r["wait"]]
    if ready:
        ready[0]["checked"] = True
    # Every contact cooling down: the button waits for the first of them to be ready.
    first = None if ready else min(rows, key=lambda r: r["wait"], default=None)
    return {
        "contacts": rows,
        "send_wait": first["wait"] if first else 0,
        "send_at": first["resend_at"] if first else "",
    }


def code_send_response(request, case, token: str, *, session_key: str):
    """发送验证码, for every portal page that asks for a code: the cooldown, the limits per link
    and per recipient, then the send. Answers with a redirect back, or 429 over a limit."""
    now = clock.now()
    contact_id = CodeRequestForm(request.POST).contact_id()
    refused = ratelimit.code_send_begin(token, contact_id, now=now)
    if refused is not None and refused.why == ratelimit.Why.COOLDOWN:
        # A second press (or a misclick): the code already sent stays valid.
        text = _("验证码刚刚已发送，请查收。如未收到，可于 %(time)s 后重新发送。")
        when = local_time(refused.until, now=now, seconds=True)
        messages.error(request, text % {"time": when})
        return redirect(request.path)
    if refused is not None:
        text = _("获取验证码的次数过多。已发送的验证码在 10 分钟内仍然有效。")
        return too_many(request, text, until=refused.until, case=case, back=request.path)
    try:
        row = services.code_send(case=case, contact_id=contact_id, now=now)
    except DomainError as exc:
        ratelimit.code_send_failed(token, contact_id, now=now)
        messages.error(request, localized(exc))
    except (OSError, smtplib.SMTPException):
        # The mail server is down: nothing was stored (the send is inside the transaction).
        ratelimit.code_send_failed(token, contact_id, now=now)
        log.exception("verification code not sent for case %s", case.pk)
        messages.error(request, _("验证码暂时发送不出去，请稍后再试，或联系您的客户对接专员。"))
    else:
        request.session[session_key] = row.pk
        messages.success(request, _("验证码已发送，10 分钟内有效。"))
    return redirect(request.path)


def code_check_refused(request, case, token: str, *, now: dt.datetime):
    """Count one check of an entered code through the link: None, go ahead; else the 429."""
    refused = ratelimit.code_check_begin(token, now=now)
    if refused is None:
        return None
    text = _("验证码输错的次数过多。")
    return too_many(request, text, until=refused.until, case=case, back=request.path)


def portal_view(view):
    """Throttle the lookup, resolve the link, and answer every bad link with the same 404."""

    @wraps(view)
    def wrapper(request, token: str, *args, **kwargs):
        if not ratelimit.allow(request, "lookup", token):
            return too_many_lookups(request)
        case = case_for_token(token, request=request)
        if case is None:
            return not_found(request)
        response = _private(view(request, case, token, *args, **kwargs))
        response["Content-Language"] = request.LANGUAGE_CODE
        return response

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
        # The option quoted (or the one the client chose) with its fee, once there is a quote.
        "option": (case.triage or {}).get("recommended_option")
        if case.state not in (CaseState.DRAFT, CaseState.TRIAGED)
        else None,
        "chosen": bool((case.triage or {}).get("client_choice")),
        # The authorities' legal limits beside our dates (法定时限 and the firm's plan).
        "authorities": authority_lines(definition_for(case)),
        "verified": client_verified(request, case, now=now),
        "todo": selectors.todo(request, case, now=now),
        "token": token,
        "sections": sections,
    }
    return render(request, "portal/case.html", context)


def _contact_label(contact) -> str:
    # Where the code will go (services.code_send): e-mail if the contact takes it, else SMS.
    where = mask_email(contact.email) if wants(contact, "email") else mask_phone(contact.phone)
    return f"{mask_name(contact.name)} {where}"


@require_http_methods(["GET", "HEAD", "POST"])
@portal_view
def portal_verify(request, case, token: str):
    """验证身份: pick a registered contact, receive a code, enter it."""
    now = clock.now()
    key = _CODE_KEY.format(case=case.pk)
    action = PortalActionForm(request.POST).pressed() if request.method == "POST" else ""
    if action == "send":
        return code_send_response(request, case, token, session_key=key)
    if action == "check":
        if (refused := code_check_refused(request, case, token, now=now)) is not None:
            return refused
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
        ratelimit.code_check_succeeded(token, now=now)
        request.session.pop(key, None)
        messages.success(request, _("身份已验证，30 分钟内可在本页办理上传、确认等操作。"))
        return redirect("portal_case", token=token)
    context = {
        "case": case,
        "token": token,
        "service_name": case.service.display_name(get_language()),
        "code_sent": bool(request.session.get(key)),
        "verified": client_verified(request, case, now=now),
        **code_contacts(case, token, now=now),
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
