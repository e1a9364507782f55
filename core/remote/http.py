"""The HTTP client of an endpoint: TLS verified (the system's CAs, or the endpoint's CA file),
the key as a bearer token, and the endpoint's timeout for each wait on the server."""

from __future__ import annotations

import ssl
from typing import Any

from .endpoints import Endpoint

CONNECT_TIMEOUT_S = 10.0


def make_client(endpoint: Endpoint, key: str | None, connect_timeout_s: float = CONNECT_TIMEOUT_S) -> Any:
    import httpx2

    verify: ssl.SSLContext | bool = True  # never False: a remote's certificate is always checked
    if endpoint.ca_file:
        verify = ssl.create_default_context(cafile=endpoint.ca_file)
    timeout = httpx2.Timeout(endpoint.timeout_s, connect=connect_timeout_s)
    # Proxies from the environment (HTTPS_PROXY, NO_PROXY) are honoured.
    return httpx2.Client(auth=_Bearer(key) if key else None, timeout=timeout, verify=verify, follow_redirects=False)


class _Bearer:
    """Sets the key on each request (httpx calls it); its repr never shows the key."""

    def __init__(self, key: str):
        self._key = key

    def __repr__(self) -> str:
        return "_Bearer(***)"

    def __call__(self, request: Any) -> Any:
        request.headers["Authorization"] = f"Bearer {self._key}"
        return request
