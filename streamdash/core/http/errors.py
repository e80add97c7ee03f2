"""One-line, human reasons for what went wrong on the wire (never a traceback)."""

from __future__ import annotations

import ssl
from collections.abc import Iterator

import httpx

from streamdash.core.http.redirects import RedirectError


def _causes(exc: BaseException | None) -> Iterator[BaseException]:
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def is_tls_error(exc: BaseException) -> bool:
    """TLS failures do not heal by retrying: a bad certificate stays bad."""
    for cause in _causes(exc):
        if isinstance(cause, ssl.SSLError | ssl.CertificateError):
            return True
    text = str(exc)
    return "SSL" in text or "CERTIFICATE" in text.upper()


def describe_error(exc: BaseException) -> str:
    """A short reason for a transport-level failure, naming the likely cause."""
    for cause in _causes(exc):
        if isinstance(cause, ssl.SSLCertVerificationError):
            return f"TLS certificate verification failed: {cause.verify_message or cause.reason}"
        if isinstance(cause, ssl.SSLError):
            return f"TLS handshake failed: {cause.reason or cause}"
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        if isinstance(cause, ConnectionResetError):
            return "connection reset by peer"
    text = " ".join(str(exc).split())
    if isinstance(exc, httpx.ConnectTimeout):
        return "connect timed out"
    if isinstance(exc, httpx.ReadTimeout):
        return "read timed out"
    if isinstance(exc, httpx.PoolTimeout):
        return "no free connection in the pool (pool timeout)"
    if isinstance(exc, httpx.ConnectError):
        lowered = text.lower()
        if "name or service not known" in lowered or "nodename nor servname" in lowered or (
            "temporary failure in name resolution" in lowered
        ):
            return "host not found (DNS lookup failed)"
        if "connection refused" in lowered or "errno 111" in lowered:
            return "connection refused"
        return f"connect failed: {text}" if text else "connect failed"
    if isinstance(exc, httpx.RemoteProtocolError):
        if "peer closed connection" in text or "incomplete" in text:
            return "connection dropped mid-response"
        if "Server disconnected" in text:
            return "server disconnected without a response"
        return f"protocol error: {text}"
    if isinstance(exc, httpx.UnsupportedProtocol):
        return f"unsupported URL scheme: {text}"
    if isinstance(exc, httpx.ReadError):
        return f"connection lost: {text}" if text else "connection lost"
    if isinstance(exc, RedirectError):
        return text  # names the status and the target already
    if isinstance(exc, httpx.TooManyRedirects):
        return "too many redirects"
    if isinstance(exc, httpx.InvalidURL):
        return f"invalid URL: {text}"
    if isinstance(exc, ValueError) and text:
        return text  # our own errors (auth, token endpoint) already read as one line
    name = type(exc).__name__
    return f"{name}: {text}" if text else name
