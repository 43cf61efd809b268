"""Who hears about what, through the outbox. Every key names one message to one recipient, so
running an action or a job twice never stores a second copy."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import override

from expedite.accounts.selectors import staff_languages, wecom_userids
from expedite.cases.models import Case, ClientContact, ContactChannel
from expedite.domain.roles import Role
from expedite.domain.sms import TEMPLATES, SmsKind, fit, mainland_mobile

from . import wecom_app
from .links import client_short_code
from .models import Channel
from .said import Body, Part, in_chinese, said, written_in
from .services import enqueue


def absolute(path: str) -> str:
    """A path on this site as the address people reach from outside it (e-mail, 企业微信)."""
    return settings.EXPEDITE_PUBLIC_URL.rstrip("/") + path


log = logging.getLogger(__name__)

T = TypeVar("T")
# Writes one message's (subject, body) in the language active when it is called.
Compose = Callable[[], tuple[str, str]]


def in_languages(write: Callable[[], T], languages: Iterable[str]) -> dict[str, T]:
    """What `write` writes, once in each of `languages` (each active while it writes)."""
    written = {}
    for language in dict.fromkeys(languages):
        with override(language):
            written[language] = write()
    return written


@dataclass(frozen=True)
class Told:
    """How many new messages went to the client's contacts, by channel."""

    emails: int = 0
    texts: int = 0

    @property
    def total(self) -> int:
        return self.emails + self.texts


def wants(contact: ClientContact, channel: str) -> bool:
    """Whether the contact hears from the firm on `channel`, by its choice and what it has."""
    if channel == Channel.EMAIL:
        return contact.channel != ContactChannel.SMS and bool(contact.email)
    return contact.channel != ContactChannel.EMAIL and mainland_mobile(contact.phone) is not None


def tell_client(
    *,
    key: str,
    case: Case,
    now: dt.datetime,
    compose: Compose | None = None,
    subject: str = "",
    body: str = "",
    sms: tuple[SmsKind, dict] | None = None,
) -> Told:
    """Tell every contact of the case's client, each on the channel it chose: e-mail, and a
    text message where the message has one (`sms`: the template and its variables, the link
    to the client's page added here). Returns how many messages were new.

    `compose` writes the e-mail: it is called with each contact's language active, so every
    contact reads it in its own. `subject` and `body` instead: one text, for every contact.
    """
    contacts = list(case.client.contacts.all())
    mailed = [c for c in contacts if wants(c, Channel.EMAIL)]
    texted = [c for c in contacts if wants(c, Channel.SMS)] if sms else []
    if compose is None:
        written = {c.language: (subject, body) for c in mailed}
    else:
        written = in_languages(compose, [c.language for c in mailed])
    emails = texts = 0
    for contact in mailed:
        title, text = written[contact.language]
        _, new = enqueue(
            key=f"{key}:{contact.pk}:email",
            channel=Channel.EMAIL,
            recipient=contact.email,
            subject=title,
            body=text,
            now=now,
            case=case,
            language=contact.language,
            contact=contact,
        )
        emails += new
    link = client_short_code(case, now=now) if texted else None
    needs_link = bool(sms) and any(v.name == "link" for v in TEMPLATES[sms[0]].variables)
    if texted and needs_link and link is None:
        # The client's link was revoked: a text message would point nowhere.
        log.warning("no text message for %s: the case has no client link", key)
        texted = []
    if texted:
        kind, values = sms
        variables = fit(kind, {**values, "link": link or ""})
        template = TEMPLATES[kind]
        rendered = template.render(variables, site=settings.EXPEDITE_PUBLIC_URL)
        for contact in texted:
            _, new = enqueue(
                key=f"{key}:{contact.pk}:sms",
                channel=Channel.SMS,
                recipient=mainland_mobile(contact.phone),
                subject=template.subject(variables)[:200],
                body=rendered,
                now=now,
                case=case,
                contact=contact,
                template=kind.value,
                variables=variables,
            )
            texts += new
    return Told(emails=emails, texts=texts)


def case_liaisons(case: Case) -> list:
    """The case's liaison, else whoever opened it."""
    users = [
        a.user
        for a in case.assignments.filter(role="liaison", user__isnull=False).select_related("user")
    ]
    if not users and case.created_by_id:
        users = [case.created_by]
    return users


def role_users(*roles: Role) -> list:
    return list(
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=[r.value for r in roles])
        .distinct()
        .order_by("pk")
    )


def tell_staff(
    *,
    key: str,
    users,
    case: Case | None,
    subject: Part,
    body: Body,
    now: dt.datetime,
    email: bool = False,
    link: str = "",
    wecom: bool | None = None,
) -> int:
    """In-app to each user (and e-mail to those with an address when `email`). What is worth an
    e-mail (escalations, incidents, hand-offs) also goes to each user's own 企业微信 where the
    firm's application is set up and the user has an account there, and to the team's
    企业微信 group when one is set up. `link`: the path where the recipient acts; the in-app
    message opens it and the e-mail and 企业微信 text carry it as an address on the public site.

    `subject` and `body` (a part or its lines) are phrases (said.py): each reader reads them in
    their own language — in the app when it is shown, by e-mail in the language they chose —
    whatever the language of whoever acted."""
    users = list(users)
    words = said(subject, body)
    title, text = in_chinese(words)
    languages = staff_languages(u.pk for u in users if email and u.email)
    written = {lang: written_in(words, lang) for lang in set(languages.values())}

    def outside(body_text: str) -> str:
        return f"{body_text}\n\n{absolute(link)}" if link else body_text

    created = 0
    # Each person's 企业微信 hears what is worth an e-mail, unless the caller says otherwise.
    to_wecom = email if wecom is None else wecom
    accounts = wecom_userids(u.pk for u in users) if to_wecom and wecom_app.configured() else {}
    if email and settings.EXPEDITE_WECOM_WEBHOOK_URL:
        # The team's group reads the firm's language.
        _, new = enqueue(
            key=f"{key}:wecom",
            channel="wecom",
            recipient="team",
            subject=title,
            body=f"**{title}**\n{outside(text)}",
            now=now,
            case=case,
            said=words,
        )
        created += new
    for user in users:
        _, new = enqueue(
            key=f"{key}:{user.pk}:inapp",
            channel="inapp",
            user=user,
            subject=title,
            body=text,
            now=now,
            case=case,
            link=link,
            said=words,
        )
        created += new
        if accounts.get(user.pk):
            # The card links to the place to act; its text is the firm's language, as the
            # group robot's.
            _, new = enqueue(
                key=f"{key}:{user.pk}:wecom_app",
                channel=Channel.WECOM_APP,
                recipient=accounts[user.pk],
                user=user,
                subject=title,
                body=text,
                now=now,
                case=case,
                link=link,
                said=words,
            )
            created += new
        if email and user.email:
            mail_title, mail_text = written[languages[user.pk]]
            _, new = enqueue(
                key=f"{key}:{user.pk}:email",
                channel="email",
                recipient=user.email,
                user=user,
                subject=mail_title,
                body=outside(mail_text),
                now=now,
                case=case,
                said=words,
                language=languages[user.pk],
            )
            created += new
    return created
