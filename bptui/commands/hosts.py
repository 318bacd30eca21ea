"""Host names and addresses of `--web`: which names are this machine, which a browser may use
(`--allow-host`), and the defaults of the server (no Textual, no aiohttp: the command line reads
them before anything is served)."""

from __future__ import annotations

import argparse
import ipaddress
import re

HOST_NAME = re.compile(
    r"(?=.{1,253}\.?$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"
    r"(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\.?",
    re.IGNORECASE,
)


def host_address(text: str) -> str:
    """An IP address or a host name for --host."""
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        pass
    if HOST_NAME.fullmatch(text):
        return text
    raise argparse.ArgumentTypeError(
        f"{text!r} is not an IP address or host name (allowed: e.g. 127.0.0.1, 0.0.0.0, ::1, "
        "a host name)"
    )


DEFAULT_HOST = "127.0.0.1"


DEFAULT_PORT = 8000


DEFAULT_MAX_SESSIONS = 32  # browser sessions (app processes) at once


MAX_SESSIONS = 1000


LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


def allowed_host(text: str) -> tuple[str, int | None]:
    """An argparse type for --allow-host: NAME, NAME:PORT, an IP address, [IPv6]:PORT; as
    (canonical name, port or None for any port)."""
    from urllib.parse import urlsplit

    problem = argparse.ArgumentTypeError(
        f"{text!r} is not a host name or address with an optional port (allowed: e.g. "
        "teacher.example, localhost:9000, [::1]:9000)"
    )
    if not text.isascii() or not text.isprintable() or any(c in text for c in "/?#@\\ "):
        raise problem
    try:
        parts = urlsplit("//" + text)
        port = parts.port
    except ValueError:
        raise problem from None
    name = parts.hostname or ""
    if port == 0 or not (HOST_NAME.fullmatch(name) or ip_of(name) is not None):
        raise problem
    return canonical_host(name), port


def canonical_host(name: str) -> str:
    """A host name or address in one spelling: lower case, no trailing dot, IPs canonical
    (an IPv4-mapped IPv6 address as its IPv4 address, a zone index dropped)."""
    name = name.lower().rstrip(".")
    try:
        address = ipaddress.ip_address(name.split("%", 1)[0])
    except ValueError:
        return name
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return str(address)


def ip_of(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The IP address `host` spells, or None for a name."""
    try:
        return ipaddress.ip_address(canonical_host(host))
    except ValueError:
        return None


def is_loopback(host: str) -> bool:
    """Whether `host` is this machine's loopback only (localhost, 127.0.0.0/8, ::1)."""
    address = ip_of(host)
    return canonical_host(host) == "localhost" if address is None else address.is_loopback


def is_wildcard(host: str) -> bool:
    """Whether `host` is 0.0.0.0 or :: (every interface)."""
    address = ip_of(host)
    return address is not None and address.is_unspecified


def url_host(host: str) -> str:
    """`host` as it goes in a URL: IPv6 addresses in brackets."""
    address = ip_of(host)
    return f"[{address}]" if isinstance(address, ipaddress.IPv6Address) else host
