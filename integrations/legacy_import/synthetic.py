"""Synthetic journal exports for the import benchmark and tests."""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path

from vardmiljo.identifiers import make_personnummer

KEYWORDS = ["Aktuellt", "Anamnes", "Status", "Bedömning", "Åtgärd"]
PHRASES = [
    "Besöker mottagningen för uppföljning.",
    "Mår bra, inga nya besvär.",
    "Blodtrycket välkontrollerat.",
    "Fortsatt behandling enligt plan.",
    "Hosta sedan två veckor, ingen feber.",
    "Lungor: vesikulärt andningsljud bilateralt.",
    "Hjärta: regelbunden rytm, inga blåsljud.",
    "Ny kontroll om tre månader.",
    "Provtagning inför nästa besök.",
]


def write_notes_file(path: Path, *, notes: int, patients: int, unit_hsa: str, seed: int = 8) -> None:
    """`notes` notes spread over `patients` patients at one unit, one JSON object a line."""
    rng = random.Random(seed)
    people: list[str] = []
    seen: set[str] = set()
    day = dt.date(1940, 1, 1)
    while len(people) < patients:
        pnr = make_personnummer(day, 980 + len(people) % 20)
        day += dt.timedelta(days=1 if len(people) % 20 == 19 else 0)
        if pnr not in seen:
            seen.add(pnr)
            people.append(pnr)
    start = dt.datetime(2005, 1, 1, 8, 0)
    with path.open("w", encoding="utf-8") as fh:
        for i in range(notes):
            pnr = people[i % patients]
            when = start + dt.timedelta(minutes=rng.randrange(9_000_000))
            fh.write(
                json.dumps(
                    {
                        "id": f"SYN-{i}",
                        "typ": "anteckning",
                        "pnr": pnr,
                        "fornamn": "Test",
                        "efternamn": f"Syntetisk{i % patients}",
                        "datum": when.strftime("%Y-%m-%d %H:%M"),
                        "enhet": unit_hsa,
                        "forfattare": "Dr Legacy",
                        "sokord": rng.choice(KEYWORDS),
                        "text": " ".join(rng.sample(PHRASES, 3)),
                    },
                    ensure_ascii=False,
                )
                + "\n"
            )
