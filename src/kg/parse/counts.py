"""Arrest counts in a narrative sentence, and whom they count.

`find_counts` returns every count of people arrested (or charged, cited, ...) that a sentence
gives, each with the noun it counts ("men", "johns", "people", "women") and so whether the count is
of buyers, of sellers or others, or of anyone. A count qualified as inexact ("over 20", "at least
three", "up to 18", "an average of 10 per sting") is kept with value None: a count was given but
is not one we can publish. `find_count` is the buyers' count of a sentence, the legacy API.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from .textutil import NUMBER_RE, to_int

F = re.I

QUAL = (r"(?:over|more than|at least|nearly|almost|about|approximately|roughly|around|some|up to|"
        r"as many as|upwards of|in excess of|fewer than|less than|under|an estimated|estimated|close to|"
        r"dozens of|hundreds of|scores of|an average of|average of|averaging|on average)")
_BUYER_NOUNS = (r"johns?|buyers?|sex[- ]buyers?|customers?|clients?|patrons?|solicitors?|purchasers?|"
                r"men|man|males?|motorists?|drivers?|truckers?|soldiers?|students?|businessmen|tricks")
_SELLER_NOUNS = (r"women|woman|females?|girls?|prostitutes?|prostituted (?:women|woman|persons?|people|individuals?)|"
                 r"sex workers?|sellers?|sex sellers?|escorts?|pimps?|traffickers?|sex traffickers?|juveniles?|"
                 r"minors?|victims?|teens?|teenagers?|massage (?:parlor|parlour) (?:owners?|workers?|employees)|"
                 r"owners?|operators?|employees|workers?|dealers?|managers?")
_ANY_NOUNS = (r"people|persons?|individuals?|suspects?|adults?|defendants?|offenders?|subjects?|others|"
              r"arrestees|violators?|perpetrators?|residents")
_MOD = (r"(?:(?:male|female|adult|alleged|suspected|would-be|potential|prospective|more|other|additional|"
        r"different|local|area|out-of-town|accused|arrested|convicted|(?-i:[A-Z][a-z]+)|\d+-year-old|sex|truck|long-haul|"
        r"men|man)\s+){0,3}")
ARREST = (r"(?:arrest\w*|charg\w*|cited|citations?|apprehend\w*|apprehension|detain\w*|booked|caught|nabbed|"
          r"taken into custody|intercept\w*|nett(?:ed|ing)|snared|busted|rounded up|picked up|jailed|indicted|"
          r"processed|ticketed|summons\w*|issued (?:a )?(?:summons|citations?)|prosecuted|convicted|pled guilty|pleaded guilty)")
_N = r"(" + NUMBER_RE + r")"
_QUICK = re.compile(r"arrest|charg|cited|citation|apprehend|detain|booked|caught|nabbed|custody|handcuff|"
                    r"intercept|netted|snared|busted|rounded|picked up|jailed|indicted|processed|"
                    r"ticketed|summons|prosecut|convicted|yield|produc|result|guilty|names|identities|photos|mug", F)
_NOUN = r"(" + _BUYER_NOUNS + "|" + _SELLER_NOUNS + "|" + _ANY_NOUNS + r")\b"
_APPOSITIVE = r"(?:\s*,[^,.;]{1,110},)?"
PATTERNS = [
    # "the arrest of 8 and 5 buyers, respectively"
    ("list", re.compile(r"\b" + ARREST + r"\s+(?:of\s+)?()" + _N + r"((?:(?:\s*,\s*|\s+and\s+|\s*,\s*and\s+)" + NUMBER_RE
                        + r")+)\s+" + _MOD + _NOUN + r"[^.;]{0,80}?\brespectively\b", F)),
    # "arrested seven men", "the arrest of 22 sex buyers", "netted 53 alleged customers"
    ("strong", re.compile(r"\b" + ARREST + r"\s+(?:of\s+)?(?:a total of\s+|a combined\s+|more\s+)?(?:(" + QUAL + r")\s+)?"
                          + _N + r"\s+" + _MOD + _NOUN, F)),
    # "cited 9 sellers and 14 of their customers"
    ("strong", re.compile(r"\b" + ARREST + r"\s+(?:[^.;]{0,60}?\band\s+)(?:(" + QUAL + r")\s+)?" + _N
                          + r"\s+of\s+(?:their|the|these|those|her|his)\s+" + _MOD + _NOUN, F)),
    # "seven men were arrested", "a total of 4 johns were arrested", "six men, including ..., were charged"
    ("strong", re.compile(r"\b()(?:a total of\s+|total of\s+)?" + _N + r"\s+" + _MOD + _NOUN
                          + _APPOSITIVE + r"\s*(?:(?:were|was|had been|have been|being|got|are|each)\s+){0,2}(?:\w+\s+)?"
                          + ARREST, F)),
    # "seven arrests, three of them buyers"
    ("strong", re.compile(r"\b" + ARREST + r"[^.;]{0,40}?,\s*(?:(" + QUAL + r")\s+)?" + _N + r"\s+of\s+(?:them|whom|those)\s+"
                          r"(?:were\s+|being\s+)?" + _MOD + _NOUN, F)),
    # "Of the 91 arrested, eight were charged with pimping ... and 29 with soliciting prostitution"
    ("strong", re.compile(r"\b()" + _N + r"\s+(?:were\s+)?(?:(?:charged|cited|arrested)\s+)?(?:with|for)\s+(soliciting|solicitation|"
                          r"patronizing|patronising|buying sex|purchasing sex)\b", F)),
    # "52 john arrests", "37 arrests"
    ("strong", re.compile(r"\b()" + _N + r"\s+(?:total\s+)?(john|buyer|customer|solicitation|prostitution)?\s*arrests\b", F)),
    # "five arrested sex buyers"
    ("strong", re.compile(r"\b()" + _N + r"\s+(?:arrested|charged|convicted)\s+" + _MOD + _NOUN, F)),
    # "seven men ... were arrested" with a few words between
    ("weak", re.compile(r"\b()(?:a total of\s+)?" + _N + r"\s+" + _MOD + _NOUN
                        + r"[^.;:]{0,90}?\b(?:were|was|had been|have been|being|got|getting|are)\s+(?:\w+\s+)?" + ARREST, F)),
    # "six men faced various prostitution charges"
    ("strong", re.compile(r"\b()" + _N + r"\s+" + _MOD + r"(men|males)\s+(?:faced|face|were facing)\s+(?:\w+\s+){0,2}?(?:prostitution|"
                          r"solicitation|soliciting|patronizing)(?:-related)?\s+charges?\b", F)),
    # "names and booking photos of 6 johns went online": those named were arrested
    ("strong", re.compile(r"\b(?:names?|identities|photos?|photographs?|mug\s?shots?|pictures?)\s+(?:and\s+(?:[\w-]+\s+){1,2})?of\s+"
                          r"(?:(" + QUAL + r")\s+)?(?:the\s+)?" + _N + r"\s+(?:arrested\s+)?" + _MOD + r"(" + _BUYER_NOUNS + r")\b", F)),
    # "12 were arrested"
    ("weak", re.compile(r"\b()" + _N + r"\s+(?:were|had been|have been)\s+" + ARREST, F)),
    # "took six men into custody", "ended with eleven men in handcuffs"
    ("strong", re.compile(r"\b(?:took|taking|takes)\s+(?:(" + QUAL + r")\s+)?" + _N + r"\s+" + _MOD + _NOUN + r"\s+into\s+custody", F)),
    ("strong", re.compile(r"\b()" + _N + r"\s+" + _MOD + _NOUN + r"\s+in\s+handcuffs\b", F)),
    # "... 15 arrests, including 11 johns", "15 people: 11 johns and four women": the buyers named among them
    ("strong", re.compile(r"(?:\bincluding|\bamong them|:|\u2014|\u2013|\s-)\s*()" + _N + r"\s+(?:of\s+them\s+)?" + _MOD
                          + r"(johns?|sex[- ]buyers?|buyers?|customers?|clients?|patrons?)\b", F)),
    # "the arrest of its three organizers and nine men who had paid for sex"
    ("strong", re.compile(r"\band\s+()" + _N + r"\s+(men|johns|buyers)\s+who\s+(?:had\s+)?(?:paid|bought|tried to buy|offered to pay)\b", F)),
    # "charged two employees with prostitution and four customers with soliciting"
    ("strong", re.compile(r"\band\s+()" + _N + r"\s+(customers?|clients?|patrons?|johns?|men)\s+with\s+(?:\w+\s+){0,2}?(?:solicit|patroni[sz])", F)),
    # "in June 2011 (8 arrests), March 2012 (11) and May 2013 (6)": a count in brackets after its date
    ("strong", re.compile(r"\b\d{4}\s*\(\s*()" + _N + r"(?:\s+(arrests|men|johns|buyers))?\s*\)", F)),
    # "two of its customers were also charged with patronizing"
    ("strong", re.compile(r"\b()" + _N + r"\s+of\s+(?:its|their|the|his|her)\s+(customers?|clients?|patrons?|johns?|buyers?)\s+"
                          r"(?:were|was|had been)\s+(?:also\s+)?" + ARREST, F)),
    # "13 people - nine accused of trying to buy sex and four of selling it"
    ("strong", re.compile(r"(?:[:\u2014\u2013]|\s-|\bincluding|\bof whom|\bof them,?)\s*()" + _N + r"\s+(?:men\s+|males\s+)?(?:of\s+them\s+)?(?:were\s+)?"
                          r"(?:accused|charged|arrested|cited|booked)\s+(?:of|with|for)\s+(?:(?:trying|attempting)\s+to\s+)?"
                          r"(solicit\w*|patroni[sz]\w*|buy(?:ing)?\s+sex|purchas\w*\s+sex)", F)),
    # "arresting eleven.", "police arrested 9 in a reverse sting": the number alone, whoever
    ("weak", re.compile(r"\b" + ARREST + r"\s+()" + _N + r"(?=\s*(?:[.;,)]|$|\s+(?:in|during|at|on|after|over|for|that|when|while)\b))", F)),
]
_SINGLE = [
    # "obtained two arrest warrants ... and arrested the man at his workplace"
    re.compile(r"\b(?:arrested|charged|cited)\s+the\s+(?:\d+-year-old\s+)?(man|john|buyer|sex buyer)\b", F),
    re.compile(r"\b" + ARREST + r"\s+(?:of\s+)?(?:a|an|one)\s+(?:\d+-year-old\s+|[A-Z][a-z]+\s+|local\s+|male\s+|alleged\s+){0,2}"
               r"(man|john|buyer|sex buyer|suspect|customer|client|patron|driver|motorist|trucker|woman|pimp|trafficker)\b", F),
    re.compile(r"\b(?:a|an|one)\s+(?:\d+-year-old\s+|[A-Z][a-z]+\s+|local\s+|male\s+|alleged\s+){0,2}"
               r"(man|john|buyer|sex buyer|suspect|customer|client|patron|driver|motorist|trucker|woman|pimp|trafficker)\s+"
               r"(?:[\w,']+\s+){0,8}?(?:was|had been)\s+" + ARREST, F),
    # "a Denver Broncos tackle was arrested": one person, whoever (the noun says whom, if it can)
    re.compile(r"\b(?:a|an)\s+(?:[\w'-]+\s+){0,3}?([a-z]+)\s+(?:was|had been)\s+(?:\w+\s+)?" + ARREST, F),
    re.compile(r"(?:^he|,\s*he(?=\s+(?:was|had been)\s+(?:\w+\s+)?arrested\b)|(?:^|\b(?:and|after|when|once|before)\s+)the (?:adult |male |\d+-year-old )?(?:man|john|buyer|suspect|sex buyer))\s+"
               r"(?:was|had been)\s+(?:\w+\s+)?" + ARREST, F),
    # 'The "sex buyer" accused of exploiting the victim was also arrested'
    re.compile(r"(?:^|\b(?:and|after|when|once|before)\s+)the\s+\W?(?:john|buyer|sex buyer)\W?\s+(?:[\w,-]+\s+){1,10}?(?:was|had been)\s+"
               r"(?:also\s+)?" + ARREST, F),
]
_MIXED_AFTER = re.compile(r"\s*,?\s*(?:among (?:them|whom)|including|of whom|some of (?:them|whom)|both)\b[^.;]{0,60}?\b(?:"
                          + _SELLER_NOUNS + r"|pimps?|traffickers?)\b", F)
# "police held nine people: seven women for prostitution and two men for soliciting":
# a count of everyone, broken down after a dash or colon into sellers and buyers
_BREAKDOWN = re.compile(r"[^.;:\u2014\u2013]{0,40}?\s*(?:[\u2014\u2013:]|--?)\s*(?:" + NUMBER_RE + r")\s+(?:[\w-]+\s+){0,2}?(?:"
                        + _SELLER_NOUNS + r")\b[^.;]{0,120}?\b(?:and|,)\s+(?:(a|an|one)|(" + NUMBER_RE + r"))\s+(?:[\w-]+\s+){0,2}?"
                        r"(?:man|men|males?)\s+(?:\w+\s+){0,4}?(?:for|on|with)\s+(?:\w+\s+){0,3}?(?:solicit|patroniz)\w*", F)
_THEN_ARRESTED = re.compile(r"\b(?:men|johns|buyers)\b[^.;]{0,60}?,?\s+and\s+(" + NUMBER_RE + r")\s+(?:of\s+them\s+)?(?:were|was)\s+"
                            r"(?:later\s+|then\s+)?(?:arrested|charged|cited|booked)\b", F)
_AND_OF_BUYERS = re.compile(r"\barrests?\s+of\s+[^.;]{1,60}?\band\s+of\s+(" + NUMBER_RE + r")\s+(?:male\s+)?(customers|johns|buyers|clients|patrons)\b", F)
_MORE_COUNT = re.compile(r"\b(" + NUMBER_RE + r")\s+more\s+(arrests|men|johns|buyers)\b", F)
_N_MORE = re.compile(r"\b(?:netted|nabbed|caught|snared|arrested|booked|brought in)\s+(?:another\s+)?(" + NUMBER_RE + r")\s+more\b(?!\s+(?:women|sellers|people))", F)
_BUYERS_FIRST = re.compile(r"[^.;:]{0,40}?\s*[:\u2014\u2013]\s*(" + NUMBER_RE + r")\s+(?:men|johns|buyers|sex buyers|customers)\b"
                           r"(?=[^.;]{0,80}?\b(?:and|,)\s+(?:" + NUMBER_RE + r")\s+(?:women|sellers|prostitut\w*|pimps?|others?)\b)", F)
_OF_WHOM = re.compile(r"\s*,\s*(" + NUMBER_RE + r")\s+of\s+(?:whom|them)\s+(?:were\s+|was\s+)?(?:later\s+)?(?:charged|arrested|cited|accused|booked)\s+"
                      r"(?:with|for|of|on)\s+(?:[\w-]+\s+){0,3}?(?:patroniz|solicit|buying|purchas|attempting to (?:buy|purchase)|paying for)", F)
_QUAL_BEFORE = re.compile(QUAL + r"\s+(?:a total of\s+)?$", F)
_AND_COUNT = re.compile(r"(?:\s+(?:on|for)\s+(?:[\w-]+\s+){0,3}?charges?)?\s*,?\s+(?:and|as well as)\s+(?:of\s+)?" + _N + r"\s+" + _MOD + _NOUN, F)
_BUYER_RE = re.compile(r"^(?:" + _BUYER_NOUNS + r")$", F)
_SELLER_RE = re.compile(r"^(?:" + _SELLER_NOUNS + r")$", F)
_PER = re.compile(r"^\s*(?:arrests?\s+)?(?:per|a|each|every)\s+(?:sting|operation|night|week|weekend|month|year|detail|sweep)\b|"
                  r"^\s*(?:\w+\s+){0,3}(?:per|each)\s+(?:sting|operation|year|month)\b", F)
_BUYER_CONTEXT = re.compile(r"\b(?:solicit\w*|patroniz\w*|johns?|sex buyers?|buyers?|purchas\w* (?:sex|prostitution)|"
                            r"(?:buy|pay|paying|paid|offer\w*)\s+(?:\w+\s+){0,3}(?:for\s+)?sex|customers|clients)\b", F)
_OTHER_FORMS = ((_THEN_ARRESTED, True), (_AND_OF_BUYERS, True), (_MORE_COUNT, True), (_N_MORE, False))


@dataclass
class Count:
    value: int | None     # None: a count was given but is not exact ("over 20 men")
    pos: int
    noun: str = ""
    whom: str = "any"     # "buyers", "sellers" (or others: pimps, owners), "any" (people, suspects),
    #                       "mixed" (people the page says were buyers and others together)
    strong: bool = True   # the number stands next to the arrest word
    each: bool = False    # "each of which netted seven johns": the count applies to each date
    total: bool = False   # "arresting 6, 11, 4 ... men, 58 in all": the sum of the counts before it

    @property
    def buyers(self) -> bool:
        return self.whom == "buyers"


def noun_whom(noun: str) -> str:
    """Whom a count's noun counts, where "arrests" counts anyone."""
    return "any" if noun.lower() == "arrests" else _whom(noun)


def _whom(noun: str) -> str:
    n = noun.lower().strip()
    if _BUYER_RE.match(n):
        return "buyers"
    if _SELLER_RE.match(n):
        return "sellers"
    return "any"


_ANY_NUMBER = re.compile(r"\d|\b" + NUMBER_RE + r"\b", F)


def find_counts(s: str) -> list[Count]:
    """Every count of people arrested in a (folded) sentence, in order; values lists such as
    "8 and 5 buyers, respectively" give one count each."""
    windows = _windows(s)
    if not windows:
        return []
    found: list[Count] = []
    spans: list[tuple[int, int]] = []
    # every pattern counts with a number: a sentence with none (most) skips them all
    for strength, rx in (PATTERNS if _ANY_NUMBER.search(s) else ()):
        for m in _matches(rx, s, windows):
            if any(a <= m.start(2) < b for a, b in spans):
                continue
            qual, num = m.group(1), m.group(2)
            if strength == "list":
                noun = m.group(4)
                nums = [num] + re.findall(NUMBER_RE, m.group(3), F)
                start = m.start(2)
                for k, x in enumerate(nums):
                    found.append(Count(to_int(x), start + k, noun, _whom(noun), True, False))
                spans.append((m.start(2), m.end()))
                continue
            noun = m.group(3) if rx.groups >= 3 and m.group(3) else "arrests"
            val = to_int(num)
            if val is None or (1950 <= val <= 2035 and num.isdigit()) or val > 5000:
                continue
            if re.match(r"\s*(?:-|\s)(?:year|week|day|hour|month|time)", s[m.end(2):m.end(2) + 8], F):
                continue  # "a two-week period", "three-day operation"
            before = s[max(0, m.start(2) - 30):m.start(2)]
            qual = qual or (_QUAL_BEFORE.search(before) and not re.search(r"\ba total of\s+$", before, F))
            if qual or re.search(r"(?:dozens|hundreds|scores)\s+of\s+$|\b(?:up to|as many as|average of|averag\w+|yielded up to)\s+$", before, F) \
                    or _PER.match(s[m.end():m.end() + 30]) or _SUMMED.search(s[max(0, m.start(2) - 60):m.start(2)]) \
                    or _WIDE.match(s, m.end()) or _SUMMED_AFTER.match(s, m.end()):
                val = None  # (or the sum of several operations: "together the two netted 19 men"; or of a
                #             whole state's: "80 men were arrested across the state")
            whom = _whom(noun) if noun != "arrests" else "any"
            if whom == "any" and _MIXED_AFTER.match(s, m.end()):
                whom = "mixed"  # "19 people, among them prostituted women, pimps and sex buyers"
            lead = _BUYERS_FIRST.match(s, m.end()) if whom == "any" else None
            if lead and re.search(r"\b" + NUMBER_RE + r"\s+(?:more\s+)?(?:men|johns|buyers)\b", s[lead.end():lead.end() + 120], F):
                lead = None  # "104 people: 67 men who ..., 19 men who ... and 18 women": two groups of buyers, no one count
            if lead and to_int(lead.group(1)) is not None:
                # "27 people were arrested: 16 men who responded to decoy ads and 11 women ...": the men
                whom = "mixed"
                found.append(Count(to_int(lead.group(1)), lead.start(1), "men", "buyers", True))
            of_whom = _OF_WHOM.match(s, m.end()) if whom == "any" else None
            if of_whom and to_int(of_whom.group(1)) is not None:
                # "arresting 17 people, 11 of whom were charged with patronizing": the buyers among them
                whom = "mixed"
                found.append(Count(to_int(of_whom.group(1)), of_whom.start(1), "men", "buyers", True))
            broken = _BREAKDOWN.match(s, m.end()) if whom == "any" else None
            if broken:
                whom = "mixed"
                n_buyers = 1 if broken.group(1) else to_int(broken.group(2))
                if n_buyers is not None:
                    found.append(Count(n_buyers, broken.start(1 if broken.group(1) else 2), "men", "buyers", True))
            if noun.lower().startswith(("john", "buyer", "customer", "solicit", "patroni", "buying", "purchasing")) or \
                    (noun == "arrests" and rx.groups >= 3 and m.group(3) and m.group(3).lower() in ("john", "buyer", "customer", "solicitation")) or \
                    noun.lower().startswith("buy"):
                whom = "buyers"
            each = bool(re.search(r"\beach of (?:which|these|those|them)\b[^.;]{0,30}$", s[:m.start(2)], F))
            found.append(Count(val, m.start(2), noun, whom, strength == "strong", each))
            spans.append((m.start(2), m.end()))
            # "arrested two women and five men seeking sex": the count after "and" too
            more = _AND_COUNT.match(s, m.end())
            if more and strength == "strong":
                v2 = to_int(more.group(1))
                if v2 is not None:
                    found.append(Count(v2, more.start(1), more.group(2), _whom(more.group(2)), True))
                    spans.append((more.start(1), more.end()))
    # counts told in other words, each with the noun it counts ("men" where the words name none):
    # "more than 30 men responded, and 12 were arrested" (over the rough count's match), "the arrest
    # of the man who ran the house and of three customers", "led to 18 more arrests", "a second sting
    # netted nine more" (unless a count told as usual covers it)
    for rx, within_other_count in _OTHER_FORMS:
        for m in rx.finditer(s):
            v = to_int(m.group(1))
            if v is None or any(x.pos == m.start(1) for x in found) or \
                    (not within_other_count and any(a <= m.start(1) < b for a, b in spans)):
                continue
            noun = m.group(2) if rx.groups > 1 else "men"
            found.append(Count(v, m.start(1), noun, noun_whom(noun), True))
            spans.append((m.start(1), m.end()))
    for rx in _SINGLE:
        for m in rx.finditer(s):
            if any(m.start() < b and a < m.end() for a, b in spans):
                continue
            noun = m.group(1) if rx.groups else "man"
            found.append(Count(1, m.start(), noun, _whom(noun) if noun not in ("sex buyer",) else "buyers", True))
            spans.append((m.start(), m.end()))
            more = _AND_COUNT.match(s, m.end())  # "the arrest of one woman and three male sex buyers"
            if more and to_int(more.group(1)) is not None:
                found.append(Count(to_int(more.group(1)), more.start(1), more.group(2), _whom(more.group(2)), True))
                spans.append((more.start(1), more.end()))
    total = _IN_ALL.search(s)
    if total and any(c.whom in ("buyers", "any") and c.pos < total.start() for c in found):
        noun = [c for c in found if c.pos < total.start()][-1]
        found.append(Count(to_int(total.group(1)), total.start(1), noun.noun, noun.whom, True, total=True))
    found.sort(key=lambda c: c.pos)
    for i, c in enumerate(found):
        if not c.total and re.match(r"\S+(?:\s+[\w-]+){0,2}?\s+(?:in all|in total|altogether|all told)\b", s[c.pos:c.pos + 50], F):
            found[i] = replace(c, total=True)  # "arresting 58 men in all"
    for i, c in enumerate(found):
        if c.whom == "buyers" and re.match(r"(?:men|man|males?)$", c.noun, F):
            court = re.match(r"[^.;]{0,90}?\b(?:guilty|convicted|sentenced)\b[^.;]{0,60}", s[c.pos:], F)
            # buyers of minors are charged with trafficking too, so only a court's finding says
            # trafficker; promoting or pimping is a seller's charge wherever it is told
            charged = re.match(r"[^.;,]{0,40}?\b(?:charged|arrested|indicted|guilty|convicted)\s+(?:with|for|on|of)\s+[^.;,]{0,40}", s[c.pos:], F)
            if (court and _TRAFFICKER_CHARGE.search(court.group(0)) and not _BUYER_CONTEXT.search(court.group(0))) or \
                    (charged and _SELLER_CHARGE.search(charged.group(0)) and not _BUYER_CONTEXT.search(charged.group(0))):
                found[i] = replace(c, whom="sellers")  # "the older man admitted trafficking a girl of fifteen"
    return found


_SELLER_CHARGES = r"pimp\w*|pander\w*|promot\w+ (?:of )?prostitution|compelling prostitution"
_SELLER_CHARGE = re.compile(r"\b(?:" + _SELLER_CHARGES + r")\b", F)
_TRAFFICKER_CHARGE = re.compile(r"\b(?:traffick\w*|" + _SELLER_CHARGES + r")\b", F)


# "6, 11, 4 and 8 men, 58 in all"; "together the two netted 19 men" (a sum, no one operation's)
_IN_ALL = re.compile(r",\s*(" + NUMBER_RE + r")\s+(?:in all|in total|altogether|all told)\b", F)
_SUMMED_AFTER = re.compile(r"[^.;]{0,40}?\bin\s+(?:(?:the|all|these|those)\s+(?:two|three|four|five|six)|both)\s+"
                           r"(?:[\w-]+\s+)?(?:operations|stings|sweeps|details|raids)\b", F)
_SUMMED = re.compile(r"\b(?:together|combined|between them)\s*,?\s+the\s+(?:two|three|four|five|six|\d+)\b[^.;]{0,30}$|"
                     r"\bthe\s+(?:two|three|four|five|six|\d+)\s+(?:[\w-]+\s+)?(?:together|combined)\b[^.;]{0,30}$", F)


_WIDE = re.compile(r"[^.;]{0,40}?\b(?:across\s+the\s+(?:state|country|nation|region|county)|statewide|nationwide|"
                   r"in\s+(?:\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|several|many|dozens of)\s+"
                   r"(?:cities|counties|states|towns|communities|jurisdictions))\b", F)


def _windows(s: str) -> list[tuple[int, int]]:
    """The stretches of a sentence around its arrest words: a count stands within them."""
    out: list[tuple[int, int]] = []
    for m in _QUICK.finditer(s):
        lo, hi = max(0, m.start() - 160), min(len(s), m.end() + 160)
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], hi)
        else:
            out.append((lo, hi))
    return out


def _matches(rx: re.Pattern[str], s: str, windows: list[tuple[int, int]]):
    """Like finditer within the windows, but a match whose number is a year ("in May 2015 eleven
    men were arrested") is retried after that number, so the real count is still found."""
    for lo, hi in windows:
        yield from _matches_in(rx, s, lo, hi)


def _matches_in(rx: re.Pattern[str], s: str, pos: int, endpos: int):
    while pos <= endpos:
        m = rx.search(s, pos, endpos)
        if m is None:
            return
        num = m.group(2) if rx.groups >= 2 else None
        if num and num.isdigit() and 1950 <= int(num) <= 2035:
            pos = m.start(2) + len(num)
            continue
        yield m
        pos = max(m.end(), m.start() + 1)
    return


def buyer_count(counts: list[Count], sentence: str) -> Count | None:
    """The count of buyers among a sentence's counts: a count of buyers ("men", "johns") wins,
    their total where the sentence gives one; a count of anyone ("people", "12 arrests") only where
    the sentence is about buyers and counts no one else; a count of sellers, pimps or owners never."""
    buyers = [c for c in counts if c.whom == "buyers"]
    if buyers:
        totals = [c for c in buyers if c.total and c.value is not None]
        if totals:
            return totals[0]
        strong = [c for c in buyers if c.strong]
        # "more than 30 men responded, and 12 were arrested": the exact count, not the rough one
        exact = [c for c in (strong or buyers) if c.value is not None]
        return (exact or strong or buyers)[0]
    anyone = [c for c in counts if c.whom == "any"]
    if anyone and not any(c.whom == "sellers" for c in counts) and _BUYER_CONTEXT.search(sentence):
        totals = [c for c in anyone if c.total and c.value is not None]
        if totals:
            return totals[0]
        strong = [c for c in anyone if c.strong]
        return (strong or anyone)[0]
    return None


def find_count(s: str) -> Count | None:
    """Buyers arrested in a sentence ('arrested seven men', 'a total of 4 johns were arrested')."""
    counts = find_counts(s)
    best = buyer_count(counts, s)
    if best is None and counts and all(c.whom == "any" for c in counts):
        best = counts[0]
    return best
