"""What reaches the graph: readings at or above a confidence, and a curator's decisions.

Every claim and operation the page reader makes carries how sure the reading is (see
`operations.unit_confidence`). A build publishes only the readings that reach `min_confidence`
(default `DEFAULT_MIN_CONFIDENCE`, the setting that met the precision target on the real pages:
bench/eval_real.py); the others are held for review. A curator's decision, kept in the place's
record file under `review` (`kg review`), wins over the threshold both ways: an accepted reading
is published whatever its confidence, a rejected one never.

A decision names its reading by stable keys, not by page text: a claim by its tactic, an
operation by its start (or circa) and its tactics.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..model import Operation, Profile, TacticClaim

DEFAULT_MIN_CONFIDENCE = 0.5


@dataclass
class Decision:
    """A curator's verdict on one reading of a page."""

    reading: str                 # "claim" or "operation"
    decision: str                # "accept" or "reject"
    tactic: str | None = None    # a claim's tactic
    start: str | None = None     # an operation's start (or circa, "1990s")
    tactics: list[str] = field(default_factory=list)  # an operation's tactics
    note: str | None = None

    def matches(self, item: TacticClaim | Operation) -> bool:
        if self.reading == "claim":
            return isinstance(item, TacticClaim) and item.tactic == self.tactic
        return isinstance(item, Operation) and operation_key(item) == (self.start, frozenset(self.tactics))


def operation_key(op: Operation) -> tuple[str | None, frozenset[str]]:
    return (op.start or op.circa, frozenset(op.tactics))


def reading_id(item: TacticClaim | Operation) -> str:
    """A short, stable name for a reading, as `kg review` lists it."""
    if isinstance(item, TacticClaim):
        return f"claim:{item.tactic}"
    when = item.start or item.circa or "undated"
    return f"operation:{when}:{'+'.join(item.tactics)}"


def apply(p: Profile, min_confidence: float | None = DEFAULT_MIN_CONFIDENCE,
          decisions: list[Decision] | None = None) -> Profile:
    """Keep the readings that reach min_confidence or that a curator accepted; hold the rest
    (in `p.held`). Readings without a confidence (a curator's record) are always kept."""
    decisions = decisions or []

    def verdict(item: TacticClaim | Operation) -> str | None:
        for d in decisions:
            if d.matches(item):
                return d.decision
        return None

    def keep(item: TacticClaim | Operation) -> bool:
        v = verdict(item)
        if v == "reject":
            return False
        if v == "accept":
            item.curated = True
            return True
        return item.confidence is None or min_confidence is None or item.confidence >= min_confidence

    held: list[TacticClaim | Operation] = []
    claims = []
    for c in p.tactics:
        (claims if keep(c) else held).append(c)
    # an operation stands on its tactics' claims: one whose tactics are all held is held too; a
    # practice the page says was stopped keeps its operations (they happened) without a claim
    kept_tactics = {c.tactic for c in claims} | set(p.negated_tactics)
    ops = []
    for o in p.operations:
        if keep(o) and (verdict(o) == "accept" or o.confidence is None or set(o.tactics) & kept_tactics):
            o.tactics = [t for t in o.tactics if t in kept_tactics or verdict(o) == "accept"]
            ops.append(o)
        else:
            held.append(o)
    # an accepted operation brings back the claims of its tactics
    for o in ops:
        if o.curated:
            for c in [x for x in held if isinstance(x, TacticClaim) and x.tactic in o.tactics]:
                held.remove(c)
                claims.append(c)
    p.tactics, p.operations = claims, ops
    p.held = held + p.held
    return p
