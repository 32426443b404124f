"""The seed case: the two real articles the project started from (read from ../shared/seeds)."""

from __future__ import annotations

from pathlib import Path

import pytest

from claimwatch.importing import import_files
from warehouse.store import connect


@pytest.fixture(scope="module")
def seeds_db(shared: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("seeds") / "seeds.duckdb"
    files = sorted((shared / "seeds").glob("*.txt"))
    assert len(files) == 2
    import_files(files[:1], str(db), topic="panjshir", outlet="TRT World")
    import_files(files[1:], str(db), topic="panjshir", outlet="Reuters (re-translated)")
    return db


def _claims(
    db: Path, attribute: str
) -> dict[str, tuple[str | None, str | None, float | None, float | None]]:
    with connect(db, read_only=True) as con:
        rows = con.execute(
            "SELECT value_text, subject, speaker, low, high FROM claims WHERE attribute = ?",
            [attribute],
        ).fetchall()
    return {r[0]: (r[1], r[2], r[3], r[4]) for r in rows}


def test_force_size_claims_with_speakers(seeds_db: Path) -> None:
    force = _claims(seeds_db, "force size")
    assert force["around 9,000"] == ("Ahmad Massoud", "Ali Maisam Nazary", 8100.0, 9900.0)
    assert force["7,000"] == ("Ahmad Massoud", "Dmitry Zhirnov", 7000.0, 7000.0)
    assert force["more than 6,000"] == ("Ahmad Massoud", "Ahmad Massoud", 6000.0, None)


def test_displaced_people_claim(seeds_db: Path) -> None:
    displaced = _claims(seeds_db, "displaced people")
    assert displaced["more than 1,000"][0] == "Panjshir"
    assert displaced["more than 1,000"][1] == "Ali Maisam Nazary"


def test_exactly_the_two_seed_conflicts(seeds_db: Path) -> None:
    with connect(seeds_db, read_only=True) as con:
        rows = con.execute(
            """SELECT x.kind, a.value_text, b.value_text, a.article_id = b.article_id
               FROM contradictions x JOIN claims a ON a.claim_id = x.claim_a JOIN claims b ON b.claim_id = x.claim_b
               ORDER BY x.kind"""
        ).fetchall()
    assert len(rows) == 2
    direction, numeric = rows
    assert direction[0] == "direction" and {direction[1].lower(), direction[2].lower()} == {
        "northeast of kabul",
        "northwest of kabul",
    }
    assert direction[3] is False  # between the two articles
    assert numeric[0] == "numeric" and {numeric[1], numeric[2]} == {"around 9,000", "7,000"}
    assert numeric[3] is True  # within the TRT World article


def test_denials_agree(seeds_db: Path) -> None:
    with connect(seeds_db, read_only=True) as con:
        denials = con.execute(
            "SELECT value_text, polarity, subject FROM claims WHERE value_type = 'predicate' AND value_text LIKE 'did not %'"
        ).fetchall()
        negations = con.execute(
            "SELECT count(*) FROM contradictions WHERE kind IN ('negation', 'antonym')"
        ).fetchall()[0][0]
    texts = {d[0] for d in denials}
    assert any("give the order" in t for t in texts) and any("organize" in t for t in texts)
    assert all(d[1] == -1 and d[2] == "Ahmad Massoud" for d in denials)
    assert negations == 0
