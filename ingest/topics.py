"""Topic configuration: one TOML file per topic, validated on load."""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

SOURCE_KINDS = ("feed", "sitemap")
SOURCE_KEYS = {"url", "kind", "outlet", "max_items", "delay_s", "enabled"}
TOPIC_KEYS = {
    "name", "sources", "feeds", "sitemaps", "include", "exclude", "languages", "allow_private",
    "delay_s", "per_host", "respect_robots", "only_hosts",
}  # fmt: skip
DEFAULT_MAX_ITEMS = 200


class TopicError(ValueError):
    """A topic file that cannot be used, with a message saying what to fix."""


@dataclass(frozen=True)
class Source:
    """A feed or sitemap to watch, with its per-source options."""

    url: str
    kind: str = "feed"  # feed | sitemap
    outlet: str | None = None  # the outlet's name when the pages do not say it well
    max_items: int = DEFAULT_MAX_ITEMS  # newest items taken from this source per run
    delay_s: float = 0.0  # least time between two requests to this source's host


@dataclass(frozen=True)
class Topic:
    """What to monitor: sources, keyword filters and languages."""

    name: str
    sources: tuple[Source, ...]
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    allow_private: bool = False
    options: dict[str, object] = field(default_factory=dict)
    delay_s: float = 0.0  # least time between two requests to one host (robots.txt may ask more)
    per_host: int = 4  # requests in flight to one host at a time
    respect_robots: bool = True
    only_hosts: tuple[str, ...] = ()  # when set, pages on any other host are not fetched

    def wants(self, text: str) -> bool:
        """Return whether an article's text passes the include/exclude keyword filters."""
        low = text.lower()
        if self.exclude and any(k.lower() in low for k in self.exclude):
            return False
        return not self.include or any(k.lower() in low for k in self.include)

    def host_delay(self, url: str) -> float:
        """Return the configured delay for a URL's host (the largest asked by any source on it)."""
        host = urlsplit(url).netloc
        return max(
            [self.delay_s] + [s.delay_s for s in self.sources if urlsplit(s.url).netloc == host]
        )

    def source(self, url: str) -> Source | None:
        """Return the configured source with this URL, if any."""
        return next((s for s in self.sources if s.url == url), None)


def _unknown(where: str, keys: set[str], known: set[str]) -> None:
    """Refuse the first unknown key, naming the nearest known one (a typo is never ignored)."""
    for key in sorted(keys - known):
        near = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.5)
        hint = f" (did you mean {near[0]!r}?)" if near else f"; known: {', '.join(sorted(known))}"
        raise TopicError(f"{where}: unknown key {key!r}{hint}")


def _number(where: str, value: Any, kind: type, low: float, name: str) -> Any:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or (kind is int and not isinstance(value, int))
    ):
        raise TopicError(
            f"{where}: {name} must be {'an integer' if kind is int else 'a number'}, not {value!r}"
        )
    if value < low:
        raise TopicError(f"{where}: {name} must be at least {low}, not {value!r}")
    return kind(value)


def _source(path: Path, i: int, s: Any, site: str | None, default_kind: str) -> Source | None:
    where = f"{path}: sources[{i}]"
    if isinstance(s, str):
        s = {"url": s, "kind": default_kind}
    if not isinstance(s, dict) or not isinstance(s.get("url"), str):
        raise TopicError(f"{where} needs a url string")
    _unknown(where, set(s), SOURCE_KEYS)
    kind = s.get("kind", default_kind)
    if kind not in SOURCE_KINDS:
        raise TopicError(f"{where}.kind must be 'feed' or 'sitemap', not {kind!r}")
    if not s.get("enabled", True):
        return None
    url = s["url"].strip()
    if "{site}" in url:
        if not site:
            raise TopicError(f"{where} uses {{site}} but no site URL was given")
        url = url.replace("{site}", site.rstrip("/"))
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TopicError(f"{where}.url must be an http(s) URL with a host: {url!r}")
    outlet = s.get("outlet")
    if outlet is not None and (not isinstance(outlet, str) or not outlet.strip()):
        raise TopicError(f"{where}.outlet must be a non-empty string")
    return Source(
        url=url,
        kind=kind,
        outlet=outlet.strip() if outlet else None,
        max_items=_number(where, s.get("max_items", DEFAULT_MAX_ITEMS), int, 1, "max_items"),
        delay_s=_number(where, s.get("delay_s", 0.0), float, 0, "delay_s"),
    )


def load_topic(path: str | Path, site: str | None = None) -> Topic:
    """Load and validate a topic file; `{site}` in source URLs is replaced by `site`."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TopicError(f"{path}: topic file not found") from None
    except UnicodeDecodeError:
        raise TopicError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise TopicError(f"{path}: not valid TOML: {exc}") from None
    _unknown(str(path), set(data), TOPIC_KEYS)
    name = data.get("name") or path.stem
    if not isinstance(name, str):
        raise TopicError(f"{path}: name must be a string")
    raw: list[tuple[Any, str]] = []
    for key, kind in (("sources", "feed"), ("feeds", "feed"), ("sitemaps", "sitemap")):
        value = data.get(key, [])
        if not isinstance(value, list):
            raise TopicError(f"{path}: {key} must be a list ([[{key}]] tables or URL strings)")
        raw += [(v, kind) for v in value]
    if not raw:
        raise TopicError(
            f"{path}: needs at least one source: [[sources]] with a url, or feeds/sitemaps = [urls]"
        )
    sources: list[Source] = []
    for i, (s, kind) in enumerate(raw):
        source = _source(path, i, s, site, kind)
        if source and all(source.url != other.url for other in sources):
            sources.append(source)
    if not sources:
        raise TopicError(f"{path}: every source is disabled")
    for key in ("include", "exclude", "languages", "only_hosts"):
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise TopicError(f"{path}: {key} must be a list of strings")
    for key in ("allow_private", "respect_robots"):
        if not isinstance(data.get(key, False), bool):
            raise TopicError(f"{path}: {key} must be true or false")
    return Topic(
        name=name,
        sources=tuple(sources),
        include=tuple(data.get("include", [])),
        exclude=tuple(data.get("exclude", [])),
        languages=tuple(data.get("languages", [])),
        allow_private=data.get("allow_private", False),
        delay_s=_number(str(path), data.get("delay_s", 0.0), float, 0, "delay_s"),
        per_host=_number(str(path), data.get("per_host", 4), int, 1, "per_host"),
        respect_robots=data.get("respect_robots", True),
        only_hosts=tuple(data.get("only_hosts", [])),
    )
