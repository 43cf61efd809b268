"""Forms only parse and render input; the rules live in services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from expedite.common.i18n import localized
from expedite.domain.errors import DomainError
from expedite.domain.identifiers import normalize_phone, normalize_uscc

from .models import (
    CONTACT_LANGUAGE_CHOICES,
    DEFAULT_CONTACT_LANGUAGE,
    VALUE_TIER_CHOICES,
    ContactChannel,
)


class DateInput(forms.DateInput):
    """A native date picker; it only understands ISO dates, whatever the UI language."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class PanelForm(forms.Form):
    """A form drawn on the case page beside the other panels' forms.

    Its ids carry the form's `ids` name (id_cost_kind, not id_kind), so no two panels share
    an id and every label points at its own field. Field names, and so what is posted, stay
    as they are.
    """

    ids = ""

    def __init__(self, *args, **kwargs):
        if self.ids:
            kwargs.setdefault("auto_id", f"id_{self.ids}_%s")
        super().__init__(*args, **kwargs)


def language_field() -> forms.TypedChoiceField:
    # Optional: a form posted without it (an older page, a script) keeps the default.
    return forms.TypedChoiceField(
        label=_("联系人语言"),
        choices=CONTACT_LANGUAGE_CHOICES,
        initial=DEFAULT_CONTACT_LANGUAGE,
        required=False,
        empty_value=DEFAULT_CONTACT_LANGUAGE,
        help_text=_("客户进度页、通知和结果确认单使用的语言。"),
        error_messages={"invalid_choice": _("联系人语言无效：请选择中文或英文。")},
    )


class ClientForm(forms.Form):
    name = forms.CharField(label=_("公司名称"), max_length=200)
    uscc = forms.CharField(
        label=_("统一社会信用代码"), max_length=30, help_text=_("18 位，见营业执照。")
    )
    value_tier = forms.ChoiceField(label=_("客户价值等级"), choices=VALUE_TIER_CHOICES)
    contact_name = forms.CharField(label=_("联系人"), max_length=100)
    contact_title = forms.CharField(label=_("职务"), max_length=100, required=False)
    contact_phone = forms.CharField(label=_("手机号"), max_length=30, required=False)
    contact_email = forms.EmailField(label=_("电子邮箱"), required=False)
    contact_language = language_field()
    notes = forms.CharField(
        label=_("备注"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    # The same checks the service makes, run here too so that every problem on the form is
    # reported in one round instead of one at a time.
    def clean_uscc(self):
        return _domain_clean(normalize_uscc, self.cleaned_data["uscc"])

    def clean_contact_phone(self):
        phone = self.cleaned_data["contact_phone"]
        return _domain_clean(normalize_phone, phone) if phone.strip() else ""


def _domain_clean(check, value):
    try:
        return check(value)
    except DomainError as exc:
        raise forms.ValidationError(localized(exc)) from exc


class ContactForm(forms.Form):
    contact_name = forms.CharField(label=_("联系人"), max_length=100)
    contact_title = forms.CharField(label=_("职务"), max_length=100, required=False)
    contact_phone = forms.CharField(label=_("手机号"), max_length=30, required=False)
    contact_email = forms.EmailField(label=_("电子邮箱"), required=False)
    contact_language = language_field()


class ContactLanguageForm(forms.Form):
    """A registered contact's language, changed on the client page."""

    contact = forms.IntegerField(min_value=1)
    language = forms.ChoiceField(
        choices=CONTACT_LANGUAGE_CHOICES,
        error_messages={"invalid_choice": _("联系人语言无效：请选择中文或英文。")},
    )
    channel = forms.ChoiceField(
        choices=ContactChannel.choices,
        required=False,
        error_messages={"invalid_choice": _("请选择通知方式。")},
    )


class CaseForm(forms.Form):
    client = forms.TypedChoiceField(label=pgettext_lazy("one", "客户"), coerce=int)
    service = forms.ChoiceField(label=_("服务事项"))
    requested_deadline = forms.DateField(label=_("要求截止日期"), widget=DateInput)
    reason = forms.CharField(
        label=_("加急原因"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("为什么急、急到什么程度；有无书面通知。"),
    )

    def __init__(self, *args, clients, services, language, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].choices = [("", "—")] + [(c.pk, c.name) for c in clients]
        self.fields["service"].choices = [("", "—")] + [
            (s.code, s.display_name(language)) for s in services
        ]


def add_domain_error(form: forms.Form, error: DomainError) -> None:
    """Show a service's error next to its field (or above the form)."""
    field = error.field
    aliases = {"phone": "contact_phone"}
    field = aliases.get(field, field)
    form.add_error(field if field in form.fields else None, localized(error))


class MoveForm(forms.Form):
    """A move of the case: the state it goes to (the lifecycle says which are allowed) and,
    where the move needs one, the reason."""

    to = forms.CharField(max_length=32)
    reason = forms.CharField(required=False, strip=False, max_length=20_000)


class OptionChoiceForm(forms.Form):
    """The option the client chose (cases.choice): one of those the triage quoted."""

    option = forms.ChoiceField(
        label=_("客户选择的方案"),
        choices=[("standard", "standard"), ("recommended", "recommended"), ("fastest", "fastest")],
    )
