"""Password log-in, throttled for every way in: the log-in page, the admin's, and any later
caller of `authenticate`."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from expedite import clock
from expedite.common.addresses import client_address

from . import throttle


class ThrottledModelBackend(ModelBackend):
    """Django's user and password check, run only while the address has tries left.

    A refused try raises PermissionDenied, which ends `authenticate` without checking the
    password; `request.login_throttled` tells the form and the audit record why.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        username = str(username)[:150]
        address = client_address(request)
        now = clock.now()
        if not throttle.login_try_begin(username=username, address=address, now=now):
            if request is not None:
                request.login_throttled = True
            raise PermissionDenied
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None:
            throttle.login_try_succeeded(username=username, address=address, now=now)
        return user
