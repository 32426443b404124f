"""The static HTML report of a topic: disagreements first, charts as inline SVG, run health.

The report is one self-contained file: inline CSS, charts drawn by matplotlib to SVG at write
time, no scripts and a Content-Security-Policy that forbids them and any network access, so it
opens offline and text from the web can never run in it (Jinja2 autoescape escapes it).
"""

from __future__ import annotations

import io
import logging
import math
import os
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

import duckdb
from jinja2 import Environment, FunctionLoader, select_autoescape
from markupsafe import Markup

from warehouse.store import connect

if TYPE_CHECKING:
    from matplotlib.projections.polar import PolarAxes

log = logging.getLogger(__name__)
# set by `claimwatch serve`, which serves every report folder on 127.0.0.1
REPORTS_URL_ENV = "CLAIMWATCH_REPORTS_URL"

# A feed counts as silent after this many runs without a new article from its site.
SILENT_AFTER_RUNS = 3
RUNS_SHOWN = 30
ENTITIES_SHOWN = 40
CHARTS_SHOWN = 30
ROWS_SHOWN = 60
NO_SUBJECT = "(no subject)"
COPIES_DIR = "articles"  # beside index.html: the stored text of every article a claim cites
# a figure in words that names no number: "thousands of", "dozens of"
VAGUE_AMOUNT = re.compile(r"\b(?:tens|dozens|scores|hundreds|thousands|millions|billions)\b", re.I)
STATE_ORDER = {"open": 0, "acknowledged": 1, "resolved": 2}
# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
CONFLICT = "#C0392B"
COMPASS = {
    "north": 0.0,
    "northnortheast": 22.5,
    "northeast": 45.0,
    "eastnortheast": 67.5,
    "east": 90.0,
    "eastsoutheast": 112.5,
    "southeast": 135.0,
    "southsoutheast": 157.5,
    "south": 180.0,
    "southsouthwest": 202.5,
    "southwest": 225.0,
    "westsouthwest": 247.5,
    "west": 270.0,
    "westnorthwest": 292.5,
    "northwest": 315.0,
    "northnorthwest": 337.5,
}


@dataclass(frozen=True)
class Evidence:
    """The evidence sentence split around the claim's span, for highlighting."""

    before: str
    hit: str
    after: str


@dataclass(frozen=True)
class ClaimView:
    """A claim with its article's provenance, as the report shows it."""

    claim_id: str
    article_id: str
    subject_id: str | None
    subject: str
    attribute: str
    value_type: str
    value_text: str
    number: float | None
    low: float | None
    high: float | None
    unit: str | None
    hedge: str | None
    direction: str | None
    place: str | None
    polarity: int
    modality: str
    speaker: str | None
    speaker_role: str | None
    verb: str | None
    outlet: str
    when: datetime | None
    evidence: Evidence
    url: str | None
    title: str | None
    copy: str | None = None  # the stored text beside the report, which outlives the site

    @property
    def interval(self) -> str:
        """The claim's interval in words, e.g. '8,100–9,900' or 'more than 6,000'."""
        lo, hi = self.low, self.high
        if lo is None and hi is None:
            return ""
        if hi is None:
            return f"from {_num(lo)}, no upper bound"
        if lo is None:
            return f"up to {_num(hi)}"
        if lo == hi:
            return f"exactly {_num(lo)}"
        return f"{_num(lo)}–{_num(hi)}"

    @property
    def who(self) -> str:
        """The speaker, or the outlet's own voice when nobody is quoted."""
        return self.speaker or "(the outlet itself)"

    @property
    def series(self) -> str:
        """The chart series: one per speaker and outlet."""
        return f"{self.speaker} · {self.outlet}" if self.speaker else self.outlet


@dataclass(frozen=True)
class Pair:
    """One contradiction inside a disagreement."""

    claim_a: str
    claim_b: str
    kind: str
    score: float
    explanation: str


@dataclass
class Disagreement:
    """An alert with its claims side by side and the chart that shows them."""

    alert_id: str
    subject_id: str
    subject: str
    attribute: str
    kind: str
    severity: str
    score: float
    state: str
    first_seen: datetime
    updated_at: datetime
    claims: list[ClaimView]
    pairs: list[Pair]
    others: list[tuple[ClaimView, str]]
    chart: Markup | None = None


@dataclass
class Question:
    """All claims on one subject and attribute (a numeric figure or a place/direction)."""

    subject_id: str | None
    subject: str
    attribute: str
    claims: list[ClaimView]
    conflicting: set[str] = field(default_factory=set)
    alert_id: str | None = None
    chart: Markup | None = None
    groups: list[tuple[str, list[ClaimView]]] = field(default_factory=list)


@dataclass
class EntityView:
    """An entity's page: aliases, claims over time, outlets that mention it."""

    entity_id: str
    name: str
    type: str
    aliases: list[str]
    mentions: int
    outlets: list[tuple[str, int, datetime | None, datetime | None]]
    claims: list[ClaimView]


@dataclass
class Health:
    """Run health: runs, fetch errors by reason, silent sources."""

    runs: list[dict[str, Any]]
    runs_chart: Markup | None
    errors: list[tuple[str, int, datetime | None, str]]
    sources: list[dict[str, Any]]


@dataclass
class Report:
    """Everything the report template needs for one topic."""

    topic: str
    generated_at: datetime
    db_name: str
    articles: int
    outlets: int
    claims: int
    disagreements: list[Disagreement]
    figures: list[Question]
    singles: list[ClaimView]
    places: list[Question]
    entities: list[EntityView]
    entities_more: int
    health: Health
    hidden: dict[str, int] = field(default_factory=dict)  # claims not shown, by reason
    copies: dict[str, tuple[str, str, str | None, datetime | None, str]] = field(
        default_factory=dict
    )

    @property
    def open_count(self) -> int:
        """How many disagreements are still open."""
        return sum(1 for d in self.disagreements if d.state == "open")


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "_", text)


def junk_reason(c: ClaimView) -> str | None:
    """Why a claim is not shown as a figure or on an entity's timeline (None: it is shown)."""
    if c.value_type == "quantity":
        if c.subject == NO_SUBJECT:
            return "figures without a subject"
        if not re.search(r"\d", c.value_text) and VAGUE_AMOUNT.search(c.value_text):
            return "figures without a number"
    if c.value_type == "predicate" and re.search(r"\d$", c.value_text.strip()):
        return "statements cut inside a figure"
    return None


def _num(v: float | None) -> str:
    if v is None or math.isinf(v):
        return "∞"
    return f"{v:,.0f}" if float(v).is_integer() or abs(v) >= 100 else f"{v:,.2f}"


def safe_url(url: str | None) -> str | None:
    """Return the URL when it is an http(s) or file link; anything else (javascript:) is dropped."""
    if not url:
        return None
    scheme = urlsplit(url.strip()).scheme.lower()
    return url.strip() if scheme in ("http", "https", "file") else None


def evidence(
    sentence: str, value_text: str, sentence_at: int | None, start: int, end: int
) -> Evidence:
    """Split the sentence around the claim's span (article offsets), else around its value text."""
    if (
        sentence_at is not None
        and sentence_at >= 0
        and sentence_at <= start <= end <= sentence_at + len(sentence)
    ):
        a, b = start - sentence_at, end - sentence_at
        return Evidence(sentence[:a], sentence[a:b], sentence[b:])
    i = sentence.lower().find(value_text.lower()) if value_text else -1
    if i < 0:
        return Evidence(sentence, "", "")
    return Evidence(
        sentence[:i], sentence[i : i + len(value_text)], sentence[i + len(value_text) :]
    )


# --- reading the warehouse ---------------------------------------------------------------

_CLAIMS_SQL = """
SELECT c.claim_id, c.article_id, c.subject_id, coalesce(e.name, c.subject, ?), c.attribute,
       c.value_type, c.value_text, c.number, c.low, c.high, c.unit, c.hedge, c.direction, c.place,
       c.polarity, c.modality, c.speaker, c.speaker_role, c.verb, coalesce(c.outlet, a.outlet, '?'),
       coalesce(c.published, a.published), c.sentence,
       CASE WHEN a.text IS NULL THEN NULL ELSE strpos(a.text, c.sentence) - 1 END,
       c.span_start, c.span_end, a.url, a.title, a.text IS NOT NULL
FROM claims c
LEFT JOIN articles a ON a.article_id = c.article_id
LEFT JOIN entities e ON e.entity_id = c.subject_id
WHERE c.topic = ?
ORDER BY 21 NULLS LAST, c.claim_id
"""


def _claims(con: duckdb.DuckDBPyConnection, topic: str) -> dict[str, ClaimView]:
    out: dict[str, ClaimView] = {}
    for r in con.execute(_CLAIMS_SQL, [NO_SUBJECT, topic]).fetchall():
        ev = evidence(r[21], r[6], r[22], r[23], r[24])
        copy = f"{COPIES_DIR}/{_slug(r[1])}.txt" if r[27] else None
        out[r[0]] = ClaimView(*r[:21], evidence=ev, url=safe_url(r[25]), title=r[26], copy=copy)  # type: ignore[misc]
    return out


def _disagreements(
    con: duckdb.DuckDBPyConnection, topic: str, claims: dict[str, ClaimView]
) -> list[Disagreement]:
    alerts = con.execute(
        """SELECT a.alert_id, a.subject_id, coalesce(e.name, a.subject_id), a.attribute, a.kind, a.severity,
                  a.score, a.state, a.first_seen, a.updated_at, a.claim_ids
           FROM alerts a LEFT JOIN entities e ON e.entity_id = a.subject_id WHERE a.topic = ?""",
        [topic],
    ).fetchall()
    pairs = con.execute(
        "SELECT subject_id, attribute, claim_a, claim_b, kind, score, explanation FROM contradictions "
        "WHERE topic = ? ORDER BY score DESC",
        [topic],
    ).fetchall()
    links = con.execute(
        """SELECT l.claim_a, l.claim_b, l.relation, l.explanation FROM claim_links l
           JOIN claims c ON c.claim_id = l.claim_a WHERE c.topic = ?""",
        [topic],
    ).fetchall()
    relation: dict[tuple[str, str], str] = {}
    for a, b, rel, _ in links:
        relation[(a, b)] = relation[(b, a)] = rel
    out: list[Disagreement] = []
    for r in alerts:
        ids = set(r[10])
        members = [claims[i] for i in r[10] if i in claims]
        members.sort(
            key=lambda c: (
                c.low if c.low is not None else c.number or 0.0,
                c.when or datetime.min.replace(tzinfo=UTC),
            )
        )
        others = []
        for c in claims.values():
            if c.subject_id == r[1] and c.attribute == r[3] and c.claim_id not in ids:
                rels = sorted(
                    {relation[(c.claim_id, m)] for m in ids if (c.claim_id, m) in relation}
                )
                others.append((c, ", ".join(rels) or "not compared"))
        mine = [
            Pair(*p[2:])
            for p in pairs
            if p[0] == r[1] and p[1] == r[3] and p[2] in ids and p[3] in ids
        ]
        out.append(
            Disagreement(
                alert_id=r[0],
                subject_id=r[1],
                # an alert whose subject has no entity row takes its claims' subject name
                subject=members[0].subject if r[2] == r[1] and members else r[2],
                attribute=r[3],
                kind=r[4],
                severity=r[5],
                score=r[6],
                state=r[7],
                first_seen=r[8],
                updated_at=r[9],
                claims=members,
                pairs=mine,
                others=others,
            )
        )
    out.sort(key=lambda d: (STATE_ORDER.get(d.state, 3), -d.score, -d.updated_at.timestamp()))
    return out


def _entities(
    con: duckdb.DuckDBPyConnection, topic: str, claims: dict[str, ClaimView]
) -> tuple[list[EntityView], int]:
    rows = con.execute(
        """SELECT e.entity_id, e.name, e.type, e.aliases, count(*) AS n
           FROM entities e JOIN mentions m ON m.entity_id = e.entity_id
           JOIN articles a ON a.article_id = m.article_id
           WHERE a.topic = ? GROUP BY ALL""",
        [topic],
    ).fetchall()
    outlets: dict[str, list[tuple[str, int, datetime | None, datetime | None]]] = defaultdict(list)
    for eid, outlet, n, first, last in con.execute(
        """SELECT m.entity_id, a.outlet, count(*), min(a.published), max(a.published)
           FROM mentions m JOIN articles a ON a.article_id = m.article_id
           WHERE a.topic = ? GROUP BY ALL ORDER BY 3 DESC, 2""",
        [topic],
    ).fetchall():
        outlets[eid].append((outlet, n, first, last))
    by_subject: dict[str, list[ClaimView]] = defaultdict(list)
    for c in claims.values():
        if c.subject_id:
            by_subject[c.subject_id].append(c)
    known = {r[0] for r in rows}
    views = [
        EntityView(
            r[0],
            r[1],
            r[2],
            sorted(set(r[3])),
            r[4],
            outlets.get(r[0], []),
            by_subject.get(r[0], []),
        )
        for r in rows
    ]
    # subjects of claims whose entity row has no mention in this topic still get a page
    for sid, cs in by_subject.items():
        if sid not in known and cs[0].subject != NO_SUBJECT:
            views.append(EntityView(sid, cs[0].subject, "", [], 0, [], cs))
    views.sort(key=lambda v: (-len(v.claims), -v.mentions, v.name.lower()))
    return views[:ENTITIES_SHOWN], max(0, len(views) - ENTITIES_SHOWN)


def _health(con: duckdb.DuckDBPyConnection, topic: str) -> Health:
    cols = ["run_id", "started_at", "finished_at", "status", "sources_checked", "fetched", "failed",
            "articles_new", "claims_new", "contradictions_new", "alerts_sent"]  # fmt: skip
    runs = [
        dict(zip(cols, r, strict=True))
        for r in con.execute(
            f"SELECT {', '.join(cols)} FROM flow_runs WHERE topic = ? ORDER BY started_at DESC LIMIT {RUNS_SHOWN}",
            [topic],
        ).fetchall()
    ]
    errors = con.execute(
        """SELECT coalesce(nullif(reason, ''), 'HTTP ' || http_status::VARCHAR, 'unknown') AS why,
                  count(*), max(fetched_at), min(url)
           FROM fetches WHERE topic = ? AND outcome = 'error' GROUP BY 1 ORDER BY 2 DESC, 1""",
        [topic],
    ).fetchall()
    return Health(
        runs, _runs_chart(list(reversed(runs))) if runs else None, errors, _sources(con, topic)
    )


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _sources(con: duckdb.DuckDBPyConnection, topic: str) -> list[dict[str, Any]]:
    feeds = con.execute(
        """SELECT url, max(fetched_at), count(*), arg_max(outcome, fetched_at), arg_max(http_status, fetched_at),
                  arg_max(reason, fetched_at)
           FROM fetches WHERE topic = ? AND kind IN ('feed', 'sitemap') GROUP BY url
           UNION ALL
           SELECT url, last_checked, 0, NULL, last_status, NULL FROM sources s
           WHERE topic = ? AND NOT EXISTS (SELECT 1 FROM fetches f WHERE f.url = s.url AND f.topic = ?)""",
        [topic, topic, topic],
    ).fetchall()
    # Feeds do not record which article came from which feed: a site's new articles count for it.
    last_new = {
        h: t
        for h, t in con.execute(
            """SELECT lower(regexp_extract(url, '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^@/]*@)?([^/:?#]+)', 1)), max(fetched_at)
               FROM fetches WHERE topic = ? AND kind = 'article' AND outcome = 'new' GROUP BY 1""",
            [topic],
        ).fetchall()
    }
    runs = [
        r[0]
        for r in con.execute("SELECT started_at FROM flow_runs WHERE topic = ?", [topic]).fetchall()
    ]
    out = []
    for url, checked, times, outcome, status, reason in feeds:
        newest = last_new.get(_host(url))
        since = sum(1 for t in runs if newest is None or t > newest)
        out.append(
            {
                "url": url,
                "link": safe_url(url),
                "last_checked": checked,
                "times": times,
                "last_outcome": outcome or "",
                "last_status": status,
                "last_reason": reason or "",
                "last_new": newest,
                "runs_since": since,
                "silent": since >= SILENT_AFTER_RUNS,
            }
        )
    out.sort(key=lambda s: (not s["silent"], -s["runs_since"], s["url"]))
    return out


def _questions(
    claims: dict[str, ClaimView], disagreements: list[Disagreement]
) -> dict[tuple[str | None, str], Question]:
    by_key: dict[tuple[str | None, str], Question] = {}
    for c in claims.values():
        q = by_key.setdefault(
            (c.subject_id, c.attribute), Question(c.subject_id, c.subject, c.attribute, [])
        )
        q.claims.append(c)
    for d in disagreements:
        q2 = by_key.get((d.subject_id, d.attribute))
        if q2 is not None:
            q2.alert_id = q2.alert_id or d.alert_id
            if d.state != "resolved":
                q2.conflicting |= {p.claim_a for p in d.pairs} | {p.claim_b for p in d.pairs}
    return by_key


def build_report(db: str | Path, topic: str) -> Report:
    """Read one topic's disagreements, claims, entities and run health from the warehouse."""
    with connect(db, read_only=True) as con:
        claims = _claims(con, topic)
        disagreements = _disagreements(con, topic, claims)
        entities, more = _entities(con, topic, claims)
        health = _health(con, topic)
        articles, outlets = con.execute(
            "SELECT count(*), count(DISTINCT outlet) FROM articles WHERE topic = ?", [topic]
        ).fetchall()[0]
        cited = sorted({c.article_id for c in claims.values() if c.copy})
        copies = {
            r[0]: r[1:]
            for r in con.execute(
                "SELECT article_id, coalesce(title, ''), outlet, url, published, text FROM articles "
                "WHERE list_contains(?, article_id) AND text IS NOT NULL",
                [cited],
            ).fetchall()
        }
    hidden: dict[str, int] = defaultdict(int)
    shown: dict[str, ClaimView] = {}
    for cid, c in claims.items():
        why = junk_reason(c)
        if why:
            hidden[why] += 1
        else:
            shown[cid] = c
    for e in entities:
        e.claims = [c for c in e.claims if c.claim_id in shown]
    questions = _questions(shown, disagreements)
    figures: list[Question] = []
    singles: list[ClaimView] = []
    places: list[Question] = []
    for q in questions.values():
        kinds = {c.value_type for c in q.claims}
        if "quantity" in kinds:
            numeric = [c for c in q.claims if c.value_type == "quantity"]
            if len(numeric) < 2:
                singles += numeric
                continue
            q.claims = numeric
            figures.append(q)
        elif kinds & {"direction", "place"}:
            q.groups = _group_places(q.claims)
            places.append(q)
    rank = {d.alert_id: i for i, d in enumerate(disagreements)}
    figures.sort(key=lambda q: (rank.get(q.alert_id or "", len(rank)), -len(q.claims), q.subject))
    places.sort(key=lambda q: (rank.get(q.alert_id or "", len(rank)), -len(q.claims), q.subject))
    # a chart costs a few hundred ms: disagreements first, then the busiest questions
    for q in figures[:CHARTS_SHOWN]:
        q.chart = quantity_chart(q.claims, q.conflicting, f"{q.subject} — {q.attribute}")
    for q in places[:CHARTS_SHOWN]:
        q.chart = compass_chart(q.claims, q.conflicting)
    charts = {q.alert_id: q.chart for q in figures + places if q.alert_id}
    for d in disagreements:
        d.chart = charts.get(d.alert_id)
    return Report(
        topic=topic,
        generated_at=datetime.now(UTC),
        db_name=Path(db).name,
        articles=articles,
        outlets=outlets,
        claims=len(claims),
        disagreements=disagreements,
        figures=figures,
        singles=sorted(singles, key=lambda c: (c.subject, c.attribute)),
        places=places,
        entities=entities,
        entities_more=more,
        health=health,
        hidden=dict(hidden),
        copies=copies,
    )


def _group_places(claims: list[ClaimView]) -> list[tuple[str, list[ClaimView]]]:
    groups: dict[str, list[ClaimView]] = defaultdict(list)
    for c in claims:
        if c.direction and c.place:
            label = f"{c.direction} of {c.place}"
        else:
            label = c.place or c.direction or c.value_text
        groups[("not " if c.polarity < 0 else "") + label].append(c)
    merged: dict[str, tuple[str, list[ClaimView]]] = {}
    for label, cs in groups.items():
        merged.setdefault(label.lower(), (label, []))[1].extend(cs)
    return sorted(merged.values(), key=lambda kv: (-len(kv[1]), kv[0].lower()))


# --- charts -------------------------------------------------------------------------------


def _label(text: str) -> str:
    # matplotlib reads $...$ as mathtext and hides legend labels that start with "_".
    return text.replace("$", r"\$").lstrip("_") or "?"


def _svg(fig: Any, salt: str) -> Markup:
    import matplotlib

    buf = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": salt}):
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    svg = buf.getvalue()
    svg = svg[svg.find("<svg") :]
    # matplotlib's SVG writer escapes every text node, so the markup is ours alone.
    return Markup(svg)  # noqa: S704


def _style() -> dict[str, Any]:
    return {
        "svg.fonttype": "none",
        "font.family": "sans-serif",
        "font.sans-serif": ["DejaVu Sans", "Arial", "Helvetica"],
        "font.size": 10,
        "axes.edgecolor": "#9aa3ad",
        "axes.labelcolor": "#3b4450",
        "xtick.color": "#3b4450",
        "ytick.color": "#3b4450",
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "axes.grid.axis": "y",
        "grid.color": "#e3e7ec",
        "grid.linewidth": 0.8,
    }


def quantity_chart(claims: list[ClaimView], conflicting: set[str], title: str) -> Markup:
    """Draw the claimed values over time, hedge intervals as bars, open intervals with arrows."""
    import matplotlib
    import matplotlib.dates as mdates
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.ticker import FuncFormatter

    dated = [c for c in claims if c.when is not None]
    undated = [c for c in claims if c.when is None]
    base = min((c.when for c in dated), default=datetime.now(UTC))  # type: ignore[type-var]
    xs = [mdates.date2num(c.when or base) for c in dated] + [mdates.date2num(base)] * len(undated)
    items = dated + undated
    span = (max(xs) - min(xs)) or 1.0
    # claims published at the same moment (one article, two speakers) sit side by side
    seen: dict[float, int] = defaultdict(int)
    placed = []
    for x, c in sorted(zip(xs, items, strict=True), key=lambda t: (t[0], t[1].low or 0.0)):
        k = round(x / (span * 0.03))
        placed.append((x + seen[k] * span * 0.06, c))
        seen[k] += 1
    finite = [
        v for c in items for v in (c.low, c.high, c.number) if v is not None and math.isfinite(v)
    ]
    top = max(finite, default=1.0) * 1.3 or 1.0
    bottom = min(0.0, min(finite, default=0.0) * 1.2)
    series = list(dict.fromkeys(c.series for _, c in placed))
    color = {s: PALETTE[i % len(PALETTE)] for i, s in enumerate(series)}

    with matplotlib.rc_context(_style()):
        fig = Figure(figsize=(7.6, 3.9), layout="constrained")
        ax = fig.add_subplot()
        for x, c in placed:
            col = color[c.series]
            lo = c.low if c.low is not None else bottom
            hi = c.high if c.high is not None else top
            hit = c.claim_id in conflicting
            if lo != hi:
                open_end = c.high is None or c.low is None
                ax.vlines(
                    x,
                    lo,
                    hi,
                    colors=col,
                    linewidth=16,
                    alpha=0.22 if open_end else 0.45,
                    capstyle="butt",
                )
                if c.high is None:
                    ax.annotate("", xy=(x, top), xytext=(x, top - (top - bottom) * 0.12),
                                arrowprops={"arrowstyle": "-|>", "color": col, "lw": 2})  # fmt: skip
                    ax.plot([x], [lo], marker="_", markersize=16, mew=3, color=col)
                if c.low is None:
                    ax.annotate("", xy=(x, bottom), xytext=(x, bottom + (top - bottom) * 0.12),
                                arrowprops={"arrowstyle": "-|>", "color": col, "lw": 2})  # fmt: skip
                    ax.plot([x], [hi], marker="_", markersize=16, mew=3, color=col)
            value = c.number if c.number is not None else (lo if c.high is None else hi)
            ax.plot(
                [x],
                [value],
                marker="o",
                markersize=7,
                color=col,
                markeredgecolor="white",
                mew=1.2,
                zorder=3,
            )
            if hit:
                ax.plot(
                    [x],
                    [value],
                    marker="o",
                    markersize=15,
                    fillstyle="none",
                    color=CONFLICT,
                    mew=2,
                    zorder=4,
                )
            ax.annotate(_label(c.value_text), (x, value), xytext=(10, -3), textcoords="offset points",
                        fontsize=9, color=CONFLICT if hit else "#1f2933",
                        fontweight="bold" if hit else "normal")  # fmt: skip
            if lo != hi:
                ax.annotate(_label(c.interval), (x, value), xytext=(10, -14), textcoords="offset points",
                            fontsize=7.5, color="#6b7682")  # fmt: skip
        ax.set_ylim(bottom, top)
        lo_x, hi_x = min(x for x, _ in placed), max(x for x, _ in placed)
        pad = max((hi_x - lo_x) * 0.15, 0.3)
        ax.set_xlim(lo_x - pad, hi_x + pad * 1.6)
        ax.xaxis.set_major_locator(date_locator(hi_x - lo_x))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b %Y"))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
        unit = next((c.unit for c in items if c.unit), None)
        ax.set_ylabel(_label(unit or items[0].attribute))
        handles = [
            Line2D([], [], color=color[s], marker="o", linewidth=6, alpha=0.8, label=_label(s))
            for s in series
        ]
        if any(c.claim_id in conflicting for c in items):
            handles.append(Line2D([], [], color=CONFLICT, marker="o", markersize=11, fillstyle="none",
                                  mew=2, linestyle="none", label="in conflict"))  # fmt: skip
        fig.legend(
            handles=handles,
            loc="outside lower center",
            ncols=min(3, len(handles)),
            frameon=False,
            fontsize=9,
        )
        return _svg(fig, "q" + title)


def date_locator(span_days: float) -> Any:
    """Whole days (or months) as ticks, never hours: '22 Aug 2021', '23 Aug 2021'."""
    import matplotlib.dates as mdates

    if span_days > 180:
        return mdates.MonthLocator(interval=max(1, math.ceil(span_days / 30 / 6)))
    return mdates.DayLocator(interval=max(1, math.ceil(span_days / 6)))


def compass_chart(claims: list[ClaimView], conflicting: set[str]) -> Markup | None:
    """Draw the competing directions on a compass around the place they are relative to."""
    import matplotlib
    from matplotlib.figure import Figure

    pointed = [(c, COMPASS.get(re.sub(r"[^a-z]", "", (c.direction or "").lower()))) for c in claims]
    arrows: dict[float, list[ClaimView]] = defaultdict(list)
    for c, deg in pointed:
        if deg is not None and c.polarity > 0:
            arrows[deg].append(c)
    if not arrows:
        return None
    place = next((c.place for c in claims if c.place), "")
    with matplotlib.rc_context(_style() | {"axes.grid": False}):
        fig = Figure(figsize=(3.6, 3.6), layout="constrained")
        ax = cast("PolarAxes", fig.add_subplot(projection="polar"))
        ax.set_theta_zero_location("N")
        ax.set_theta_direction(-1)
        ax.set_ylim(0, 1.0)
        ax.set_yticks([])
        ax.set_xticks([math.radians(d) for d in (0, 45, 90, 135, 180, 225, 270, 315)])
        ax.set_xticklabels(
            ["N", "NE", "E", "SE", "S", "SW", "W", "NW"], fontsize=9, color="#6b7682"
        )
        ax.spines["polar"].set_color("#d5dbe1")
        ax.grid(True, color="#eef1f4")
        for deg, cs in arrows.items():
            hit = any(c.claim_id in conflicting for c in cs)
            col = CONFLICT if hit else PALETTE[0]
            ax.annotate("", xy=(math.radians(deg), 0.68), xytext=(0, 0),
                        arrowprops={"arrowstyle": "-|>,head_width=0.5,head_length=0.9", "color": col, "lw": 2.5})  # fmt: skip
            names = ", ".join(dict.fromkeys(c.outlet for c in cs))
            ax.text(math.radians(deg), 0.86, _label(names), fontsize=8, color=col, ha="center", va="center",
                    bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.85})  # fmt: skip
        ax.text(0, 0, _label(place), fontsize=9, fontweight="bold", ha="center", va="center", color="#1f2933",
                bbox={"boxstyle": "round,pad=0.3", "fc": "#f4f6f8", "ec": "#c7cfd8"})  # fmt: skip
        return _svg(fig, "c" + place + "".join(sorted(c.claim_id for c in claims)))


def _runs_chart(runs: list[dict[str, Any]]) -> Markup:
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    with matplotlib.rc_context(_style()):
        fig = Figure(figsize=(7.6, 2.6), layout="constrained")
        ax = fig.add_subplot()
        xs = list(range(len(runs)))
        fetched = [r["fetched"] or 0 for r in runs]
        new = [r["articles_new"] or 0 for r in runs]
        failed = [r["failed"] or 0 for r in runs]
        ax.bar(xs, fetched, width=0.7, color="#c9d6e3", label="articles fetched")
        ax.bar(xs, new, width=0.7, color=PALETTE[0], label="new articles")
        ax.bar(xs, failed, width=0.7, bottom=fetched, color=CONFLICT, label="fetch errors")
        ax.set_xticks(xs)
        ax.set_xlim(-0.6, max(len(xs), 12) - 0.4)  # a few runs still get slim bars
        step = max(1, len(xs) // 8)
        ax.set_xticklabels(
            [
                r["started_at"].strftime("%d %b\n%H:%M") if i % step == 0 else ""
                for i, r in enumerate(runs)
            ],
            fontsize=8,
        )
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel("per run")
        ax.legend(loc="upper left", frameon=False, fontsize=8, ncols=3)
        ax.set_ylim(0, max(max(f + e for f, e in zip(fetched, failed, strict=True)), 1) * 1.35)
        return _svg(fig, "runs")


# --- rendering ----------------------------------------------------------------------------


def _template(name: str) -> str:
    return (
        resources.files("claimwatch").joinpath("report_templates", name).read_text(encoding="utf-8")
    )


def _date(value: datetime | None, with_time: bool = False) -> str:
    if value is None:
        return "undated"
    value = value.astimezone(UTC)
    return value.strftime("%d %b %Y, %H:%M UTC" if with_time else "%d %b %Y")


def _environment() -> Environment:
    env = Environment(
        loader=FunctionLoader(_template),
        autoescape=select_autoescape(default=True, default_for_string=True),
    )
    env.filters["date"] = _date
    env.filters["num"] = _num
    env.filters["first_upper"] = lambda s: str(s)[:1].upper() + str(s)[1:]
    env.filters["slug"] = lambda s: re.sub(r"[^a-z0-9]+", "-", str(s).lower()).strip("-")
    return env


def render_report(report: Report) -> str:
    """Render a report as one self-contained HTML page."""
    return (
        _environment()
        .get_template("report.html")
        .render(r=report, silent_after=SILENT_AFTER_RUNS, rows=ROWS_SHOWN)
    )


def write_report(db: str | Path, topic: str, out_dir: str | Path) -> Path:
    """Write the topic's report to OUT_DIR/index.html and return its path."""
    report = build_report(db, topic)
    html = render_report(report)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    write_copies(report, out / COPIES_DIR)
    path = out / "index.html"
    tmp = path.with_suffix(".html.tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(path)  # readers never see a half-written report
    return path


def write_copies(report: Report, folder: Path) -> None:
    """Write each cited article's stored text as plain text, the link that works when the site is gone."""
    folder.mkdir(parents=True, exist_ok=True)
    for article_id, (title, outlet, url, published, text) in report.copies.items():
        head = [title, f"{outlet} · {_date(published, True)}", f"Original: {url or 'none'}", ""]
        path = folder / f"{_slug(article_id)}.txt"
        tmp = path.with_suffix(".tmp")
        tmp.write_text("\n".join(head) + text + "\n", encoding="utf-8")
        tmp.replace(path)


def report_dir(db: str | Path, topic: str) -> Path:
    """The folder where a run writes its topic's report: beside the DuckDB file (or the lake's catalog)."""
    from warehouse.lake import is_lake, target

    base = target(db).home if is_lake(db) else Path(db).resolve().parent
    return base / "reports" / re.sub(r"[^A-Za-z0-9_.-]+", "_", topic)


def report_after_run(db: str | Path, topic: str) -> str:
    """Write the run's report and return a markdown line linking it ('' when writing failed)."""
    try:
        path = write_report(db, topic, report_dir(db, topic))
    except Exception as exc:  # a broken report must never fail the monitor run
        _warn(f"could not write the report for {topic}: {exc!r}")
        return ""
    return f"\n\n**Report:** [{path}]({report_url(db, topic)})\n"


def report_url(db: str | Path, topic: str) -> str:
    """A link to the topic's report that opens: the reports server's when it runs, else a file URL."""
    served = os.environ.get(REPORTS_URL_ENV, "").rstrip("/")
    folder = report_dir(db, topic)
    return f"{served}/{folder.name}/index.html" if served else (folder / "index.html").as_uri()


def report_after_change(db: str | Path, topic: str) -> None:
    """Rewrite a topic's report, where one was written, after a change outside a run (alerts, import)."""
    if (report_dir(db, topic) / "index.html").exists():
        report_after_run(db, topic)


def _warn(message: str) -> None:
    try:
        from prefect import get_run_logger

        get_run_logger().warning(message)
    except Exception:  # outside a flow run there is no run logger
        log.warning(message)
