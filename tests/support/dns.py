"""A fake DNS and a fake internet for the outbound-request guard's tests, all on loopback.

`FakeDNS` answers chosen host names from a script (a different answer on each call makes a DNS
rebinding attack) and leaves every other name to the real resolver. `PUBLIC_ADDRESS` is a
public address that no test ever reaches: a connection to it lands on `PUBLIC_STANDIN`
(127.0.0.2) instead, so a loopback server there plays "the public web site".
"""

import socket
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from tests.support.pages import Page, PageServer

PUBLIC_ADDRESS = "93.184.215.14"
PUBLIC_STANDIN = "127.0.0.2"

AddrInfo = tuple[Any, ...]


class FakeDNS:
    """`dns.answer("rebind.test", PUBLIC_ADDRESS, "127.0.0.1")`: the first lookup gets the
    public address, every later one loopback; `dns.lookups["rebind.test"]` counts them."""

    def __init__(self, real: Callable[..., list[AddrInfo]]) -> None:
        self._real = real
        self._answers: dict[str, list[str]] = {}
        self.lookups: Counter[str] = Counter()

    def answer(self, host: str, *addresses: str) -> None:
        self._answers[host] = list(addresses)

    def __call__(
        self, host: Any, port: Any, family: int = 0, type: int = 0, proto: int = 0, flags: int = 0
    ) -> list[AddrInfo]:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name not in self._answers:
            return self._real(host, port, family, type, proto, flags)
        self.lookups[name] += 1
        script = self._answers[name]
        address = script[min(self.lookups[name], len(script)) - 1]
        kind = socket.AF_INET6 if ":" in address else socket.AF_INET
        number = int(port or 0)
        sockaddr = (address, number) if kind == socket.AF_INET else (address, number, 0, 0)
        return [(kind, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", sockaddr)]


@contextmanager
def fake_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeDNS]:
    """Install the fake DNS (socket.getaddrinfo, which the event loop's resolver calls) and
    send connections to PUBLIC_ADDRESS to PUBLIC_STANDIN."""
    dns = FakeDNS(socket.getaddrinfo)
    connect = socket.socket.connect  # the loopback-only guard of tests/conftest.py

    def reroute(self: socket.socket, address: Any) -> None:
        if isinstance(address, tuple) and address and address[0] == PUBLIC_ADDRESS:
            address = (PUBLIC_STANDIN, *address[1:])
        connect(self, address)

    monkeypatch.setattr(socket, "getaddrinfo", dns)
    monkeypatch.setattr(socket.socket, "connect", reroute)
    yield dns


@contextmanager
def internal_and_public(
    internal_pages: dict[str, Page | list[Page]], public_pages: dict[str, Page | list[Page]]
) -> Iterator[tuple[PageServer, PageServer]]:
    """An internal server on 127.0.0.1 and "the public site" on the same port of
    PUBLIC_ADDRESS (really PUBLIC_STANDIN): a rebinding host name can point at either."""
    with (
        PageServer(internal_pages) as internal,
        PageServer(public_pages, host=PUBLIC_STANDIN, port=internal.port) as public,
    ):
        yield internal, public
