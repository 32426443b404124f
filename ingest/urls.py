"""URL canonicalisation, so one story reached by many links is stored once."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

TRACKING_PARAMS = re.compile(
    r"^(utm_\w+|fbclid|gclid|mc_cid|mc_eid|ocid|cmpid|smid|ref|src|at_\w+)$", re.I
)


def canonical_url(url: str) -> str:
    """Return the canonical form of an article URL (https, no tracking, no fragment, no AMP)."""
    parts = urlsplit(url.strip())
    scheme = "https" if parts.scheme in ("http", "https") else parts.scheme
    host = (parts.hostname or "").lower()
    if host.startswith(("www.", "m.", "amp.", "mobile.")):
        host = host.split(".", 1)[1]
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    path = re.sub(r"/amp/?$|\.amp(?=\.html?$)|/amp(?=/)", "", parts.path) or "/"
    if path != "/" and path.endswith("/"):
        path = path[:-1]
    query = urlencode(
        sorted(
            (k, v) for k, v in parse_qsl(parts.query) if not TRACKING_PARAMS.match(k) and k != "amp"
        )
    )
    return urlunsplit((scheme, host, path, query, ""))
