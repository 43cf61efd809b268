"""/p/<token>/confirm/: the client reviews the results, gets a one-time code and signs."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from expedite import clock
from expedite.common.forms import first_error
from expedite.common.i18n import localized
from expedite.domain.delivery import EVALUATION_LABELS, REMARK_MAX
from expedite.domain.errors import DomainError, ValidationFailed
from expedite.portal import ratelimit
from expedite.portal.access import mark_verified
from expedite.portal.forms import PortalActionForm
from expedite.portal.views import (
    code_check_refused,
    code_contacts,
    code_send_response,
    portal_view,
)

from . import selectors, services
from .forms import ConfirmForm

_CODE_KEY = "delivery_code:{case}"
log = logging.getLogger(__name__)


def _send(request, case, token: str):
    if case.state != "delivered" or selectors.confirmation_of(case) is not None:
        messages.error(request, _("本单当前没有待确认的结果，无需获取验证码。"))
        return redirect(request.path)
    return code_send_response(request, case, token, session_key=_CODE_KEY.format(case=case.pk))


@require_http_methods(["GET", "HEAD", "POST"])
@portal_view
def portal_confirm(request, case, token: str):
    action = PortalActionForm(request.POST).pressed() if request.method == "POST" else None
    if action == "send":
        return _send(request, case, token)
    key = _CODE_KEY.format(case=case.pk)
    error = None
    values = {"evaluation": "", "remark": ""}
    if action == "confirm":
        form = ConfirmForm(request.POST)
        values = {k: request.POST.get(k, "")[: REMARK_MAX + 100] for k in values}  # to re-show
        # Failed checks through the link are limited; a form with no valid code checks nothing.
        refused = form.is_valid() and code_check_refused(request, case, token, now=clock.now())
        if refused:
            return refused
        try:
            if not form.is_valid():
                raise ValidationFailed(first_error(form))
            services.delivery_confirm(
                case=case,
                code_id=request.session.get(key),
                code=form.cleaned_data["code"],
                evaluation=form.cleaned_data["evaluation"],
                remark=form.cleaned_data["remark"],
                ip=ratelimit.client_ip(request),
                now=clock.now(),
                seen=form.cleaned_data["results"] or None,
            )
        except DomainError as exc:
            error = localized(exc)
        except ImproperlyConfigured:
            # No font or no usable certificate: nothing was written, the code is still good.
            log.exception("confirmation of case %s could not be signed", case.pk)
            error = _("确认单暂时无法签署，请稍后再试，或联系您的客户对接专员。")
        else:
            ratelimit.code_check_succeeded(token, now=clock.now())
            request.session.pop(key, None)
            # The code proved who this is: the survey on the same page needs no second code.
            confirmation = selectors.confirmation_of(case)
            mark_verified(request, case, now=clock.now(), contact=confirmation.contact_name)
            messages.success(request, _("已确认。确认单已由本所电子签章签署，可在本页下载。"))
            return redirect(request.path)
    case.refresh_from_db()
    context = {
        "case": case,
        "token": token,
        "service_name": case.service.display_name(get_language()),
        "results": selectors.client_result_files(case),
        "results_digest": selectors.results_digest(case),
        "confirmation": selectors.confirmation_of(case),
        "waiting": case.state == "delivered",
        "code_sent": bool(request.session.get(key)),
        **code_contacts(case, token, now=clock.now()),
        "evaluations": [(k.value, _(v)) for k, v in EVALUATION_LABELS.items()],
        "values": values,
        "error": error,
        "remark_max": REMARK_MAX,
    }
    return render(request, "delivery/confirm.html", context, status=422 if error else 200)
