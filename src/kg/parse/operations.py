"""The narrative read as events: which actions the page reports, and what each evidences.

An operation is a reported action against buyers, dated or counted (`../shared/data/README.md`):
"police have conducted reverse stings" supports a claim and is not an operation; "since 1978" is
one (a practice begun then); "in December 2013, January 2014 and July 2017" are three.

The reader walks the sentences in order and groups them into events:

- a sentence that dates an action (a tactic, buyers arrested, "conducted an operation") starts
  one, an event per date where it gives several; the tactics of a clause go with the date nearest
  them ("street stings since 1985 and online ones since 2009");
- the sentences that follow and tell the same story (past tense, "the men", "during the
  operation", "as a result"), in the same paragraph, join it; a sentence about standing practice
  ("names are released", "operations have also been conducted") does not;
- "For example, ..." and "a similar operation" take the tactic of what they exemplify or
  resemble when they name none themselves; buyers arrested with no sting told are Buyer Arrests;
- a dated sentence with no action ("In 2011, the council looked for ways to ease the complaints")
  lends its date to the next sentence if that one tells the action.

Each event's tactics come from `evidence.resolve` over all its sentences, so an event whose
contact was online is a web sting even where one sentence says "reverse sting". Events without a
tactic against buyers (a trafficking bust, a homicide) are not operations; their sentences still
count for nothing. Claims are the union of the events' tactics and of the standing-practice
sentences' tactics, each with a confidence (see `confidence`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

import us

from ..model import Operation
from . import evidence
from .agencies import AGENCY_RE, Agencies, _agency_name, _home, _inherited, is_own_agency, read_agencies
from .counts import Count, buyer_count, find_count, find_counts, noun_whom  # noqa: F401  (re-exported)
from .dates import FULL_DATE, MONTH_YEAR, DateInfo, _month, find_date, find_dates  # noqa: F401
from .evidence import EXPLICIT, GENERIC, LABEL, NON_STING_METHOD, STINGS, WEAK, Cues, Mention
from .textutil import NUMBER_RE, fold, to_int

F = re.I

EXAMPLE = re.compile(r"^(?:[^,.;]{0,40},\s*)?(?:for example|for instance|as an example|in one (?:case|instance|example)|"
                     r"one example|(?:more )?recent examples? (?:include|of)|examples include|in a recent example|"
                     r"a recent example|to illustrate|such as when)\b", F)
ANAPHORA = re.compile(
    r"^(?:(?:during|in|after|following|as a result of|through|throughout|over the course of|at the end of|as part of)\s+)?"
    r"(?:the|this|that|these|those|both|each|all|its|their)\s+(?:[\w-]+\s+){0,2}?(?:operations?|stings?|reversals?|details?|"
    r"sweeps?|investigations?|crackdowns?|programs?|initiatives?|efforts?|men|man|johns?|buyers?|suspects?|arrestees|"
    r"offenders?|defendants?|individuals|ordinance|policy|project|campaign|class|classes|school|decoys?|officers?|"
    r"arrests?|raids?|event|enforcement|ads?|advertisements?|listings?|website|page)\b|"
    r"^(?:they|he|both|all (?:of the|five|six|seven|eight|nine|ten)|each|once arrested|as a result|as the men|when the men|"
    r"officers then|the men|upon (?:their )?arrival|after (?:their|his) arrests?|it (?:was|resulted|led|netted|involved|included)|"
    r"(?:this|that|the) (?:one|latter|former|second one)|"
    r"(?:(?:in|during|after|following)\s+)?the\s+(?:[a-z]+\s+)?(?:19|20)\d\d\s+(?:[\w-]+\s+){0,2}?(?:operations?|stings?|reversals?|details?|sweeps?|crackdowns?|raids?))\b", F)
# "repeated the operation", "(in) the same way": another of the operations just told
_REPEATED = re.compile(r"\brepeated\s+(?:the|its|their|that|this)\s+(?:[\w-]+\s+)?(?:operations?|stings?|sweeps?|details?|reversals?)\b|"
                       r"\b(?:in\s+)?the\s+same\s+(?:way|manner|fashion)\b", F)
SIMILAR = re.compile(r"\b(?:similar|same|such|another|second|third|fourth|follow-up|subsequent|additional|repeat|"
                     r"(?:a\s+)?(?:more\s+)?recent|latest|later|last)\s+"
                     r"(?:[\w-]+\s+)?(?:operations?|stings?|crackdowns?|sweeps?|details?|reversals?|efforts?|reverse stings?|"
                     r"programs?|class(?:es)?|schools?|initiatives?|campaigns?)\b|"
                     r"\b(?:has|have|had)\s+(?:\w+\s+)?done so\b|\bdid so\b|\bdoing so\b|"
                     r"\bone such\b|\b(?:operations?|stings?)\s+(?:was|were)\s+(?:repeated|held again)\b|"
                     r"\b(?:these|those|such|the same)\s+(?:\w+\s+)?(?:operations|stings|sweeps|reversals|details)\b|"
                     + _REPEATED.pattern + r"|\b(?:a|another)\s+(?:second|third|similar)?\s*one\b(?!\s+of)|"
                     r"\b(?:operations?|stings?|sweeps?|details?)\b[^.;]{0,50}?\b(?:\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
                     r"a dozen|[a-z]+teen|twenty|thirty)\s+more\s+(?:arrests|men|johns|buyers)\b", F)
OPENER = re.compile(r"\b(?:conducted|carried out|ran|launched|held|led|organi[sz]ed|staged|mounted|began|started|"
                    r"initiated|coordinated|undertook|participated in|took part in|joined|announced|implemented|established|"
                    r"created|developed|adopted|instituted|enacted|passed)\s+(?:\w+\s+){0,5}?(?:operations?|stings?|crackdowns?|"
                    r"sweeps?|investigations?|details?|probes?|initiatives?|programs?|ordinances?|polic(?:y|ies)|campaigns?|"
                    r"projects?|efforts?)\b|\b(?:operations?|stings?|crackdowns?|sweeps?|investigations?|details?|initiatives?|"
                    r"programs?|campaigns?)\s+(?:was|were)\s+(?:\w+\s+)?(?:conducted|carried out|launched|held|staged|"
                    r"established|implemented|created|developed|instituted)\b|\btook place\b", F)
_MODAL = re.compile(r"\b(?:is|are|may|might|can|must|will|typically|usually|generally|routinely|often|frequently|periodically|"
                    r"sometimes|now|currently|continues?|remains?|tends?|has|have|includes?|involves?|consists?|uses|employs|"
                    r"conducts|releases|publishes|targets|requires|allows|offers|sends|imposes)\b", F)
_PAST = re.compile(r"\b(?:was|were|did)\b", F)
_PAST_VERB = re.compile(r"\b(?:ran|began|led|took|made|sent|held|put|got|caught|found|paid|wrote|drew|met|brought|gave|"
                        r"went|came|saw|told|said|sought|fled|arrived|responded|agreed|offered|posted|placed|arrested|"
                        r"charged|cited|seized|impounded|released|published|identified|named|netted|resulted|yielded|"
                        r"produced|apprehended|contacted|arranged|answered|approached|solicited|resigned|lost|fired|"
                        r"ordered|sentenced|pled|pleaded|received|attended|completed|installed|used|conducted|launched|"
                        r"recorded|videotaped|reported|announced|participated|assisted|collaborated|worked|established|"
                        r"created|impounded|towed|mailed|sent|posted|followed|stemmed|came from|uncovered|showed|revealed|tried|attempted|"
                        r"adopted|passed|enacted|implemented|introduced|started|initiated|formed|organized|hired|joined|"
                        r"partnered|expanded|focused|targeted|raided|busted|cracked|stopped|detained|booked|indicted|posed|pretended|"
                        r"acted|showed up|spotted|observed|approached|flagged|waved|drove|picked up|stood|walked|"
                        r"(?:officers?|detectives?|deputies|agents?|troopers?|investigators?)\s+(?:\w+\s+)?\w+ed)\b", F)
UNCLEAR_STING = re.compile(r"\b(?:unclear|not clear|unknown|not known)\s+(?:if|whether)\b[^.;]{0,120}?\b(?:decoys?|"
                           r"targeted (?:sex )?buyers|reverse stings?|stings?)\b", F)
PROBLEM = re.compile(r"\b(?:well[- ]documented|problems?|crimes? associated|ancillary crimes|homicides?|serial killers?|"
                     r"sex trafficking (?:is|of|cases)|among the more serious)\b", F)
ONGOING = re.compile(r"\b(?:periodic(?:ally)?|regular(?:ly)?|routine(?:ly)?|ongoing|continu\w+|on a routine basis|"
                     r"every (?:year|month|few)|annual(?:ly)?|each year|times (?:a|per|each) year|now conducted|"
                     r"have been conducted|has been conducted|since then|since that time)\b", F)
MEN_WHO = re.compile(r"\b(" + NUMBER_RE + r")\s+(men|johns|buyers|males)\s+who\s+(?:\w+\s+)?(?:offered|agreed|attempted|tried|"
                     r"solicited|propositioned|approached|arrived|responded|showed up|came)\b", F)
ADOPTION = re.compile(r"\b(?:began|begun|incorporated|adopted|implemented|started|initiated|instituted|introduced|"
                      r"first (?:used|implemented|adopted))\b", F)


@dataclass
class SentenceInfo:
    text: str                 # as on the page
    f: str                    # folded, for matching
    para: int
    first: bool               # first sentence of its paragraph
    mentions: list[Mention]
    dates: list[DateInfo]     # the dates that can start an action ("until 2008" excluded)
    counts: list[Count]
    agencies: list[str]
    problem: bool = False     # in a paragraph that describes the local problem, not the response
    heading: list[str] = field(default_factory=list)   # tactics of the heading above the paragraph
    follower: "SentenceInfo | None" = None               # the next sentence of the same paragraph
    prev: "SentenceInfo | None" = None                   # the sentence before, in any paragraph

    _cues: Cues | None = None
    _flags: dict = field(default_factory=dict, repr=False)

    def _flag(self, name: str, rx: re.Pattern[str] | None = None) -> bool:
        """Sentence kinds, read when first asked (most sentences are never asked)."""
        if name not in self._flags:
            self._flags[name] = _is_general(self.f) if rx is None else bool(rx.search(self.f))
        return self._flags[name]

    @property
    def example(self) -> bool:
        return self._flag("example", EXAMPLE)

    @property
    def anaphora(self) -> bool:
        return self._flag("anaphora", ANAPHORA)

    @property
    def similar(self) -> bool:
        return self._flag("similar", SIMILAR)

    @property
    def opener(self) -> bool:
        return self._flag("opener", OPENER)

    @property
    def general(self) -> bool:
        """Standing practice, not an event."""
        return self._flag("general")

    @property
    def cues(self) -> Cues:
        """Whose act the sentence tells (read when first needed: most sentences never need it)."""
        if self._cues is None:
            self._cues = evidence.cues(self.f)
        return self._cues

    @property
    def tactics(self) -> list[str]:
        if not self.mentions:
            return []
        return evidence.resolve(self.mentions, self.cues)

    @property
    def date(self) -> DateInfo | None:
        return self.dates[0] if self.dates else None


@dataclass
class Event:
    sents: list[SentenceInfo]
    date: DateInfo | None
    para: int
    inherited: list[str] = field(default_factory=list)   # tactics taken from an example's topic
    mentions: list[Mention] | None = None                 # when only some of a sentence's mentions are its own
    count: Count | None = None
    count_fixed: bool = False                             # the count was assigned (respectively/each)
    foreign: bool = False                                 # another place's action
    op: Operation | None = None                           # the operation it makes, if any
    first_cues: Cues | None = None                        # cues of its part of a sentence of several dates
    stings_as: list[str] = field(default_factory=list)    # the sting a generic "sting" here stands for
    method_unstated: bool = False                         # buyers arrested, by what means the page does not say
    sting_free: bool = False                              # no sting named in its paragraph before it
    sting_unclear: bool = False                           # the page says it is unclear whether decoys were used

    def _text_of(self, m: Mention) -> str:
        for s in self.sents:
            if any(x is m for x in s.mentions):
                return s.f
        return ""

    def all_mentions(self) -> list[Mention]:
        if self.mentions is not None:
            rest = [m for s in self.sents[1:] for m in s.mentions]
            return list(self.mentions) + rest
        return [m for s in self.sents for m in s.mentions]

    def cues(self) -> Cues:
        c = self.first_cues if self.first_cues is not None else self.sents[0].cues
        for s in self.sents[1:]:
            c = c.merge(s.cues)
        return c

    def tactics(self) -> list[str]:
        ms = self.all_mentions()
        c = self.cues()
        if self.sting_free and not any(m.tactic in STINGS for m in ms):
            c = replace(c, no_sting_context=True)  # "police arrested 60 men for patronizing", no sting in sight
        own = _unclear_resolve(ms, c) if self.sting_unclear else evidence.resolve(ms, c)
        if self.stings_as and not (c.web or c.street) and not any(m.typed(self._text_of(m)) for m in ms if m.positive and m.tactic in STINGS):
            # the event says only "a sting": it is the sting of the practice it exemplifies
            own = [t for t in own if t not in STINGS and t != "Buyer Arrests"] + list(self.stings_as)
        out = list(own)
        for t in self.inherited:
            if t not in out and not (self.sting_unclear and t in STINGS):
                out.append(t)
        return out


def _unclear_resolve(ms: list[Mention], c: Cues) -> list[str]:
    """Where the page says it is unclear whether decoys were used ("it is unclear if the Sheriff's
    Office targeted buyers or used decoys in these operations"), an "operation" it does not name
    as a sting is not read as one: its buyers were arrested, by a method the page leaves open."""
    named = any(m.positive and m.strength in (evidence.LABEL, evidence.EXPLICIT) and m.tactic in STINGS for m in ms)
    if named:
        return evidence.resolve(ms, c)
    return evidence.resolve([m for m in ms if m.tactic not in STINGS], replace(c, no_sting_context=True))


_PARTICIPLE_NOUN = re.compile(r"\b(?:men|man|women|woman|people|persons?|individuals?|those|buyers?|johns?|customers?|"
                              r"offenders?|anyone|someone|drivers?|vehicles?|cars?|names?|photos?)\s+$", F)


_NEW_STORY = re.compile(r"(?:in|for)\s+(?:one|another|a separate|an unrelated|a second|a third|a different)\s+(?:[\w-]+\s+){0,2}?"
                        r"(?:case|instance|incident|example|story)\b", F)


_ADJECTIVE_NOUN = re.compile(r"\s+(?:sex\s+|male\s+)?(?:buyers?|johns?|men|man|women|woman|individuals?|persons?|people|suspects?|"
                            r"offenders?|customers?)\b", F)  # "the names of all arrested sex buyers will be ..."


def _is_general(f: str) -> bool:
    """A sentence about standing practice ("judges order ...", "names may be released",
    "operations have also been conducted"), not about one event."""
    f = re.sub(r"^(?:if|whenever)\b[^,;]*,", " ", f, flags=F)  # "If the man was ..., he may ...": the main clause
    past_aux = _PAST.search(f)
    perfect = re.search(r"\b(?:has|have)\s+(?:also\s+|since\s+|occasionally\s+|periodically\s+|routinely\s+|frequently\s+|"
                        r"regularly\s+|often\s+|at times\s+)*(?:been\s+)?\w+(?:ed|en|t)\b", f, F)
    if past_aux and not (perfect and perfect.start() < past_aux.start() and re.search(r"\b(?:since|because|as|while|when)\b",
                                                                                       f[perfect.end():past_aux.start()], F)):
        return False  # "... have conducted stings, since prostitution was illegal": the 'was' of a subordinate clause
    if perfect:
        return True
    modal = _MODAL.search(f)
    if not modal:
        return not _PAST_VERB.search(f)
    # "The city established an ordinance that allows ...": the main clause's verb decides; but in
    # "men arrested for soliciting may ...", a participle after its noun is no verb of the sentence
    past = next((m for m in _PAST_VERB.finditer(f) if not _PARTICIPLE_NOUN.search(f[max(0, m.start() - 25):m.start()])
                 and not _ADJECTIVE_NOUN.match(f, m.end())), None)
    return past is None or modal.start() < past.start()


def read_sentences(paragraphs: list[str], split, heads: dict[int, list[str]] | None = None,
                   agencies: Agencies | None = None, cut_off: bool = False) -> list[SentenceInfo]:
    """`cut_off`: the page was cut off (no footer), so an unfinished last sentence is not whole."""
    agencies = agencies or read_agencies(paragraphs)
    out: list[SentenceInfo] = []
    anchor: str | None = None
    for pi, para in enumerate(paragraphs):
        fp = fold(para)
        problem = bool(PROBLEM.search(fp)) and not re.search(r"\b(?:demand|sex buyers|johns|reverse stings?|to combat|"
                                                              r"to address|in an effort)\b", fp, F)
        for k, sent in enumerate(split(para)):
            f = fold(sent)
            if len(f) > 3000:  # runaway "sentence" (no punctuation): read its start only
                f = f[:3000]
            found = find_dates(f, anchor)
            dates = [d for d in found if not d.until and not d.document]
            for d in found:  # "... until 2015. In March of that year, ...": every year read anchors
                if d.start:
                    anchor = d.start
            info = SentenceInfo(sent, f, pi, k == 0, evidence.mentions(f), dates,
                                find_counts(f), agencies.in_sentence(f))
            info.problem = problem
            info.heading = list((heads or {}).get(pi, []))
            if out and out[-1].para == pi:
                out[-1].follower = info
            info.prev = out[-1] if out else None
            out.append(info)
    if cut_off and out and not UNFINISHED_OK.search(out[-1].text):
        # what the sentence says up to the cut stands (on real cut-off copies its claims were
        # right 4 times in 5), but a number at the very end may have lost digits
        last = out[-1]
        for c in last.counts:
            if re.fullmatch(r"\S+\s*", last.f[c.pos:]):
                c.value = None  # "arrested 1" where the copy ends: 1, 12 or 150
    return out


# how a whole sentence ends; a cut-off page's last sentence without it was cut inside
UNFINISHED_OK = re.compile(r"[.!?\"\u201d\u2019')\]]\s*$")


def _sting_tactics(ts: list[str]) -> list[str]:
    return [t for t in ts if t in STINGS or t == "Buyer Arrests"]


def _split_by_date(s: SentenceInfo) -> list[tuple[DateInfo, list[Mention]]]:
    """A sentence with several dates: each date with the mentions of its clause ("conducted in
    1985; officers have conducted web-based reversals since 2007"), else the nearest before it."""
    dates = s.dates
    if len(dates) == 1:
        return [(dates[0], list(s.mentions))]
    # "... since at least 2008 and web stings since 2014": the second "since" opens a clause of its own
    cuts = [0] + [m.end() for m in re.finditer(r";|\.\s|,\s*(?:and|while|but|whereas)\b|\band\s+(?:has|have|had|was|were)\b|"
                                               r"\b(?:and|while|but)\s+(?=(?:[\w-]+\s+){1,4}?since\s+(?:at\s+least\s+)?(?:19|20)\d\d)", s.f, F)]

    def clause(pos: int) -> int:
        return sum(1 for c in cuts if c <= pos)

    groups: list[tuple[DateInfo, list[Mention]]] = [(d, []) for d in dates]
    for m in s.mentions:
        same = [i for i, d in enumerate(dates) if clause(d.pos) == clause(m.start)]
        pool = same or list(range(len(dates)))
        before = [i for i in pool if dates[i].pos <= m.start]
        if same:
            best = min(same, key=lambda i: abs(dates[i].pos - m.start))
        elif before:
            best = max(before, key=lambda i: dates[i].pos)
        else:
            best = min(pool, key=lambda i: abs(dates[i].pos - m.end))
        groups[best][1].append(m)
    return groups


def build_operations(paragraphs: list[str], split, place: str | None = None,
                     heads: dict[int, list[str]] | None = None, kind: str | None = None,
                     cut_off: bool = False) -> tuple[list[Operation], list[SentenceInfo], Agencies, list[Event]]:
    """Operations from the narrative, and the reading they came from."""
    agencies = read_agencies(paragraphs)
    home = _home(agencies, place)
    infos = read_sentences(paragraphs, split, heads, agencies, cut_off)
    agencies.elsewhere = frozenset(n for para in paragraphs for rx in (*OTHER_PLACES[:3], NEIGHBOUR_NAMED) for m in rx.finditer(para)
                                   for n in [m.group(1) or m.group(m.lastindex)] if n and _elsewhere(n, place))
    events: list[Event] = []
    cur: Event | None = None
    pending: SentenceInfo | None = None      # a dated sentence that tells no action yet
    pending_run: list[SentenceInfo] = []     # and the sentences after it that tell none either
    topic: list[str] = []                    # what the last sentence with a tactic was about (stings first)
    last_para = -1
    topic_para = -1
    para_stings = False                      # a sting named earlier in the paragraph
    for s in infos:
        if s.para != last_para:
            para_stings = False
            pending = None
            if s.heading:
                topic, topic_para = list(s.heading), s.para
            if cur is not None and not _continues(cur, s):
                cur = None
            last_para = s.para
        if pending is not None and not s.dates and (_NEW_STORY.match(s.f) or _ABOUT_THEN.match(s.f)):
            pending = None  # "In another case, a man ... was arrested": not what the dated sentence told
        own = s.tactics
        count = buyer_count(s.counts, s.f)
        buyers_arrested = count is not None or any(m.positive and m.tactic == "Buyer Arrests" for m in s.mentions)
        acts = bool(own) or buyers_arrested or s.opener or bool(re.search(r"\bdone so\b|\bdid so\b", s.f, F) and topic) \
            or (s.similar and bool(events) and not CANCELLED.search(s.f)
                and bool(re.match(r"(?:an?|one)\s+(?:\w+\s+)?(?:similar|second|another)\b", s.f, F)
                                                    or (s.dates and _REPEATED.search(s.f)))) \
            or (bool(topic) and _since_of_these(s)) or (bool(events) and bool(_SEVERAL.search(s.f))) \
            or (bool(_sting_tactics(topic)) and bool(_date_counts(s))) \
            or (s.similar and bool(events) and bool(s.dates) and bool(_MORE_ARRESTED.search(s.f)))
        if s.dates and acts and not (cur is not None and _continues(cur, s)):
            made = _start_events(s, topic, events, count)
            free = not para_stings and not set(topic) & set(STINGS) and not any(m.tactic in STINGS for m in s.mentions)
            for ev in made:
                ev.sting_free = free
            events.extend(made)
            cur = made[-1] if made else None
            pending = None
        elif cur is not None and _continues(cur, s):
            cur.sents.append(s)
            if s.dates and (cur.date is None or cur.date.start is None):
                cur.date = s.dates[0]  # "The program, instituted in February 1990, ..."
        elif not s.dates and (s.example or (s.similar and buyers_arrested)) and (own or buyers_arrested):
            ev = Event([s], None, s.para)
            _inherit(ev, s, topic, events)
            events.append(ev)
            cur = ev
        elif pending is not None and not s.dates and (own or buyers_arrested) and not s.general and pending.para == s.para:
            # "In January 2014, detectives observed ... An investigation showed ... The two men were
            # arrested": the dated sentence, what followed it, and this one tell one event
            ev = Event([pending, *pending_run, s], pending.dates[0], s.para)
            events.append(ev)
            cur = ev
            pending = None
        elif s.dates and not own and count is None:
            pending = s
            pending_run = []
            cur = None
        else:
            if own and s.general:
                cur = None  # a new practice is told: the event before it is over
            if pending is not None and not s.general and s.para == pending.para:
                pending_run.append(s)
        para_stings = para_stings or any(m.tactic in STINGS for m in s.mentions)
        if own and (_sting_tactics(own) or not _sting_tactics(topic) or s.para != topic_para):
            topic, topic_para = own, s.para
    ops = []
    practices: dict[tuple, Operation] = {}
    unclear = any(UNCLEAR_STING.search(s.f) for s in infos)
    # the page's one agency is the actor where no other is named, but not before the page has
    # named it, unless it is the place's own force: a sheriff first met in 2015 did not run 2012's sting
    index = {id(s): i for i, s in enumerate(infos)}
    named_at = next((i for i, s in enumerate(infos) if home and home in s.agencies), None)
    own_home = bool(home) and is_own_agency(home, place)
    for ev in events:
        ev.sting_unclear = unclear
        last = index[id(ev.sents[-1])]
        told = last + 1 if last + 1 < len(infos) and infos[last + 1].para == ev.sents[-1].para else last
        may_act = own_home or (named_at is not None and told >= named_at)
        ev.op = _operation(ev, agencies, home if may_act else None, place, kind)
        if ev.op is not None and ev.op.since and ev.op.arrests is None:
            # "stings since 1996 ... State Police have conducted stings since that time": one practice
            key = (ev.op.start, ev.op.circa, frozenset(ev.op.tactics))
            if key in practices:
                same = practices[key]
                if ev.op.text not in same.text:
                    same.text = (same.text + " " + ev.op.text).strip()
                ev.op = None
                continue
            practices[key] = ev.op
        if ev.op is not None:
            ms, c = ev.all_mentions(), ev.cues()
            problem = all(x.problem for x in ev.sents)
            confs = [unit_confidence(t, ms, c, ev.inherited, True, problem) for t in ev.op.tactics]
            ev.op.confidence = round(sum(confs) / len(confs), 2) if confs else UNSTATED_CONFIDENCE
            ops.append(ev.op)
    return _merge_retold(ops), infos, agencies, events


def _same_sentence(a: str, b: str) -> bool:
    return bool(a and b) and (a[:80] in b or b[:80] in a)


def _merge_retold(ops: list[Operation]) -> list[Operation]:
    """One event told twice ("in April 2014 an undercover operation ..." among the problems, then
    "in April 2014 the Sheriff's Office conducted a reversal ... 24 sex buyers"; "a similar
    operation seven years earlier ... In July 2007 ..."): the same tactics, in the same month or
    the same year at a finer precision, with counts that do not disagree, are one operation,
    kept at its most precise date."""
    out: list[Operation] = []
    for a in sorted(ops, key=lambda o: -len(o.start or "")):
        twin = None
        if a.start and not a.since and not a.circa:
            for b in out:
                if b.start and not b.since and (set(b.tactics) == set(a.tactics) or
                                               (not a.tactics and _sting_tactics(b.tactics) == b.tactics) or
                                               (not b.tactics and _sting_tactics(a.tactics) == a.tactics)) \
                        and b.agency in (a.agency, None) \
                        and (b.start == a.start or (len(a.start) == 4 and b.start[:4] == a.start)) \
                        and (a.arrests is None or b.arrests is None or a.arrests == b.arrests) \
                        and not _same_sentence(a.text, b.text) \
                        and not _NEXT_ONE.search(a.text or ""):  # split from one sentence on purpose
                    twin = b
                    break
        if twin is None:
            out.append(a)
            continue
        twin.tactics = twin.tactics or list(a.tactics)  # buyers arrested, how told only in the retelling
        twin.arrests = twin.arrests if twin.arrests is not None else a.arrests
        twin.mixed_arrests = twin.mixed_arrests if twin.mixed_arrests is not None else a.mixed_arrests
        twin.agency = twin.agency or a.agency
        if a.text and a.text not in twin.text:
            twin.text = (twin.text + " " + a.text).strip()
        if a.confidence is not None and (twin.confidence is None or a.confidence > twin.confidence):
            twin.confidence = a.confidence
    return [o for o in ops if any(o is x for x in out)]


# "The following summer, a similar sting netted ten more men": a later one, not the same retold
_NEXT_ONE = re.compile(r"\b(?:following|next)\s+(?:spring|summer|fall|autumn|winter)\b|\b(?:\d+|[a-z]+)\s+more\s+(?:men|johns|buyers)\b", F)
# "A weekend operation in May 1986 led to 18 more arrests": one more of the operations told
_MORE_ARRESTED = re.compile(r"\bmore\s+(?:arrests|men|johns|buyers)\b", F)
# "A second operation, planned for the following spring, was called off": no operation
CANCELLED = re.compile(r"\b(?:was|were)\s+(?:\w+\s+)?(?:cancel+ed|called off|postponed|scrapped|scuttled)\b", F)
_ABOUT_THEN = re.compile(r"(?:at\s+)?(?:around|about|roughly|approximately)\s+the\s+same\s+time\b", F)
_CHANGED = re.compile(r"\b(?:changed|ended|stopped|halted|discontinued|abandoned|suspended|ceased|dropped|reversed)\b", F)


# what befalls the men a sting arrested: told after the sting, it is part of that operation
_CONSEQUENCES = frozenset({"Identity Disclosure", "Auto Seizure", "License Suspension", "Employment Loss", "Letters",
                           "Community Service", "John School", "SOAP Orders"})


def _continues(cur: Event, s: SentenceInfo) -> bool:
    """Does s tell more of the current event?"""
    last = cur.sents[-1]
    if _ABOUT_THEN.match(s.f) or _SEVERAL.search(s.f):
        return False  # "Around the same time, the city began ...": another act, its date only roughly the last one
    if s.para != last.para and not (s.first and not s.dates and (s.anaphora or not s.general) and s.para == last.para + 1):
        return False
    if s.example:
        return False
    if s.dates:
        d = s.dates[0]
        if s.anaphora and not s.tactics and len(s.dates) == 1 and not _CHANGED.search(s.f) and not s.similar and (
                cur.date is None or cur.date.start is None or (d.start or "")[:4] == (cur.date.start or "")[:4]):
            return True  # the event told again, at a finer date
        if d.same_period and cur.date is not None and d.start == cur.date.start and len(s.dates) == 1 \
                and s.para == last.para and not s.similar and s.tactics and set(s.tactics) <= _CONSEQUENCES \
                and buyer_count(s.counts, s.f) is None and not re.search(r"\b(?:also|another|separately)\b", s.f, F):
            # "The department released the men's names that same month": what followed the sting, not
            # another ("That year, several reverse stings ..." is another)
            return True
        if cur.date is None or d.start != cur.date.start or d.since or cur.date.since or len(s.dates) > 1:
            return False
        return s.anaphora or not s.tactics or bool(set(s.tactics) & set(cur.tactics()))
    if cur.date and (cur.date.since or cur.date.decade) and s.tactics and not s.anaphora \
            and cur.tactics() and not set(s.tactics) & set(cur.tactics()):
        return False  # a practice "since the 1970s", then another tactic's story: not more of the practice
    if s.general and not s.anaphora:
        # "Since 1977, the department has arrested over 1,000 buyers. It continues to conduct
        # stings ...": a practice with no tactic yet, told on by its pronoun
        return bool(cur.date and cur.date.since and not cur.tactics() and s.para == last.para
                    and re.match(r"(?:it|they)\s+(?:\w+\s+)?(?:continues?|still)\b", s.f, F))
    if s.general and s.anaphora and _MODAL.search(s.f) and not _PAST.search(s.f):
        return False
    if s.similar and not s.anaphora:
        return False
    return True


ONE_OF = re.compile(r"\b(?:was|is|were|are)\s+(?:one|two|three|among)\s+(?:of\s+)?(?:the\s+)?(" + NUMBER_RE + r")\s+"
                    r"(people|persons|individuals|men|johns|buyers|suspects)\s+(?:who\s+were\s+)?(?:arrested|charged|cited)\b", F)


def _since_of_these(s: SentenceInfo) -> bool:
    """"This work has gone on since 2005 at the latest", "It has operated since 2007", "The program
    began in 2010": when the practice just told began."""
    if s.dates and re.match(r"(?:the|this|that|its|their)\s+(?:[\w-]+\s+)?(?:program|programme|class|school|course|practice|"
                            r"initiative|policy|ordinance)\s+(?:first\s+)?(?:began|started|opened|was (?:launched|created|established|"
                            r"started|founded))\b", s.f, F):
        return True
    if any(d.since for d in s.dates) and re.match(r"(?:it|they)\s+(?:has|have)\s+(?:been\s+)?(?:operated|run|existed|offered|"
                                                    r"held|in place|running|active|operating)\b", s.f, F):
        return True
    return any(d.since for d in s.dates) and bool(re.match(
        r"(?:these|those|such|this|that)\s+(?:[\w-]+\s+)?(?:efforts?|operations|stings|practices?|tactics|strateg(?:y|ies)|"
        r"approach(?:es)?|enforcement)\b", s.f, F))


def _inherit(ev: Event, s: SentenceInfo, topic: list[str], events: list[Event]) -> None:
    """An example or a "similar operation" that names no tactic (or only a generic sting) takes
    the tactic of what it exemplifies or resembles."""
    own = evidence.resolve(ev.all_mentions(), ev.cues())
    # "another reverse sting" names its kind ("reverse sting" is the site's label): only a bare
    # "sting" or "operation" takes the kind of the one it resembles
    generic_only = bool(set(own) & set(STINGS)) and not any(
        m.typed(s.f) or m.strength == evidence.LABEL for m in ev.all_mentions() if m.tactic in STINGS and m.positive)
    source: list[str] = []
    such = bool(re.search(r"\b(?:one such|such an?|in one such)\b", s.f, F))
    if re.search(r"\bdone so\b|\bdid so\b|\bdoing so\b", s.f, F) and topic and not own:
        source = list(topic)
    elif (such or s.example) and topic:
        source = _sting_tactics(topic) or topic
    elif topic and not own and _since_of_these(s):
        source = list(topic)  # "This work has gone on since 2005 at the latest": the practice just told
    elif topic and not own and _sting_tactics(topic) and _date_counts(s):
        source = _sting_tactics(topic)  # "They produced these arrests: 14 men in March 2016, 9 in ...": those stings
    elif s.similar and events:
        prev = events[-1]
        source = [t for t in prev.tactics() if t in STINGS or t == "Buyer Arrests"]
        if not source and prev.cues().buyers and NON_STING_METHOD.search(" ".join(x.f for x in prev.sents)):
            # "two men were arrested in a motel investigation ... A similar operation, seven years
            # earlier, netted five buyers": buyers arrested without a sting, like the one before
            source = ["Buyer Arrests"]
        source = source or prev.tactics()
    elif s.example and topic:
        source = _sting_tactics(topic) or topic
    elif topic and _sting_tactics(topic) and s.prev is not None and s.prev.para == s.para and s.prev.general \
            and set(_sting_tactics(s.prev.tactics)) == set(_sting_tactics(topic)) and \
            (generic_only or set(own) <= {"Buyer Arrests"}):
        # "X runs web-based reverse stings. In May 2022, nine men were taken into
        # custody during a prostitution sting": the sting the practice sentence names
        source = _sting_tactics(topic)
    if not source:
        return
    told_method = NON_STING_METHOD.search(" ".join(x.f for x in ev.sents))
    if not own or (set(_sting_tactics(own)) == {"Buyer Arrests"} and _sting_tactics(source) and "Buyer Arrests" not in source
                   and not told_method):
        # an example of a sting practice in which buyers were arrested is that sting
        if own:
            ev.mentions = [m for m in ev.all_mentions() if m.tactic != "Buyer Arrests"]
            source = _sting_tactics(source)
        ev.inherited = list(source)
    elif s.similar and not _sting_tactics(own) and [t for t in _sting_tactics(source) if t in STINGS] and any(
            m.tactic in STINGS and m.strength in (evidence.GENERIC, evidence.WEAK) and not m.negated and not m.future
            and not m.referential for m in ev.all_mentions()):
        # "A second sting at the same location produced six arrests, and the paper published the names":
        # a sting like the one before (its generic word did not show buyers), with what it adds
        ev.inherited = [t for t in _sting_tactics(source) if t in STINGS]
    elif generic_only and ([t for t in _sting_tactics(source) if t in STINGS] or (s.similar and source == ["Buyer Arrests"])):
        # "Web-based operations ... For example, ... announced stings": the stings of the topic
        ev.stings_as = [t for t in _sting_tactics(source) if t in STINGS] or ["Buyer Arrests"]


_OWN_PREDICATE = re.compile(r"\b(?:was|were|is|are|has|have|had|been|began|begun|started|proposed|considered|planned|"
                            r"discussed|suggested|rejected|ended|stopped|until|but|although|however|while)\b", F)


def _parallel(s: SentenceInfo, first: DateInfo, prev: DateInfo, d: DateInfo) -> bool:
    """"in Eastport in 1996 and in Westport in the year 1998": the same predicate over two
    dates; "implemented in 1995 and were proposed in 1997" or "had run stings since 1990, and in
    2001 established a program": another predicate, not this action."""
    between = s.f[prev.end_pos:d.pos]
    if len(between) >= 80 or _OWN_PREDICATE.search(between) or evidence.NEG_BEFORE.search(between):
        return False
    told_before = _PAST_VERB.search(s.f[:first.pos]) or re.search(r"\b(?:has|have|had)\b", s.f[:first.pos], F)
    nxt = s.f[d.end_pos:d.end_pos + 60]
    told_after = _PAST_VERB.search(re.split(r"[,;.]", nxt.lstrip(", "), 1)[0] if nxt.strip(" ,") else "")
    return not (told_before and told_after)


_THE_OPERATIONS = re.compile(r"\b(?:the|these|such|its)\s+(?:operations|stings|reversals|sweeps)\b", F)


_PAIR_NOUN = r"(?:\s+(?:more\s+)?(?:men|johns|buyers|arrests|people|suspects|customers))?"
_COUNT_BEFORE = re.compile(r"\b(" + NUMBER_RE + r")" + _PAIR_NOUN + r"\s+(?:(?:were\s+)?(?:arrested|charged|cited)\s+)?(?:in|on|during)\s+"
                           r"(?:the\s+)?(?:(?:early|late|mid-?|spring|summer|fall|autumn|winter)\s+(?:of\s+)?)?$", F)
_COUNT_IN_BRACKETS_BEFORE = re.compile(r"\b(" + NUMBER_RE + r")" + _PAIR_NOUN + r"\s*\(\s*$", F)
_COUNT_AFTER = re.compile(r"\s*(?:\(|,)\s*(" + NUMBER_RE + r")\b" + _PAIR_NOUN + r"(?:\s+(?:charged|arrested|cited))?\s*(?:\)|,|;|and\b|$)", F)


def _date_counts(s: SentenceInfo) -> dict[int, int]:
    """A list of dates, each with its own count: "14 men in March 2016, 9 in November 2016 and 11
    in June 2018", "in April 2011 (seven men charged), October 2012 (11) ...", "15 (2012), 22
    (2013)". Date position -> count, only where at least two dates have one. Read once per
    sentence (the event reader asks up to three times); callers may change the copy they get."""
    if "date_counts" not in s._flags:
        s._flags["date_counts"] = _read_date_counts(s)
    return dict(s._flags["date_counts"])


def _read_date_counts(s: SentenceInfo) -> dict[int, int]:
    dates = [d for d in s.dates if d.start]
    if len(dates) < 2:
        return {}
    spans = [(d.pos, d.end_pos) for d in s.dates]
    found: dict[int, int] = {}
    for d in dates:
        before = s.f[max(0, d.pos - 40):d.pos]
        m = _COUNT_BEFORE.search(before) or _COUNT_IN_BRACKETS_BEFORE.search(before)
        a = _COUNT_AFTER.match(s.f, d.end_pos)
        for hit, base in ((m, d.pos - len(before)), (a, 0)):
            if hit is None:
                continue
            pos = base + hit.start(1)
            v = to_int(hit.group(1))
            if v is None or any(lo <= pos < hi for lo, hi in spans) or (hit.group(1).isdigit() and 1950 <= v <= 2035):
                continue
            found.setdefault(d.pos, v)
            break
    return found if len(found) >= 2 else {}


def _start_events(s: SentenceInfo, topic: list[str], events: list[Event], count: Count | None) -> list[Event]:
    groups = _split_by_date(s)
    paired = _date_counts(s)
    # one event per distinct start; a later date with no mention of its own joins only in parallel
    kept: list[tuple[DateInfo, list[Mention]]] = []
    for d, ms in groups:
        if any(k[0].start == d.start and k[0].decade == d.decade for k in kept):
            same = next(k for k in kept if k[0].start == d.start and k[0].decade == d.decade)
            same[1].extend(ms)
            if d.pos in paired and same[0].pos not in paired:
                paired[same[0].pos] = paired[d.pos]  # "every year since 2012, netting 15 men in 2012"
            continue
        if kept and not ms and d.pos not in paired and not _parallel(s, kept[0][0], kept[-1][0], d) \
                and not (_REPEATED.search(s.f, d.pos) and re.search(r"\banother\b", s.f[d.pos:], F)) \
                and not (d.since and _THE_OPERATIONS.search(s.f, kept[-1][0].end_pos, d.pos)):
            continue  # (but "...; in May, another seven were arrested the same way" is one more, and
            # "the first in 1970, and the operations have occurred routinely since about 1980" a practice)
        kept.append((d, list(ms)))
    groups = kept
    # "began targeting buyers in the 1970s: the first reverse sting took place in 1977": the year wins
    years = [d for d, _ in groups if d.start]
    for d, ms in list(groups):
        inside = [y for y in years if d.decade and y.start[:3] == d.decade[:3]]
        if d.decade and inside:
            target = next(g for g in groups if g[0] is inside[0])
            target[1].extend(ms)
            groups.remove((d, ms))
    # "In September and October 2017, ... a two-day operation": months of one year tell one event,
    # unless the sentence gives a count for each ("10 and 9 sex buyers, respectively")
    if len(groups) > 1 and not paired and not re.search(r"\brespectively\b|\beach of\b", s.f, F):
        joined: list[tuple[DateInfo, list[Mention]]] = []
        # "reverse stings in May and September 2014": one for each month; but where one
        # count covers them ("... arrested 12 buyers in two operations"), one we cannot apportion
        plural = bool(re.search(r"\b(?:operations|stings|reversals|sweeps|details)\b", s.f, F)) and \
            buyer_count(s.counts, s.f) is None
        for d, ms in groups:
            last = joined[-1][0] if joined else None
            if last is not None and last.start and d.start and len(d.start) == 7 and len(last.start) == 7 \
                    and last.start[:4] == d.start[:4] and d.pos - last.end_pos < 30 \
                    and (int(d.start[5:7]) - int(last.start[5:7]) == 1 or not plural):
                joined[-1][1].extend(ms)  # "in January and February 2015": one event
            else:
                joined.append((d, list(ms)))
        groups = joined
    made: list[Event] = []
    buyers = [c for c in s.counts if c.whom == "buyers"]
    total = next((c for c in s.counts if c.total and c.value is not None), None) if len(groups) > 1 else None
    respectively = len(groups) > 1 and len(buyers) == len(groups) and re.search(r"\brespectively\b", s.f, F)
    bounds = [min([d.pos] + [m.start for m in ms]) for d, ms in groups] + [len(s.f)]
    for i, (d, ms) in enumerate(groups):
        ev = Event([s], d, s.para, mentions=ms if len(groups) > 1 else None)
        if len(groups) > 1:
            lo = min([d.pos] + [m.start for m in ms]) if i else 0
            if i and not ms:
                lo = min(lo, groups[i - 1][0].end_pos)  # "on the street (since 1976) and using the web (since 2001)"
            ev.first_cues = evidence.cues(s.f[lo:max([bounds[i + 1]] + [m.end for m in ms])] if d.pos not in paired
                                          else s.f)  # one item of a list: the sentence tells what each was
            # mentions of no date of their own (the sentence's subject) go to every date
            if not ms:
                ev.mentions = [m for m in s.mentions if not any(m in g[1] for g in groups if g[1])] or list(s.mentions)
            if d.pos in paired:
                ev.count, ev.count_fixed = Count(paired[d.pos], d.pos, "men", "buyers"), True
            elif total is not None:
                # "six reverse stings in 2013 and 2014, arresting 58 men in all": the total, told with the
                # first date (as the site's readings do); the others have no count of their own
                ev.count, ev.count_fixed = (total if i == 0 else None), True
            elif respectively:
                ev.count, ev.count_fixed = buyers[i], True
            elif buyers and buyers[0].each:
                ev.count, ev.count_fixed = buyers[0], True
            else:
                # a count in this date's own part of the sentence is this date's; else whose, we cannot say
                lo, hi = bounds[i], bounds[i + 1]
                mine = [c for c in s.counts if lo <= c.pos < hi and c.whom != "sellers"]
                ev.count = buyer_count(mine, s.f[lo:hi]) if mine else None
                if ev.count is None and len(mine) == 1 and mine[0].whom == "any":
                    ev.count = mine[0]
                ev.count_fixed = True
        _inherit(ev, s, topic, events)
        if made and d.since and not ev.tactics() and _THE_OPERATIONS.search(s.f, groups[i - 1][0].end_pos, d.pos):
            ev.inherited = [t for t in made[0].tactics() if t in STINGS]  # "... and the operations have occurred since 1980"
        made.append(ev)
    pair = _SEVERAL.search(s.f) if len(made) == 1 else None
    if pair:
        # "Two more stings later that year netted 9 and 12 men": one operation per count
        values = [to_int(v) for v in pair.group("values") and re.findall(NUMBER_RE, pair.group("values"), F)]
        n = to_int(pair.group("n")) or 2
        if len(values) == n and all(v is not None for v in values):
            ev = made[0]
            like = [t for t in (events[-1].tactics() if events else topic) if t in STINGS] or [t for t in topic if t in STINGS]
            made = []
            for k, v in enumerate(values):
                twin = Event([s], ev.date, s.para, mentions=ev.mentions)
                twin.inherited, twin.stings_as, twin.first_cues = list(ev.inherited), list(ev.stings_as or like), ev.first_cues
                twin.count, twin.count_fixed = Count(v, pair.start("values"), pair.group("noun"), noun_whom(pair.group("noun")), True), True
                made.append(twin)
    return made


_SEVERAL = re.compile(r"\b(?P<n>two|three|four)\s+(?:more\s+|other\s+|additional\s+|further\s+|subsequent\s+|similar\s+)?"
                      r"(?:reverse\s+|web\s+|street\s+)?(?:stings|operations|reversals|sweeps|details|crackdowns)\b[^.;]{0,80}?\b"
                      r"(?:netted|produced|yielded|resulted in|led to|brought)\s+(?:the\s+arrests?\s+of\s+)?"
                      r"(?P<values>" + NUMBER_RE + r"(?:\s*,\s*" + NUMBER_RE + r")*,?\s+and\s+" + NUMBER_RE + r")\s+"
                      r"(?:more\s+)?(?P<noun>men|johns|buyers|sex buyers|customers|arrests)\b(?![^.;]{0,40}\brespectively\b)", F)


def _operation(ev: Event, agencies: Agencies, home: str | None, place: str | None, kind: str | None) -> Operation | None:
    tactics = ev.tactics()
    cues = ev.cues()
    counts = [c for s in ev.sents for c in [buyer_count(s.counts, s.f)] if c is not None]
    if not counts and set(tactics) & set(STINGS) and not cues.trafficking:
        # "netted 37 arrests", "34 people arrested" in a sting against buyers: the buyers arrested,
        # where the sentence counts no one else
        anyone = [c for s in ev.sents if not any(x.whom == "sellers" for x in s.counts)
                  for c in s.counts if c.whom == "any"]
        counts = ([c for c in anyone if c.total] or anyone)[:1]  # "..., 58 in all": the total
    count = ev.count if ev.count_fixed else next((c for c in counts if c.value is not None), counts[0] if counts else None)
    if not ev.count_fixed:
        # "... 13 men held ... four of them accused of promoting prostitution and nine booked on
        # prostitution charges": the breakdown's buyers, not the total
        for x in ev.sents:
            if any(c.whom == "sellers" for c in x.counts):
                split = [c for c in x.counts if c.whom == "buyers" and c.value is not None]
                if split:
                    count = split[0]
                    break
    if not ev.count_fixed and place and len([c for c in counts if c.value is not None]) > 1:
        # "Matteson and Orland Hills were among the departments that arrested 31 sex buyers.
        # Orland Hills police arrested seven": the place's own force's count
        own = re.compile(r"\b" + re.escape(fold(place)) + r"\s+(?:police|officers|detectives|deputies|sheriff)\b[^.;]{0,40}?$", F)
        for x in ev.sents:
            c = buyer_count(x.counts, x.f)
            if c is not None and c.value is not None and own.search(x.f[:c.pos]):
                count = c
                break
    if place and not ev.count_fixed:
        # "The operation resulted in 31 arrests, four of them in Orrin County": the place's share
        share = re.search(r"\b(" + NUMBER_RE + r")\s+of\s+(?:them|those|whom|these)\s+(?:were\s+)?(?:made\s+|arrested\s+)?in\s+"
                          r"(?:the\s+)?(?:city\s+of\s+|county\s+of\s+)?" + re.escape(_place_name(place)) + r"\b",
                          " ".join(x.f for x in ev.sents), F)
        if share and to_int(share.group(1)) is not None:
            count = Count(to_int(share.group(1)), share.start(1), "men", "buyers", True)
    if not ev.count_fixed and set(tactics) & set(STINGS) and not cues.trafficking:
        # "a coach was caught in a city sting ... He was among the 20 people arrested
        # that week": the sting's count, not the one man's
        for x in ev.sents:
            m = ONE_OF.search(x.f)
            if m and to_int(m.group(1)):
                count = Count(to_int(m.group(1)), m.start(1), m.group(2), "buyers" if re.match(r"(?:men|johns|buyers)$", m.group(2), F)
                              else "any", True)
                break
    if count is None and not ev.count_fixed:
        text = " ".join(x.f for x in ev.sents)
        m = MEN_WHO.search(text)
        if m and re.search(r"\b(?:the men|they|all (?:of them|\w+ men)|each)\b[^.;]{0,60}\b(?:arrested|charged|cited)\b|"
                           r"\b(?:arrested|charged) (?:men|johns)\b|\bof the men arrested\b|\bthe arrested men\b", text, F):
            v = to_int(m.group(1))
            if v is not None:
                count = Count(v, m.start(), m.group(2), "buyers", False)
    method_unstated = False
    named = count is not None and bool(re.match(r"(?:johns?|buyers?|customers?|clients?|patrons?|solicitors?)$", count.noun, F))
    buyers_counted = count is not None and count.whom == "buyers" and cues.buyers and \
        ((not cues.trafficking and not ev.sents[0].problem) or named or cues.strong_buyers)
    # buyers arrested by investigation, raid, complaint (or where the page says it cannot tell
    # whether decoys were used): no sting
    no_sting = buyers_counted and (ev.sting_unclear or bool(NON_STING_METHOD.search(" ".join(s.f for s in ev.sents))))
    if not _sting_tactics(tactics) and cues.minor_decoy and cues.web and count is not None:
        tactics = ["Web Stings"] + tactics  # "arrested after texting with a deputy he believed was 14"
    if not tactics:
        if not buyers_counted:
            return None
        if no_sting:
            tactics = ["Buyer Arrests"]
        else:
            method_unstated = True  # buyers arrested, how not told: an operation with no tactic, held
    elif no_sting and not _sting_tactics(tactics):
        tactics = ["Buyer Arrests"] + tactics  # "... arrested eleven men ... their names were published"
    if ("Reverse Stings" in tactics or "Web Stings" in tactics) and "Buyer Arrests" in tactics:
        tactics.remove("Buyer Arrests")
    d = ev.date
    start = d.start if d else None
    circa = d.decade if d and d.decade else None
    if d and d.start:
        # "In 2021, ... from April 14-15": the same year at a finer precision
        for x in ev.sents[0].dates:
            if x is not d and x.start and x.start[:4] == d.start[:4] and len(x.start) > len(d.start) \
                    and not ev.count_fixed:
                start = x.start
                break
    if start is None and circa is None and (count is None or count.value is None):
        return None  # neither dated nor counted: evidence for a claim, not an operation
    names = [a for s in ev.sents for a in s.agencies]
    if _foreign(names, place, kind, ev, agencies.elsewhere):
        ev.foreign = True
        return None
    first = ev.sents[0]
    told = ev.sents + ([ev.sents[-1].follower] if ev.sents[-1].follower else [])
    since = bool(d and d.since) or bool(
        d and d.start and len(d.start) == 4 and not d.end and (count is None) and
        ADOPTION.search(first.f) and any(ONGOING.search(x.f) for x in told))
    if method_unstated:
        ev.method_unstated = True
    op = Operation(tactics=tactics, start=start, end=d.end if d else None, since=since,
                   arrests=count.value if count is not None else None,
                   agency=names[0] if names else _inherited(None, home),
                   text=_told_by(ev, tactics, count), text_is_quote=True, circa=circa)
    if op.agency is None and home and not names:
        op.agency = home if len(agencies.names) == 1 else None
    return op


def _told_by(ev: Event, tactics: list[str], count: Count | None) -> str:
    """The sentences an operation's facts come from: the first, then each that adds a tactic,
    gives the count or names the agency; the rest of the story is left out."""
    kept = [ev.sents[0]]
    have = set(evidence.resolve(ev.sents[0].mentions if ev.mentions is None else ev.mentions, ev.cues()))
    named = bool(ev.sents[0].agencies)
    for s in ev.sents[1:]:
        new = set(evidence.resolve(s.mentions, ev.cues())) & set(tactics)
        gives_count = count is not None and any(c is count for c in s.counts)
        if (new - have) or gives_count or (s.agencies and not named):
            kept.append(s)
            have |= new
            named = named or bool(s.agencies)
    return " ".join(s.text for s in kept)


OTHER_PLACE = re.compile(r"\b(?i:the\s+)?(?i:neighbou?ring|nearby|adjacent)\s+(?:city|town|village|borough|community)\s+of\s+"
                         r"([A-Z][\w.'-]+(?:\s+[A-Z][\w.'-]+)?)\b[^.;]{0,20}?\b(?:ran|conducted|launched|held|arrested|carried out|staged)\b")
_ACTED = (r"(?:(?:has|have|had)\s+(?:also\s+|long\s+)?(?:run|conducted|launched|held|arrested|staged|netted|charged|cited|used|"
          r"impounded|seized|published|posted|operated)|ran|runs|conducted|conducts|launched|held|holds|arrested|arrests|carried out|"
          r"staged|netted|charged|cited|impounds|seizes|publishes|posts|uses|operates|takes)")
_BEGAN = r"(?:began|begins|started|starts|adopted|introduced|established|created|opened)"
_STATE_NAMES = "|".join(sorted((s.name for s in us.states.STATES_AND_TERRITORIES), key=len, reverse=True))
# a neighbour introduced by name ("bordering the larger city of Dalton Park", "the city of Marden, Minnesota,"),
# remembered so that its acts later on the page are not taken for this place's
NEIGHBOUR_NAMED = re.compile(r"\b(?:(?i:border(?:s|ing|ed)?|adjoin(?:s|ing)?|next to|across (?:the )?(?:river|bay|lake|line) from)\s+(?:the\s+)?"
                             r"(?i:larger\s+|smaller\s+)?|(?i:the\s+(?:neighbou?ring|nearby|adjacent)\s+))"
                             r"(?i:city|town|village|county|borough)\s+of\s+([A-Z][\w.'-]+(?:\s+[A-Z][\w.'-]+)?)\b"
                             r"|\b(?i:the\s+(?:city|town|village)\s+of)\s+([A-Z][\w.'-]+(?:\s+[A-Z][\w.'-]+)?),\s+(?:" + _STATE_NAMES + r")\b")
OTHER_PLACES = [
    OTHER_PLACE,
    # "police in neighboring Harmon ran a reverse sting", "officers from nearby Garland arrested ..."
    re.compile(r"\b(?:police|officers|detectives|deputies)\s+(?:in|from|of)\s+(?:the\s+)?(?:neighbou?ring|nearby|adjacent)\s+"
               r"(?:(?:city|town|village|borough)\s+of\s+)?([A-Z][\w.'-]+(?:\s+[A-Z][\w.'-]+)?)\b[^.;]{0,20}?\b" + _ACTED + r"\b"),
    # "Neighboring Pinellas Shores, by contrast, has run a john school since 2004"
    re.compile(r"\b(?i:neighbou?ring|nearby|adjacent)\s+([A-Z][\w.'-]+(?:\s+[A-Z][\w.'-]+)?)\b(?:,[^,.;]{0,60},)?\s+(?:also\s+)?(?:"
               + _ACTED + "|" + _BEGAN + r")\b"),
    # "The Pinellas Shores Police Department also impounds ...", "the Newark Police Department (NPD) arrested ..."
    re.compile(r"\b(?i:the\s+)?([A-Z][\w.'-]+(?:\s+[A-Z][\w.'-]+)?)\s+Police\s+Department\b(?:\s*\([A-Z]{2,6}\))?\s+(?:also\s+)?" + _ACTED + r"\b"),
    # "police in Garland, a neighboring city, ran ..."
    re.compile(r"\b(?:police|officers|detectives|deputies)\s+(?:in|from|of)\s+([A-Z][\w.'-]+(?:\s+[A-Z][\w.'-]+)?),\s+an?\s+"
               r"(?:neighbou?ring|nearby|adjacent)\s+(?:city|town|village|borough|community)\b[^.;]{0,20}?\b" + _ACTED + r"\b"),
    # "Garland police ran a reverse sting" (a city's force named by its place alone)
    re.compile(r"(?:^|[.;:]\s+|\b(?:in|during)\s+\d{4},?\s+)([A-Z][\w.'-]+(?:\s+[A-Z][\w.'-]+)?)\s+police\s+" + _ACTED + r"\b"),
]
_GENERIC_FORCE = re.compile(r"(?:[\w.'-]+\s+)?(?:County|Parish|Regional|Metropolitan)\b|(?:City|Metro|State|County|Local|Area|Transit|Campus|University|Park|Tribal|Capitol|Federal|"
                            r"The|These|Those|Its|Their|Township|Borough|Village|Town|Military|Airport|Port|Railroad)\b")
NATIONWIDE = re.compile(r"\b(?:agencies|departments|police|law enforcement)\s+(?:[\w-]+\s+){0,3}?(?:(?:from\s+)?across the "
                        r"(?:country|nation|united states)|nationwide|in\s+(?:\d+|[a-z]+)\s+states)\b|"
                        # "a statewide sting in which 160 men were arrested in 12 cities": that campaign's, unless the place is named
                        r"\bstatewide\s+(?:[\w-]+\s+)?(?:sting|operation|sweep|crackdown)s?\b[^.;]{0,80}?\bin\s+(?:\d+|two|three|four|five|six|"
                        r"seven|eight|nine|ten|eleven|twelve|several|many|dozens of)\s+(?:cities|counties|towns|communities)\b", F)


def _place_name(place: str) -> str:
    """The place as pages name it: "Sora City" is "Sora", "Perrysburg Township" "Perrysburg"."""
    return re.sub(r"\s+(?:city|town|village|borough|township)$", "", place.strip(), flags=F)


def _names_place(place: str, text: str) -> bool:
    return bool(re.search(r"\b" + re.escape(_place_name(place)) + r"\b", text, F))


def _elsewhere(name: str, place: str | None) -> bool:
    """A place a pattern caught is another one than the page's (a generic force is no place)."""
    # ("Harrow Lake Township" names "Lake Township": the page's own, not another place)
    return not _GENERIC_FORCE.match(name) and not (place and (name.lower().startswith(place.lower()[:4])
                                                                 or name.lower() in place.lower()))


STING_IN = re.compile(r"\b(?:sting|operation|raid|bust|crackdown)\s+(?:(?:conducted|held|centered)\s+)?in\s+(?!(?:January|February|March|April|May|June|July|August|"
                      r"September|October|November|December)\b)([A-Z][\w.'-]+(?:\s+[A-Z][\w.'-]+)?)")
HELD_IN = re.compile(r"\b(?:bust|sting|operation|raid|arrests?|crackdown|sweep)\s+(?:that\s+)?(?:took place|occurred|was (?:held|conducted))\s+"
                     r"(?:at\s+(?:a|an|the)\s+(?:[\w-]+\s+){0,3}?)?in\s+(?!(?:January|February|March|April|May|June|July|August|"
                     r"September|October|November|December|Spring|Summer|Fall|Autumn|Winter|Early|Late|Mid)\b)"
                     r"([A-Z][\w.'-]+(?:\s+[A-Z][\w.'-]+)?)")
_CITY_FORCE = re.compile(r"^(?P<place>(?:[A-Z][\w.'-]*\s+){1,3}?)(?:Police Department|Police Dept\.?|Police|Division of Police|Police Bureau)$")


# the story says where it happened, and it is not here
_AWAY = re.compile(r"\bin\s+(?:\w+\s+)?other\s+(?:cities|towns|counties|communities|states)\b|\bin\s+another\s+(?:county|city|town|state)\b|"
                   r"\bin\s+(?:the\s+)?state(?:'s)?\s+capital\b|\bin\s+(?:neighbou?ring|nearby|adjacent)\s+(?-i:[A-Z])[\w.'-]+|"
                   r"\bin\s+(?:the\s+)?(?:neighbou?ring|nearby|adjacent)\s+(?:city|town|village|county|"
                   r"counties|township|communit(?:y|ies)|cities|towns)\b|\b(?:officers|police|deputies|detectives|department|(?-i:[A-Z]{2,6}))\s+"
                   r"(?:\w+\s+)?did\s+not\s+(?:take\s+part|participate)\b", F)
_AWAY_FROM_CITY = re.compile(r"\boutside\s+(?:the\s+)?(?:city|town|village)(?:'s)?\s+(?:limits|lines?|boundaries)\b|\bin\s+(?:the\s+)?unincorporated\b|"
                             r"\bin\s+the\s+county'?s\s+(?:[\w-]+\s+)?(?:towns|communities|cities|areas)\b|"
                             r"\bin\s+(?:other|outlying|rural)\s+parts\s+of\s+the\s+county\b", F)


def _without_residents(text: str, place: str) -> str:
    """The text without the place's people ("several Stoney Lake County residents", "men from X"), who
    name the place without its acting."""
    name = re.escape(_place_name(place))
    return re.sub(r"\b" + name + r"(?:'s)?\s+(?:residents?|man|men|woman|women|natives?|youths?|buyers?)\b|\b(?:men|residents?)\s+(?:from|of)\s+"
                  + name + r"\b", " ", text, flags=F)


def _excluded(ev: Event, place: str, county: bool) -> bool:
    """"..., which arrested 55 men, was carried out in five other cities; no arrests were made in
    Wyeth Point", "a statewide operation ... did not include Lorne County", "three Stellan men
    were among 26 buyers arrested ... in the neighboring city of Harwick Park", "deputies ran
    stings just outside the city limits ... LFPD officers did not take part": not this place's."""
    # the story as told in its own paragraph (a next paragraph's "..., citing legal challenges in
    # other cities" says nothing of where this operation was)
    told = " ".join(x.f for x in ev.sents if x.para == ev.sents[0].para)
    name = re.escape(_place_name(place))
    if re.search(r"\b(?:no\s+arrests\s+(?:were\s+)?(?:made\s+)?in|made\s+no\s+arrests\s+in|did\s+not\s+include|"
                 r"none\s+(?:of\s+them\s+)?in)\s+(?:the\s+)?(?:city\s+of\s+|county\s+of\s+)?" + name, told, F):
        return True
    away = _AWAY.search(told) or (None if county else _AWAY_FROM_CITY.search(told))
    if not away:
        return False
    # unless the place itself is where it happened ("in Stellan and in the neighboring city of ...")
    rest = _without_residents(told, place)
    return not re.search(r"\bin\s+(?:the\s+)?(?:city\s+of\s+|county\s+of\s+)?" + name + r"\b", rest, F)


def _foreign(names: list[str], place: str | None, kind: str | None, ev: Event, elsewhere: frozenset[str] = frozenset()) -> bool:
    """Another city's police acting for itself, told for context on a city's page."""
    if not place:
        return False
    first = ev.sents[0].text
    county = (kind or "").lower() in ("county", "parish")
    if _excluded(ev, place, county):
        return True
    for n in elsewhere:
        if (re.search(r"\b" + re.escape(n) + r"(?:'s)?\s+(?:Police|police|officers|detectives|Sheriff)", first) or
                re.match(r"\s*(?:[\w,]+\s+){0,6}?" + re.escape(n) + r"(?:,\s+[A-Z][\w.]*(?:\s+[A-Z][\w.]*)?,)?\s+(?:also\s+)?(?:"
                         + _ACTED + "|" + _BEGAN + r")\b", first)) \
                and not _names_place(place, _without_residents(first, place)):
            return True  # "Neighboring Pinellas Shores ... The Pinellas Shores Police Department also impounds ..."
    # on a county's page only a place called neighbouring is surely outside it
    # ("Neighboring Brisco County began ...": a county too, where the page calls it neighbouring)
    other = next((m for m in (rx.search(first) for rx in (OTHER_PLACES[:3] if county else OTHER_PLACES))
                  if m and (not _GENERIC_FORCE.match(m.group(1)) or m.re is OTHER_PLACES[2])), None)
    if other and (_elsewhere(other.group(1), place) or (other.re is OTHER_PLACES[2] and
                                                         not other.group(1).lower().startswith(place.lower()[:4]))) \
            and not _names_place(place, re.split(r",?\s+(?:but|and|while|whereas)\s+|;", first[:other.start()] + first[other.end():], maxsplit=1)[0]):
        return True  # ("..., but Harlow Falls has no comparable program": named only to say it has none)
    if county:
        return False
    told_all = " ".join(x.text for x in ev.sents)
    if re.search(r"\bnone of the (?:arrests|arrestees|men|buyers)\s+(?:were|was)\s+(?:made\s+)?in\s+" + re.escape(place.strip()), told_all, F):
        return True  # "...; none of the arrests were in Mica Springs"
    state = re.search(r"\b(?:state\s+(?:police|patrol|troopers?)|State\s+Patrol|troopers|DPS|[A-Z]SP)\b", first)
    away = STING_IN.search(first) or re.search(r"\b(?:centered|based|held)\s+in\s+([A-Z][\w.'-]+)", first)
    if state and away and not away.group(1).lower().startswith(place.lower()[:4]) and not _names_place(place, told_all):
        return True  # "In 2022, state troopers arrested 22 men in a similar operation in Louisville"
    if NATIONWIDE.search(first) and not _names_place(place, told_all):
        # "Since a sheriff started the national campaign, police agencies across the country have
        # charged thousands of buyers": the campaign's record, told for context
        return True
    held = HELD_IN.search(first) or (re.search(r"\b" + re.escape(place.strip()) + r"(?:'s)?\s+(?:residents?|man|men|woman|native)\b", first, F)
                                      and STING_IN.search(first))
    if held and not held.group(1).lower().startswith(place.lower()[:4]):
        # "a local man was among those held after a raid that took place at a motel in Fairview"
        own_name = re.escape(_place_name(place))
        rest = re.sub(r"\b(?:" + re.escape(place.strip()) + "|" + own_name + r")(?:'s)?\s+(?:residents?|man|men|woman|women|native|youths?)\b",
                      " ", first, flags=F)
        if not re.search(r"\b" + own_name + r"\b", rest, F):
            return True
    if not names:
        return False
    base = _place_name(place).lower()
    text = " ".join(s.f for s in ev.sents).lower()
    b = re.escape(base)
    # "a Robbinsdale resident was arrested ... by the St. Paul Police Department" is St. Paul's
    told = re.sub(r"\b" + b + r"(?:'s)?\s+(?:residents?|man|men|woman|women|native|youths?|resident's)\b", " ", text)
    if base and re.search(r"\b" + b + r"\b", told):
        return False
    forces = [_CITY_FORCE.match(n) for n in names]
    if not all(m is not None and not re.search(r"\b(?:county|state|parish|metro|metropolitan|regional|area)\b", n, F)
               and not m.group("place").strip().lower().startswith(base) for m, n in zip(forces, names)):
        return False
    # ... and act: "the St. Paul Police Department arrested ...", "conducted by the St. Paul Police Department";
    # an off-duty officer of another city among the arrested is not that city's action
    for n in names:
        place = re.escape(n.split(" Police")[0].lower())
        if re.search(r"\b" + place + r"\b[\w' ]{0,40}?\b(?:conducted|arrested|ran|launched|led|charged|posted|placed|cited|"
                     r"organi[sz]ed|carried out|set up|detectives|officers|vice)\b|\bby\s+(?:the\s+)?" + place, told):
            return True
    return False


__all__ = ["build_operations", "read_sentences", "SentenceInfo", "Event", "find_date", "find_dates",
           "find_count", "find_counts", "FULL_DATE", "MONTH_YEAR", "_month", "AGENCY_RE", "_agency_name"]


# --- claims and how sure we are ---------------------------------------------------------------

STRENGTH_CONFIDENCE = {LABEL: 0.9, EXPLICIT: 0.8, GENERIC: 0.6, WEAK: 0.5}
INHERITED_CONFIDENCE = 0.55   # "For example, ..." naming no tactic: the tactic of what it exemplifies
DERIVED_CONFIDENCE = 0.6      # buyers arrested, no sting told: Buyer Arrests
UNSTATED_CONFIDENCE = 0.4    # buyers arrested, the method not told: held for a curator
OPERATION_BONUS = 0.05        # the tactic is told as a dated or counted action
PROBLEM_PENALTY = 0.2         # told among the local problems, not the response to them


@dataclass
class Support:
    """One passage that evidences a tactic: its sentences and how sure the reading is."""

    tactic: str
    quote: str
    confidence: float


def _strength_of(t: str, ms: list[Mention], c: Cues) -> str | None:
    best: str | None = None
    order = [LABEL, EXPLICIT, GENERIC, WEAK]
    for m in ms:
        if m.positive and t in evidence.resolve([m], c):
            if best is None or order.index(m.strength) < order.index(best):
                best = m.strength
    return best


def unit_confidence(t: str, ms: list[Mention], c: Cues, inherited: list[str], is_operation: bool,
                    problem: bool) -> float:
    st = _strength_of(t, ms, c)
    if st is not None:
        conf = STRENGTH_CONFIDENCE[st]
    elif t in inherited:
        conf = INHERITED_CONFIDENCE
    elif t == "Buyer Arrests":
        conf = DERIVED_CONFIDENCE
    else:
        conf = STRENGTH_CONFIDENCE[EXPLICIT]  # named through another mention of the same passage
    if is_operation:
        conf += OPERATION_BONUS
    if problem and not (t == "Buyer Arrests" and c.strong_buyers) and not (t in STINGS and (c.minor_decoy or (c.strong_buyers and c.arrests and not c.trafficking))):
        # told among the local problems; but buyers caught by an investigation or a complaint are
        # what Buyer Arrests means, and that is where pages tell them; so are stings with an officer
        # posing as a child, told among the crimes against children
        conf -= PROBLEM_PENALTY
    return round(max(0.05, min(conf, 0.99)), 2)


def narrative_claims(infos: list[SentenceInfo], events: list[Event], place: str | None = None, kind: str | None = None,
                     elsewhere: frozenset[str] = frozenset()) -> tuple[dict[str, list[Support]], list[str], list[str]]:
    """Per tactic, the passages that evidence it; the tactics only negated or planned; and the
    tactics whose practice the page says was stopped (which withdraws their claim)."""
    support: dict[str, list[Support]] = {}
    in_event: set[int] = set()
    # the event reader has already looked (every event carries it); without events, look here
    unclear = events[0].sting_unclear if events else any(UNCLEAR_STING.search(s.f) for s in infos)
    for ev in events:
        for s in ev.sents:
            in_event.add(id(s))
        if ev.foreign:
            continue
        ms, c = ev.all_mentions(), ev.cues()
        op = ev.op
        for t in (op.tactics if op is not None else ev.tactics()):
            conf = unit_confidence(t, ms, c, ev.inherited, op is not None, all(s.problem for s in ev.sents))
            # quote the sentences that name the tactic (the first one carries the date)
            told = [s for s in ev.sents if any(m.positive and t in evidence.resolve([m], c) for m in s.mentions)]
            quote = " ".join(s.text for s in ([ev.sents[0]] if ev.sents[0] not in told else []) + told)
            support.setdefault(t, []).append(Support(t, quote, conf))
    for s in infos:
        if id(s) in in_event:
            continue
        ts = _unclear_resolve(s.mentions, s.cues) if unclear else s.tactics
        if ts and _foreign(list(s.agencies), place, kind, Event([s], None, s.para), elsewhere):
            continue  # "Neighboring Ostrander County operates a first-offender program ...": not this place's
        if "Buyer Arrests" in ts and (s.anaphora or s.similar) and not NON_STING_METHOD.search(s.f):
            ts = [t for t in ts if t != "Buyer Arrests"]  # "That one led to five buyers' arrests": the sting's
        for t in ts:
            conf = unit_confidence(t, s.mentions, s.cues, [], False, s.problem)
            support.setdefault(t, []).append(Support(t, s.text, conf))
    neg: list[str] = []
    stopped: list[str] = []
    for s in infos:
        for m in s.mentions:
            if m.stopped and not m.referential and m.tactic not in stopped:  # ("the 2020 operation was cancelled")
                stopped.append(m.tactic)
            elif m.negated and not m.unknown and not m.referential and m.tactic not in neg:  # ("did not take part in either operation" denies no tactic)
                neg.append(m.tactic)
    neg = [t for t in neg if t not in support and t not in stopped] + stopped
    return support, neg, stopped


def combine(confidences: list[float]) -> float:
    """Independent passages for one claim: the reading is as sure as all of them wrong is unlikely."""
    miss = 1.0
    for c in confidences:
        miss *= 1 - c
    return round(min(0.99, 1 - miss), 2)
