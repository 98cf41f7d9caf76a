"""Outbound HTTP that cannot be turned against the server's own network (SSRF, DNS rebinding).

Every request the service sends to a URL it was given (a Slack link, a webhook callback, a
digest's feeds and pages) goes through `http_client`. Its connections are opened by
`PinnedBackend`, an httpcore network backend: it looks the host name up once, refuses the whole
answer unless every address is public (when private addresses are not allowed), and connects to
exactly one of the addresses it checked. Nothing looks the name up a second time, so a DNS
server that answers differently between the check and the connection (DNS rebinding) has
nothing to change. The URL keeps the host name: the Host header, the TLS server name (SNI) and
the certificate check are the host name's. Each redirect hop, and each new connection, is
checked the same way.
"""

import asyncio
import ipaddress
import socket
from collections.abc import Iterable

import httpcore
import httpx

from service.config import Settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")  # deprecated (RFC 4291): refused outright
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")  # local-use NAT64 (RFC 8215): not global
_IPV4_IN_LOW_32_BITS = (
    ipaddress.IPv6Network("::ffff:0:0:0/96"),  # IPv4-translated (SIIT, RFC 2765)
    ipaddress.IPv6Network("64:ff9b::/96"),  # NAT64, well-known prefix (RFC 6052)
)
# httpx's own defaults (httpx.AsyncClient() without limits)
_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=5.0)


class AddressRefused(httpx.RequestError):
    """The host name has an address this client may not connect to (private, local, reserved).

    A RequestError but not a TransportError: retrying will not help."""


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries (SIIT, NAT64, 6to4, Teredo server and client)."""
    found = (
        [ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)]
        if any(ip in network for network in _IPV4_IN_LOW_32_BITS)
        else []
    )
    if ip.sixtofour is not None:
        found.append(ip.sixtofour)
    if ip.teredo is not None:
        found += ip.teredo
    return found


def is_public(address: str | IPAddress) -> bool:
    """Whether a connection to `address` reaches the public internet and nothing of ours.

    IPv6 addresses that carry an IPv4 address (IPv4-mapped or -translated, NAT64, 6to4,
    Teredo) are public only when every IPv4 address they carry is.
    """
    ip = address if not isinstance(address, str) else ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:  # the IPv4 address itself, on a dual-stack socket
            return is_public(ip.ipv4_mapped)
        if ip in _IPV4_COMPATIBLE or ip in _NAT64_LOCAL:
            return False
        if not all(is_public(embedded) for embedded in _embedded_ipv4(ip)):
            return False
    return ip.is_global and not ip.is_multicast


async def resolve(host: str, port: int, *, allow_private: bool) -> list[str]:
    """The addresses of `host` from one lookup, every one of them public unless
    `allow_private`. Raises httpcore.ConnectError when the name does not resolve, and
    AddressRefused when an address is not public."""
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise httpcore.ConnectError(
            f"the host name {host} does not resolve ({error.strerror})"
        ) from error
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise httpcore.ConnectError(f"the host name {host} has no address")
    if not allow_private and not all(is_public(address) for address in addresses):
        raise AddressRefused("the link points to a private or local address; refused")
    return addresses


class PinnedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's connections, opened to an address `resolve` returned and to nothing else."""

    def __init__(self, *, allow_private: bool) -> None:
        self.allow_private = allow_private
        self._network = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """One lookup, then the checked addresses in turn (all within `timeout`).

        An IP address is not looked up again by the AnyIO backend, so the connection goes to
        the address that was checked."""
        try:
            async with asyncio.timeout(timeout):
                failure: Exception | None = None
                for address in await resolve(host, port, allow_private=self.allow_private):
                    try:
                        return await self._network.connect_tcp(
                            address,
                            port,
                            local_address=local_address,
                            socket_options=socket_options,
                        )
                    except httpcore.ConnectError as error:
                        failure = error
                assert failure is not None  # resolve() returns at least one address
                raise failure
        except TimeoutError as error:
            raise httpcore.ConnectTimeout(f"no connection to {host} within {timeout} s") from error

    async def sleep(self, seconds: float) -> None:
        await self._network.sleep(seconds)


class PinnedTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport (HTTP/1.1, TLS, pooling, its error mapping), whose connection
    pool connects through PinnedBackend. TLS trusts what httpx trusts (certifi, or
    SSL_CERT_FILE / SSL_CERT_DIR)."""

    def __init__(self, *, allow_private: bool) -> None:
        super().__init__()
        if type(self._pool) is not httpcore.AsyncConnectionPool:  # httpx changed its layout
            raise RuntimeError("httpx.AsyncHTTPTransport no longer keeps a connection pool")
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=_LIMITS.max_connections,
            max_keepalive_connections=_LIMITS.max_keepalive_connections,
            keepalive_expiry=_LIMITS.keepalive_expiry,
            network_backend=PinnedBackend(allow_private=allow_private),
        )


def http_client(settings: Settings, *, allow_private: bool) -> httpx.AsyncClient:
    """The one client for requests to URLs the service was given: timeouts and a user agent
    from settings, no redirects of its own (callers check each hop), no proxy from the
    environment (a proxy would look the name up itself), every connection pinned to a checked
    address. `allow_private` only for URLs an operator configured (digest feeds)."""
    return httpx.AsyncClient(
        transport=PinnedTransport(allow_private=allow_private),
        timeout=settings.fetch_timeout_s,
        follow_redirects=False,
        headers={"User-Agent": settings.fetch_user_agent},
        trust_env=False,
    )
