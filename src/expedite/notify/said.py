"""What a message to staff says, kept as phrases (`domain.phrases`) rather than as words.

A staff message is stored with its subject and body lines as phrases (`OutboxMessage.said`):
the in-app list renders them in the reader's language when it is shown, and an e-mail is
written in its recipient's language when it is queued. Whoever happened to act, in whatever
language, does not decide what a colleague reads.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.utils.translation import override

from expedite.cases.words import say
from expedite.domain.phrases import Msg, Phrase, gettext_noop, templates

# One part of a message: a phrase, a phrase already stored (`as_json()`), or plain text (what
# people wrote, or a message written before messages were phrases).
Part = Phrase | Mapping | str
# A body: one part, or its lines in order.
Body = Part | Sequence[Part]

templates(
    {
        "notify.item": gettext_noop("- %(text)s"),
        "notify.titled": gettext_noop("%(title)s（%(n)s）"),
    }
)


def stored(part: Part) -> Any:
    if isinstance(part, Phrase):
        return part.as_json()
    if isinstance(part, Mapping):
        return dict(part)
    return str(part)


def item(part: Part) -> dict:
    """A line of a list ("- …") whose text is `part`, stored."""
    return {"code": "notify.item", "params": {"text": _param(part)}}


def _param(part: Part) -> Any:
    value = stored(part)
    return {"phrase": value} if isinstance(value, dict) else value


def said(subject: Part, body: Body) -> dict:
    """The stored form of a message: {"subject": part, "body": [part, …]}."""
    lines = list(body) if isinstance(body, list | tuple) else [body]
    return {"subject": stored(subject), "body": [stored(line) for line in lines]}


def render(words: Mapping) -> tuple[str, str]:
    """(subject, body) of a stored message in the active language."""
    return say(words.get("subject", "")), "\n".join(say(line) for line in words.get("body", ()))


def written_in(words: Mapping, language: str) -> tuple[str, str]:
    with override(language):
        return render(words)


def in_chinese(words: Mapping) -> tuple[str, str]:
    """The firm's own language: what the outbox keeps as the message's text."""
    return written_in(words, settings.LANGUAGE_CODE)


def label(choice) -> Msg:
    """A choice's label (a lazily translated Chinese msgid) as a `Msg`, translated when read."""
    with override(None):
        return Msg(str(choice))


def choice(obj, field: str) -> Msg | str:
    """The label of `obj`'s choice in `field`, as a `Msg` (its value when it has no label)."""
    value = getattr(obj, field)
    labels = dict(obj._meta.get_field(field).flatchoices)
    return label(labels[value]) if value in labels else str(value)
