"""Rebuild ECB+ article text (tokenised XML in ../shared) as a news page would have printed it."""

from __future__ import annotations

import html
import re
from pathlib import Path

ECB_DIR = Path("data/events/ECBplus/ECB+_LREC2014/ECB+")
_TOKEN = re.compile(r'<token t_id="\d+" sentence="(\d+)" number="\d+">(.*?)</token>')
_URL = re.compile(r"\b(?:https?|www)\b(?: ?[:/.\-_?=&#%~+] ?[\w]*| [\w]+(?= ?[./]))+")
_JOIN = (
    (re.compile(r"(?<=\d) ?([:./]) ?(?=\d)"), r"\1"),  # '4 : 08', '4 . 5', '1 / 2'
    (re.compile(r"(?<=\d) , (?=\d{3}\b)(?!\d{3} ?[,.] ?\d)"), ","),  # '100 , 000'
    (re.compile(r"(?<=\d) , (?=\d\d\d\d\b)"), ", "),  # 'November 15 , 2011'
    (re.compile(r"(?:(?<=\s)|^)\. (?=\d)"), "."),  # a batting average '. 308'
    (re.compile(r"\b([A-Za-z]) \. (?=[A-Za-z] \.)"), r"\1."),  # 'p . m .', 'U . S .'
    (re.compile(r"\b([A-Za-z])\.([A-Za-z]) \."), r"\1.\2."),
    (re.compile(r"(?<=\w) - (?=\w)"), "-"),  # 'co - workers', '38 - year - old'
    (re.compile(r" ([,;:!?%)\]’”]|\.(?!\d)|'s\b|n't\b|'\s)"), r"\1"),
    (re.compile(r"([(\[$“‘]) "), r"\1"),
    (re.compile(r"`` ?| ?''"), '"'),
)


def document(shared: Path, name: str) -> dict[int, str]:
    """Return an ECB+ document's sentences by number, e.g. document(shared, '1_2ecbplus')."""
    topic = name.split("_", 1)[0]
    path = shared / ECB_DIR / topic / f"{name}.xml"
    words: dict[int, list[str]] = {}
    for m in _TOKEN.finditer(path.read_text(encoding="utf-8")):
        words.setdefault(int(m.group(1)), []).append(html.unescape(m.group(2)))
    return {k: detokenise(v) for k, v in sorted(words.items())}


def sentence(shared: Path, name: str, number: int) -> str:
    """Return one sentence of an ECB+ document, detokenised."""
    return document(shared, name)[number]


def text(shared: Path, name: str) -> str:
    """Return an ECB+ document as one article text, a sentence per line."""
    return "\n".join(document(shared, name).values())


def detokenise(tokens: list[str]) -> str:
    """Join ECB+ tokens with the spacing printed text has ('4 : 08 p . m .' -> '4:08 p.m.')."""
    out = " ".join(t.strip() for t in tokens if t.strip())
    out = _URL.sub(lambda m: m.group(0).replace(" ", ""), out)
    for pattern, repl in _JOIN:
        out = pattern.sub(repl, out)
    return out
