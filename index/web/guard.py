"""Keep fetches off this machine and private networks: a page, feed, redirect or DNS name must not reach inside.

A URL typed into `index add` or the app, a feed entry, a sitemap entry or a redirect could
point at 127.0.0.1, a router on 192.168.x.x or the cloud metadata service at 169.254.169.254
(server-side request forgery). The check that matters is made where the socket is opened:
``GuardedNetworkBackend`` resolves the host once, refuses every non-public address and
connects to the very address it checked, so a DNS name that changes its answer between a
check and the connect (DNS rebinding) gains nothing, and odd spellings of an address
(``2130706433``, ``0177.0.0.1``, ``::ffff:127.0.0.1``) are judged by what they resolve to.
``literal_refusal`` says the same earlier, without DNS, for a host written as an address.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from typing import Any

import httpcore

ALLOW_SETTING = "NEWSDESK_WEB__ALLOW_PRIVATE_ADDRESSES=true"
_THIS_HOST_V4 = ipaddress.ip_network("0.0.0.0/8")  # "this network": Linux connects 0.x.x.x to the machine itself
_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # an IPv4 address carried in IPv6 by a translator
_V4_COMPATIBLE = ipaddress.ip_network("::/96")  # deprecated ::a.b.c.d form

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class BlockedAddress(Exception):
    """A connection refused because its address is not public; the message is one line for a person."""

    def __init__(self, host: str, address: IPAddress, reason: str):
        self.host = host
        self.address = address
        self.reason = reason
        shown = f"{host} is {reason}" if _spells(host, address) else f"{host} is {address}, {reason}"
        super().__init__(f"refused: {shown}; set {ALLOW_SETTING} to fetch from this machine or private networks")


def _spells(host: str, address: IPAddress) -> bool:
    """Whether ``host`` is ``address`` written in its usual form (so the message need not say it twice)."""
    try:
        return ipaddress.ip_address(host.strip("[]")) == address
    except ValueError:
        return False


def _embedded_v4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one stands for (mapped, 6to4, NAT64, IPv4-compatible), if any."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64 or (ip in _V4_COMPATIBLE and int(ip) > 1):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def address_refusal(ip: IPAddress) -> str | None:
    """Why Newsdesk does not connect to ``ip`` by default (a few words), or None for a public address."""
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _embedded_v4(ip)
        if inner is not None and (reason := address_refusal(inner)):
            return reason
        if ip.ipv4_mapped is not None:
            return None
    if ip.is_unspecified or (isinstance(ip, ipaddress.IPv4Address) and ip in _THIS_HOST_V4):
        return "an unspecified address, which reaches this machine"
    if ip.is_loopback:
        return "a loopback address on this machine"
    if ip.is_link_local:
        return "a link-local address, where cloud metadata services answer"
    if ip.is_multicast:
        return "a multicast address"
    if ip.is_private or (isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local):
        return "a private network address"
    if ip.is_reserved or not ip.is_global:
        return "a reserved, non-public address"
    return None


def _numeric_addresses(host: str) -> list[str]:
    """The addresses a host written as a number stands for, as the C library reads it (no DNS); [] for a name."""
    try:
        infos = socket.getaddrinfo(host.strip("[]"), None, type=socket.SOCK_STREAM, flags=socket.AI_NUMERICHOST)
    except (OSError, UnicodeError, ValueError):
        return []
    return [str(info[4][0]) for info in infos]


def literal_refusal(host: str) -> BlockedAddress | None:
    """The refusal for a host written as an address in any spelling (``2130706433``, ``0x7f.1``, ``[::1]``);
    None for a public address or a name (names are judged at connect time, on what they resolve to)."""
    for text in _numeric_addresses(host):
        ip = ipaddress.ip_address(text)
        if reason := address_refusal(ip):
            return BlockedAddress(host, ip, reason)
    return None


class GuardedNetworkBackend(httpcore.NetworkBackend):
    """httpcore's synchronous backend, connecting only to public addresses: resolve once, check, connect to that."""

    def __init__(self) -> None:
        self._backend = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {getattr(exc, 'strerror', None) or exc}") from None
        allowed: list[str] = []
        blocked: BlockedAddress | None = None
        for info in infos:
            address = str(info[4][0])
            ip = ipaddress.ip_address(address)
            reason = address_refusal(ip)
            if reason:
                blocked = blocked or BlockedAddress(host, ip, reason)
            elif address not in allowed:
                allowed.append(address)
        if not allowed:
            raise blocked or httpcore.ConnectError(f"{host} has no address")
        error = httpcore.ConnectError(f"cannot connect to {host}")
        for address in allowed:  # the checked addresses themselves: no second lookup that could answer otherwise
            try:
                return self._backend.connect_tcp(address, port, timeout, local_address, socket_options)
            except httpcore.ConnectError as exc:
                error = exc
        raise error

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("Unix sockets are not fetched from")

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)
