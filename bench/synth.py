"""Synthetic profile records for benchmarks and scale tests (never for data/).

`python bench/synth.py --places 35000 --out /tmp/synth-data` writes one YAML record per place
with the shape of the real data: kinds, states, 0-6 operations with tactics, dates, arrest
counts and agencies, sources with citations and URLs. Names are made up (Synthville-123).
"""
from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from kg.tactics import TACTIC_NAMES  # noqa: E402

STATES = ["AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN",
          "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH",
          "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT",
          "VT", "VA", "WA", "WV", "WI", "WY"]
KINDS = (["City"] * 60 + ["County"] * 25 + ["Town"] * 5 + ["Township"] * 4 + ["Village"] * 3
         + ["Borough"] * 2 + ["CDP"])
# Tactic weights follow the real data's operation counts.
WEIGHTS = {"Reverse Stings": 211, "Identity Disclosure": 111, "Web Stings": 87, "Buyer Arrests": 27,
           "Auto Seizure": 17, "John School": 15, "Neighborhood Action": 10, "Cameras": 8}
SYLLABLES = ["ash", "bel", "cor", "dun", "el", "fair", "glen", "har", "ing", "jas", "kel", "lin",
             "mar", "nor", "oak", "pel", "quin", "ros", "sal", "tor", "val", "wes", "york"]


def name(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def date(rng: random.Random) -> str:
    y = rng.randint(1970, 2023)
    r = rng.random()
    if r < 0.5:
        return str(y)
    if r < 0.9:
        return f"{y}-{rng.randint(1, 12):02d}"
    return f"{y}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def record(i: int, rng: random.Random) -> dict:
    state, kind = rng.choice(STATES), rng.choice(KINDS)
    base = f"{name(rng)}-{i}"
    label = f"{base} County" if kind == "County" else base
    slug = f"{label.lower().replace(' ', '-')}-{state.lower()}"
    agency = f"{base} {'Sheriff' + chr(8217) + 's Office' if kind == 'County' else 'Police Department'}"
    ops, used = [], set()
    for _ in range(rng.choice([0, 1, 1, 2, 2, 3, 4, 6])):
        ts = rng.choices(list(WEIGHTS), weights=list(WEIGHTS.values()), k=rng.choice([1, 1, 2]))
        ts = list(dict.fromkeys(ts))
        used.update(ts)
        ops.append({"tactics": ts, "start": date(rng), "end": None, "since": rng.random() < 0.1,
                    "arrests": rng.choice([None, None, rng.randint(0, 60)]),
                    "agency": agency if rng.random() < 0.7 else None,
                    "summary": f"synthetic operation {len(ops) + 1} of {label}"})
    if rng.random() < 0.2:
        used.add(rng.choice(TACTIC_NAMES))
    sources = []
    for n in range(rng.choice([0, 0, 1, 2, 3])):
        y = rng.randint(1990, 2023)
        sources.append({"heading": rng.choice(sorted(used)) if used else "Background on Local Prostitution",
                        "citation": f"{label} Gazette: \u201cSynthetic story {n}\u201d. {y}.",
                        "url": f"https://news.example.org/{slug}/{n}" if rng.random() < 0.5 else None,
                        "year": y})
    return {
        "slug": slug, "url": f"https://demand-forum.org/site/{slug}/", "name": label, "state": state,
        "kind": kind, "footer_type": None,
        "population_footer": rng.choice([None, rng.randint(500, 2_000_000)]),
        "population_narrative": rng.randint(500, 2_000_000),
        "list_version": rng.choice(["old-9", "old-10", "new-13", "new-15"]),
        "tactics": [{"tactic": t, "evidence": ["narrative"]} for t in sorted(used)],
        "negated_tactics": [], "operations": ops,
        "partners": [agency] if rng.random() < 0.3 else [], "sources": sources,
    }


def generate(places: int, out: Path, seed: int = 42) -> Path:
    rng = random.Random(seed)
    folder = out / "places"
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(places):
        rec = record(i, rng)
        (folder / f"{rec['slug']}.yaml").write_text(
            yaml.dump(rec, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), sort_keys=False,
                      allow_unicode=True), encoding="utf-8")
    return out


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--places", type=int, default=35000)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=42)
    a = ap.parse_args()
    generate(a.places, a.out, a.seed)
    print(f"wrote {a.places} synthetic places to {a.out}")
