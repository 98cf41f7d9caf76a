"""Links the server must refuse without reaching anything: malformed ones and ones to private
addresses, as fixed examples for each entry point's tests and as hypothesis strategies for the
fuzzer (tests/service/test_fuzz.py).

Every link made here is refused before any lookup or connection: a malformed one by
`service.fetch.check_link`, a private one by the address guard, which needs no DNS for an IP
literal. None names a host that a resolver would be asked about.
"""

from hypothesis import strategies as st

# An octal-looking IPv4 address, an IPv6 bracket left open, an empty label in the host name.
MALFORMED_LINKS = ("http://0177.0.0.1:9/", "http://[::1/", "http://a..b/")

_BAD_HOSTS = (
    "0177.0.0.1",  # octal, as inet_aton would read it
    "256.0.0.1",
    "[::1",  # an open bracket
    "::1]",
    "[::1]]",
    "[fe80::1%]",  # an empty zone
    "[127.0.0.1]",  # IPv4 in brackets
    "a..b",  # an empty label
    ".a",
    "a" * 64 + ".example",  # a label over 63 characters
)
_BAD_PORTS = (":99999", ":-1", ":x", ":65536", ":8o")
_PRIVATE_NETWORKS = (
    "127.0.0.0/8",
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "169.254.0.0/16",
    "100.64.0.0/10",
    "0.0.0.0/8",
)
_PRIVATE_V6_NETWORKS = ("::1/128", "fc00::/7", "fe80::/10", "::ffff:127.0.0.0/104")

_schemes = st.sampled_from(["http", "https", "HTTP"])
_paths = st.sampled_from(["/", "/story", "/a?b=c", "/%", ""])


def malformed_links() -> st.SearchStrategy[str]:
    """http(s) links that cannot be parsed: a bad host, or a good host with a bad port."""
    bad_host = st.builds("{}://{}{}".format, _schemes, st.sampled_from(_BAD_HOSTS), _paths)
    bad_port = st.builds(
        "{}://{}{}{}".format,
        _schemes,
        st.sampled_from(["93.184.215.14", "news.example"]),
        st.sampled_from(_BAD_PORTS),
        _paths,
    )
    return st.one_of(st.sampled_from(MALFORMED_LINKS), bad_host, bad_port)


def private_links() -> st.SearchStrategy[str]:
    """Well-formed links to loopback, private, link-local, shared or unspecified addresses."""
    v4 = st.one_of(*(st.ip_addresses(v=4, network=n) for n in _PRIVATE_NETWORKS)).map(str)
    v6 = st.one_of(*(st.ip_addresses(v=6, network=n) for n in _PRIVATE_V6_NETWORKS)).map(
        lambda address: f"[{address}]"
    )
    ports = st.sampled_from(["", ":9", ":80", ":6379"])
    return st.builds("{}://{}{}{}".format, _schemes, st.one_of(v4, v6), ports, _paths)


def refused_links() -> st.SearchStrategy[str]:
    """Either kind: what the fuzzer sends wherever the server is given a link to fetch."""
    return st.one_of(malformed_links(), private_links())
