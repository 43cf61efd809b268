"""How sending a message failed, which decides what the outbox does next."""

from __future__ import annotations


class ChannelError(Exception):
    """The channel did not take the message; a later attempt may (retried with backoff)."""


class ChannelRefused(ChannelError):
    """The channel refused the message for a reason no retry fixes (a template not approved,
    an unknown number or account): held for a person."""


class ChannelUncertain(ChannelError):
    """The request went out and no answer came: the message may have been sent, so it is
    held rather than retried, until a receipt settles it or a person decides."""


class ChannelDropped(ChannelError):
    """The message is no longer wanted (its webhook endpoint was disabled): never sent."""
