"""Entities: aliases collapse within an article and resolve across articles."""

from __future__ import annotations

from pathlib import Path

from claimwatch.importing import import_files
from warehouse.store import connect


def test_bare_surname_in_a_later_article_joins_the_stored_person(tmp_path: Path) -> None:
    first = tmp_path / "first.txt"
    first.write_text(
        "Rebels regroup in the north\n\nJohn Okoro, the leader of the Northern Alliance, said on Monday "
        "that Mr Okoro's movement had gathered around 4,000 fighters. Okoro's aides agreed.\n"
    )
    later = tmp_path / "later.txt"
    later.write_text(
        "Rebel numbers revised\n\nRebel leader Okoro's movement has only 1,500 fighters, army spokesman Peter Adeyemi said.\n"
    )
    db = tmp_path / "e.duckdb"
    import_files([first], str(db), outlet="Daily One")
    _, _, _, contradictions, _ = import_files([later], str(db), outlet="Daily Two")
    with connect(db, read_only=True) as con:
        people = con.execute("SELECT name, aliases FROM entities WHERE type = 'PERSON'").fetchall()
        subjects = {
            r[0]
            for r in con.execute(
                "SELECT subject FROM claims WHERE attribute = 'force size'"
            ).fetchall()
        }
    names = {p[0] for p in people}
    assert "John Okoro" in names and "Okoro" not in names
    okoro = next(p for p in people if p[0] == "John Okoro")
    assert {"Okoro", "John Okoro"} <= set(okoro[1])
    assert subjects == {"John Okoro"}
    assert contradictions == 1


def test_non_english_articles_yield_no_claims(tmp_path: Path) -> None:
    page = tmp_path / "de.txt"
    page.write_text(
        "Zuwachs erwartet\n\nExperten hatten mit einem Zuwachs von 0,2 Prozent gerechnet. "
        "Für das laufende Jahr rechnen die Experten mit einem Zuwachs von 3,2 Prozent.\n"
    )
    _, _, claims_new, _, _ = import_files([page], str(tmp_path / "de.duckdb"))
    assert claims_new == 0
