"""Topic configuration: one TOML file per topic, validated on load."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path


class TopicError(ValueError):
    """A topic file that cannot be used, with a message saying what to fix."""


@dataclass(frozen=True)
class Source:
    """A feed or sitemap to watch."""

    url: str
    kind: str = "feed"  # feed | sitemap
    outlet: str | None = None


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

    def wants(self, text: str) -> bool:
        """Return whether an article's text passes the include/exclude keyword filters."""
        low = text.lower()
        if self.exclude and any(k.lower() in low for k in self.exclude):
            return False
        return not self.include or any(k.lower() in low for k in self.include)


def load_topic(path: str | Path, site: str | None = None) -> Topic:
    """Load and validate a topic file; `{site}` in source URLs is replaced by `site`."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TopicError(f"{path}: topic file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise TopicError(f"{path}: not valid TOML: {exc}") from None
    name = data.get("name") or path.stem
    raw_sources = data.get("sources")
    if not isinstance(raw_sources, list) or not raw_sources:
        raise TopicError(f"{path}: needs at least one [[sources]] entry with a url")
    sources = []
    for i, s in enumerate(raw_sources):
        if not isinstance(s, dict) or not isinstance(s.get("url"), str):
            raise TopicError(f"{path}: sources[{i}] needs a url string")
        kind = s.get("kind", "feed")
        if kind not in ("feed", "sitemap"):
            raise TopicError(f"{path}: sources[{i}].kind must be 'feed' or 'sitemap', not {kind!r}")
        url = s["url"]
        if "{site}" in url:
            if not site:
                raise TopicError(f"{path}: sources[{i}] uses {{site}} but no site URL was given")
            url = url.replace("{site}", site.rstrip("/"))
        if not url.startswith(("http://", "https://")):
            raise TopicError(f"{path}: sources[{i}].url must be http(s): {url!r}")
        sources.append(Source(url=url, kind=kind, outlet=s.get("outlet")))
    for key in ("include", "exclude", "languages"):
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise TopicError(f"{path}: {key} must be a list of strings")
    return Topic(
        name=str(name),
        sources=tuple(sources),
        include=tuple(data.get("include", [])),
        exclude=tuple(data.get("exclude", [])),
        languages=tuple(data.get("languages", [])),
        allow_private=bool(data.get("allow_private", False)),
    )
