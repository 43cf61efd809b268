"""The client's network address: one answer for the log-in throttle, the portal's limits and
the audit record."""

from __future__ import annotations

import ipaddress

from django.conf import settings


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def client_address(request) -> str:
    """The address the request came from, or "" when unknown.

    Served directly (EXPEDITE_BEHIND_TLS_PROXY off): REMOTE_ADDR. Behind the firm's TLS proxy
    every connection comes from the proxy, which appends the address it saw to
    X-Forwarded-For. Read from the right, skipping the firm's own proxies
    (EXPEDITE_TRUSTED_PROXIES, for a chain such as load balancer → proxy), the first address is
    the client's: what stands left of it the client wrote itself, and is ignored.
    """
    if request is None:
        return ""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    if not settings.EXPEDITE_BEHIND_TLS_PROXY:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if not forwarded.strip():
        return remote
    trusted = settings.EXPEDITE_TRUSTED_PROXIES
    ip = None
    for entry in reversed(forwarded.split(",")):
        ip = _ip(entry)
        if ip is None:
            # Proxies write addresses; anything else was not written by ours.
            return remote
        if not any(ip in network for network in trusted):
            return str(ip)
    # Every hop is one of ours: the request started inside, at the left-most.
    return str(ip)


def address_group(address: str) -> str:
    """What a per-address limit counts on: the address, or for IPv6 its /64 network, which a
    single subscriber usually holds whole."""
    ip = _ip(address)
    if ip is None:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)
