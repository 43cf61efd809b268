"""Reads for clients and cases, with the permission check."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TypeVar

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from expedite.accounts.selectors import user_can
from expedite.domain.cases import CaseState
from expedite.domain.errors import NotAllowed, NotFound
from expedite.domain.roles import Capability
from expedite.domain.text import clean_query

from .models import Case, CaseDocument, Client, ClientCredential, ServiceType

T = TypeVar("T")


def _check_view(user) -> None:
    if not user_can(user, Capability.VIEW_CASES):
        raise NotAllowed(_("您没有查看加急单的权限。"))


def case_list(*, user, query: str = "", state: str = "") -> QuerySet[Case]:
    _check_view(user)
    query = clean_query(query)
    cases = Case.objects.select_related("client", "service")
    if query:
        cases = cases.filter(
            Q(reference__icontains=query)
            | Q(client__name__icontains=query)
            | Q(service__name_zh__icontains=query)
            | Q(reason__icontains=query)
        )
    if state in CaseState.__members__.values():
        cases = cases.filter(state=state)
    return cases


def access_case(*, user, pk: int) -> Case:
    _check_view(user)
    case = Case.objects.select_related("client", "service", "created_by").filter(pk=pk).first()
    if case is None:
        raise NotFound(_("找不到该加急单。"))
    return case


def read_once(case: Case, key: str, read: Callable[[], T]) -> T:
    """Rows about a case read once per case object. The case page hands one case object to
    every panel, so panels showing the same rows (the files, the steps, the reviews) share one
    query. For reads that only display: a service that writes reads afresh."""
    memo = case.__dict__.setdefault("_read_once", {})
    if key not in memo:
        memo[key] = read()
    return memo[key]


def case_documents(case: Case) -> list[CaseDocument]:
    """Every file of the case, newest first (read once per case object)."""
    return read_once(
        case, "documents", lambda: list(case.documents.order_by("-uploaded_at", "-pk"))
    )


def client_language(case: Case) -> str:
    """The language the case's client reads (its primary contact's), read once per case."""
    return read_once(case, "client_language", case.client.language)


def client_list(*, user, query: str = "") -> QuerySet[Client]:
    _check_view(user)
    query = clean_query(query)
    clients = Client.objects.all()
    if query:
        clients = clients.filter(Q(name__icontains=query) | Q(uscc__icontains=query))
    return clients


def access_client(*, user, pk: int) -> Client:
    _check_view(user)
    client = Client.objects.filter(pk=pk).first()
    if client is None:
        raise NotFound(_("找不到该客户。"))
    return client


# A client's licences on its page: the ones ending soonest first; a firm's long tail is bounded.
SHOWN_CREDENTIALS = 50


def client_credentials(client: Client, *, today: dt.date) -> list[ClientCredential]:
    """The client's licences and seals, each with `days_left` to its end date (None: 长期)."""
    rows = list(ClientCredential.objects.filter(client=client)[:SHOWN_CREDENTIALS])
    for row in rows:
        row.days_left = (row.expires_on - today).days if row.expires_on else None
    return rows


def service_list() -> QuerySet[ServiceType]:
    return ServiceType.objects.filter(active=True)
