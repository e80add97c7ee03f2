"""Transport settings that httpx fixes per client (TLS verification, CA bundle, client
certificate, HTTP/2), and the pool that keeps one client per distinct setting.

A collection sets them in a `[transport]` table of its `collection.toml`:

    [transport]
    verify = true                # false turns TLS verification off for this collection
    ca_bundle = "certs/ca.pem"   # relative to the collection folder
    client_cert = "certs/me.pem" # and client_key, if the key is in its own file
    http2 = false                # needs the http2 extra: pip install 'streamdash[http2]'
    proxy = "{{proxy_url}}"      # every request of the collection through this proxy

Without `proxy`, proxies and CA bundles from the environment (HTTPS_PROXY, SSL_CERT_FILE, ...)
apply as httpx reads them (`trust_env`). `proxy` may use `{{variables}}`, so each environment
can name its own; it is filled in when a request is prepared. gzip, deflate, br and zstd are
accepted and decoded (see decoding.py).
"""

from __future__ import annotations

import importlib.util
import ipaddress
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from streamdash.core.http.client import make_client


class TransportError(ValueError):
    """A `[transport]` setting that cannot work; the message names it."""


@dataclass(frozen=True)
class TransportSettings:
    verify: bool = True
    ca_bundle: Path | None = None
    client_cert: Path | None = None
    client_key: Path | None = None
    http2: bool = False
    proxy: str | None = None

    def client_options(self) -> dict[str, Any]:
        """Keyword arguments for `make_client` that realise these settings."""
        options: dict[str, Any] = {}
        if self.http2:
            if importlib.util.find_spec("h2") is None:
                raise TransportError(
                    "http2 = true needs the optional extra: pip install 'streamdash[http2]'"
                )
            options["http2"] = True
        if self.proxy:
            options["proxy"] = self.proxy
        if self.verify and self.ca_bundle is None and self.client_cert is None:
            return options
        if not self.verify:
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        else:
            try:
                context = ssl.create_default_context(
                    cafile=str(self.ca_bundle) if self.ca_bundle else None
                )
            except (OSError, ssl.SSLError) as exc:
                raise TransportError(f"ca_bundle {self.ca_bundle}: {exc}") from None
            if self.ca_bundle is None:
                import certifi

                context.load_verify_locations(certifi.where())
        if self.client_cert is not None:
            try:
                context.load_cert_chain(
                    str(self.client_cert), str(self.client_key) if self.client_key else None
                )
            except (OSError, ssl.SSLError) as exc:
                raise TransportError(f"client_cert {self.client_cert}: {exc}") from None
        options["verify"] = context
        return options


def parse_transport(table: Mapping[str, Any], root: Path, where: str) -> TransportSettings:
    """Settings from a `[transport]` table; paths are relative to the collection folder."""
    known = {"verify", "ca_bundle", "client_cert", "client_key", "http2", "proxy"}
    unknown = sorted(set(table) - known)
    if unknown:
        raise TransportError(f"{where}: unknown [transport] key {unknown[0]!r}")
    for key in ("verify", "http2"):
        if key in table and not isinstance(table[key], bool):
            raise TransportError(f"{where}: [transport] {key} must be true or false")

    def path(key: str) -> Path | None:
        value = table.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value:
            raise TransportError(f"{where}: [transport] {key} must be a file path")
        resolved = (root / value).expanduser()
        if not resolved.is_file():
            raise TransportError(f"{where}: [transport] {key}: no such file {resolved}")
        return resolved

    proxy = table.get("proxy")
    if proxy is not None and (not isinstance(proxy, str) or not proxy.strip()):
        raise TransportError(f"{where}: [transport] proxy must be a proxy URL such as http://proxy:3128")
    settings = TransportSettings(
        proxy=proxy.strip() if proxy else None,
        verify=table.get("verify", True),
        ca_bundle=path("ca_bundle"),
        client_cert=path("client_cert"),
        client_key=path("client_key"),
        http2=table.get("http2", False),
    )
    if settings.client_key and not settings.client_cert:
        raise TransportError(f"{where}: [transport] client_key without client_cert")
    return settings


def plain_http_warning(url: str | httpx.URL) -> str | None:
    """A warning for plain http:// to a host that is not this machine: secrets travel in clear."""
    url = httpx.URL(url)
    if url.scheme != "http":
        return None
    host = url.host
    if host == "localhost" or host.endswith(".localhost"):
        return None
    try:
        if ipaddress.ip_address(host).is_loopback:
            return None
    except ValueError:
        pass
    return f"plain http:// to {host}: the request and any credentials travel unencrypted"


class ClientPool:
    """One `AsyncClient` per distinct `TransportSettings`, made on first use and reused: never a
    client per send (each would pay for its own connections and TLS handshakes)."""

    def __init__(self, factory: Callable[..., httpx.AsyncClient] = make_client) -> None:
        self._factory = factory
        self._clients: dict[TransportSettings, httpx.AsyncClient] = {}

    def get(self, settings: TransportSettings | None = None) -> httpx.AsyncClient:
        settings = settings or TransportSettings()
        client = self._clients.get(settings)
        if client is None:
            client = self._factory(**settings.client_options())
            self._clients[settings] = client
        return client

    def __len__(self) -> int:
        return len(self._clients)

    async def aclose(self) -> None:
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            await client.aclose()
