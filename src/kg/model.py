"""The parsed profile: what one page (or one structured record) says about one place.

Every stage after reading works on these dataclasses, whatever the input form was
(plain text, saved HTML, YAML/JSON record). `to_json` gives the `kg parse --json` object
of the public contract.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# Evidence kinds a tactic claim may rest on.
EVIDENCE_NARRATIVE = "narrative"        # a narrative passage describes the tactic
EVIDENCE_KEY_SOURCES = "key-sources"    # a Key Sources heading names it
EVIDENCE_HTML_MARK = "html-mark"        # saved HTML marks it as used (check mark, class)
EVIDENCE_KINDS = (EVIDENCE_NARRATIVE, EVIDENCE_KEY_SOURCES, EVIDENCE_HTML_MARK)


@dataclass
class TacticClaim:
    """A tactic the place used, with the evidence that says so."""

    tactic: str                                        # one of the 15 names in kg.tactics
    evidence: list[str] = field(default_factory=list)  # EVIDENCE_* kinds
    quotes: list[str] = field(default_factory=list)    # sentences that describe it
    headings: list[str] = field(default_factory=list)  # Key Sources headings naming it
    confidence: float | None = None                    # how sure the reading is (0-1); None: a curator's record
    curated: bool = False                              # a curator accepted the reading (kg review)


@dataclass
class Operation:
    """One distinct dated or counted action in the narrative."""

    tactics: list[str]
    start: str | None = None      # YYYY, YYYY-MM or YYYY-MM-DD
    end: str | None = None
    since: bool = False           # "since 1978": an ongoing practice begun then
    arrests: int | None = None    # buyers arrested; None when the page gives no count
    mixed_arrests: int | None = None  # people arrested where the page counts buyers and others together
    agency: str | None = None
    text: str = ""                # the sentence(s) it came from, or a summary in our words
    text_is_quote: bool = True    # False when `text` is a curator's summary, not page text
    circa: str | None = None      # a decade the page gives instead of a year ("1980s")
    confidence: float | None = None  # how sure the reading is (0-1); None: a curator's record
    curated: bool = False            # a curator accepted the reading (kg review)
    event: str | None = None      # the shared id of an event that several places' pages report
    notes: list[str] = field(default_factory=list)  # curator's notes (why a value was corrected)


@dataclass
class Source:
    """A Key Sources citation, filed under a heading."""

    heading: str | None = None
    citation: str | None = None
    url: str | None = None
    year: int | None = None
    date: str | None = None       # YYYY, YYYY-MM or YYYY-MM-DD when the citation gives it
    publication: str | None = None
    title: str | None = None


@dataclass
class Profile:
    slug: str
    name: str
    state: str | None                       # postal code
    kind: str | None = None                 # City, Town, County, ...
    population: int | None = None          # the footer's census estimate
    population_narrative: int | None = None  # the narrative's rounded figure
    url: str | None = None                  # the page this was read from (provenance)
    listed_tactics: list[str] = field(default_factory=list)  # the menu block: never evidence
    list_version: str | None = None
    tactics: list[TacticClaim] = field(default_factory=list)
    negated_tactics: list[str] = field(default_factory=list)
    operations: list[Operation] = field(default_factory=list)
    partners: list[str] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    held: list[Any] = field(default_factory=list)  # readings below the confidence threshold, for review
    file: str | None = None                 # where it was read from, for error messages
    record: str | None = None               # which record in that file (line, key)
    input_form: str | None = None           # "text", "html" or "record"
    read_to_footer: bool | None = None      # what was read of the page reached its footer (None: not known)
    read_chars: int | None = None           # characters of the page that were read
    notes: list[str] = field(default_factory=list)  # curator's notes on the record

    @property
    def best_population(self) -> int | None:
        """The footer's census estimate wins over the narrative's rounded figure."""
        return self.population if self.population is not None else self.population_narrative

    def tactic_names(self) -> list[str]:
        return [c.tactic for c in self.tactics]

    def to_json(self) -> dict[str, Any]:
        """The `kg parse --json` object of the public contract (plus a few extra keys)."""
        return {
            "slug": self.slug,
            "name": self.name,
            "state": self.state,
            "kind": self.kind,
            "population": self.population,
            "population_narrative": self.population_narrative,
            "url": self.url,
            "listed_tactics": list(self.listed_tactics),
            "list_version": self.list_version,
            "tactics": [_claim_json(c) for c in self.tactics],
            "negated_tactics": list(self.negated_tactics),
            "operations": [_operation_json(o) for o in self.operations],
            "partners": list(self.partners),
            "sources": [asdict(s) for s in self.sources],
            "read_to_footer": self.read_to_footer,
            "read_chars": self.read_chars,
            "warnings": list(self.warnings),
            "held": [_claim_json(x) if isinstance(x, TacticClaim) else _operation_json(x) for x in self.held],
            "file": self.file,
        }


def _claim_json(c: TacticClaim) -> dict[str, Any]:
    return {"tactic": c.tactic, "evidence": list(c.evidence), "quotes": list(c.quotes),
            "headings": list(c.headings), "confidence": c.confidence, "curated": c.curated}


def _operation_json(o: Operation) -> dict[str, Any]:
    return {"tactics": list(o.tactics), "start": o.start, "end": o.end, "since": o.since,
            "circa": o.circa, "arrests": o.arrests, "agency": o.agency, "text": o.text,
            "confidence": o.confidence, "curated": o.curated,
            **({"mixed_arrests": o.mixed_arrests} if o.mixed_arrests is not None else {}),
            **({"event": o.event} if o.event else {})}
