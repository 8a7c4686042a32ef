"""Which tactics a narrative sentence describes, and whether it negates them.

Each tactic has phrasings (regular expressions over the sentence with straight quotes).
A mention is *negated* when its clause puts a negation or a mere intention before it
("has never run a reverse sting", "is considering a john school") or a denial after it
("... is no longer pursued", "names were withheld"), and *future* when it is only a plan to
extend something ("aim to expand ... cameras"): neither counts as evidence of use.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

F = re.I

_PEOPLE_SOLD = (r"(?:prostitut\w*|prostituted (?:women|persons|people)|sex workers?|streetwalkers?|"
                r"hookers?|(?:women|girls|people|persons) (?:selling|offering|soliciting) sex|"
                r"escorts?|working girls?)")

PATTERNS: dict[str, list[str]] = {
    "Reverse Stings": [
        r"\breverse[- ]?(?:prostitution[- ])?(?:stings?|operations?|stings? operations?)\b",
        r"\bstreet[- ]?(?:level\s+)?(?:stings?|decoys?|decoy operations?|reversals?)\b",
        r"\breversals?\b",
        r"\bstings?\b",
        r"\bdecoys?\b",
        r"\bpos(?:ing|ed|e|es)\s+as\s+(?:a\s+|an\s+)?(?:\w+\s+){0,2}?" + _PEOPLE_SOLD,
        r"\b(?:john|johns|buyer|demand|solicitation|prostitution)[- ]sweeps?\b",
        r"\bundercover\s+(?:\w+\s+)?operations?\b",
        r"\bstreet[- ](?:level\s+)?(?:operations?|enforcement operations?)\b",
        r"\b(?:female\s+|undercover\s+)*decoy\s+(?:officers?|deputies|detectives|troopers)\b",
        r"\bpos(?:ing|ed|e|es)\s+as\s+(?:a\s+|an\s+)?(?:\d+|[a-z]+)[- ]year[- ]old\b",
    ],
    "Web Stings": [
        r"\b(?:web|online|on-line|internet|cyber)[- ](?:based\s+)?(?:reverse\s+)?(?:stings?|operations?|decoys?)\b",
        r"\bdecoy\s+(?:online\s+|internet\s+|web\s+)?(?:ads?|advertisements?|listings?|postings?|profiles?)\b",
        r"\b(?:answer\w*|respond\w*\s+to|plac\w*|post\w*|ran|run|running|creat\w*)\s+(?:\w+\s+){0,3}?"
        r"(?:decoy|fake|fictitious|undercover|online|internet|escort|sex|classified)\s+(?:\w+\s+)?"
        r"(?:ads?|advertisements?|listings?|postings?|profiles?)\b",
        r"\b(?:answer\w*|respond\w*\s+to)\s+(?:\w+\s+){0,2}?(?:ads?|advertisements?|listings?|postings?)\b",
        r"\b(?:ads?|advertisements?|listings?|postings?)\s+(?:\w+\s+){0,4}?(?:on|to)\s+(?:craigslist|backpage|the internet|websites?|\w+\.com)\b",
    ],
    "Buyer Arrests": [
        r"\braid\w*\s+(?:\w+\s+){0,5}?(?:brothels?|massage|spas?|parlou?rs?|bordellos?|"
        r"houses? of prostitution)\b",
        r"\b(?:brothels?|massage (?:parlou?rs?|businesses|establishments)|spas?|bordellos?)\s+(?:\w+\s+){0,5}?raid\w*\b",
        r"\b(?:customers|clients|patrons)\s+(?:\w+\s+){0,5}?(?:arrested|charged|cited)\b",
        r"\b(?:arrested|charged|cited)\s+(?:\w+\s+){0,4}?(?:customers|clients|patrons)\b",
        r"\barrest\w*\s+(?:\w+\s+){0,4}?(?:men|johns?|buyers?|customers|man)\s+(?:\w+\s+){0,2}?for\s+(?:patroniz|solicit|buying|purchas|attempt\w* to (?:buy|purchase))\w*",
        r"\barrest\w*\s+(?:\w+\s+){0,4}?(?:men|johns?|buyers?|customers|man)\s+who\s+(?:had\s+|allegedly\s+|reportedly\s+)?"
        r"(?:paid|pay|purchased|bought|tried to (?:buy|pay|purchase)|offered to pay|attempted to (?:buy|pay|purchase))\s+(?:\w+\s+){0,2}?(?:for\s+)?sex\b",
        r"\btrafficking\s+(?:investigation|probe|case)s?\b[^.;]{0,80}?\b(?:buyers?|johns?|men)\b[^.;]{0,40}?\b(?:arrest|charg)\w*",
    ],
    "John School": [
        r"\bjohn'?s?'?\s+schools?\b",
        r"\bfirst[- ]offenders?'?\s+(?:prostitution\s+)?(?:program|class|school|course)\w*",
        r"\bFOPP\b",
        r"\b(?:diversion|education(?:al)?|rehabilitation|re-education|deterrence)\s+(?:program|class|course|seminar|session)s?\b"
        r"[^.;]{0,60}?\b(?:johns?|buyers?|men|solicit\w*|customers)\b",
        r"\b(?:johns?|buyers?|men who (?:buy|bought|solicit\w*))\b[^.;]{0,60}?\b(?:diversion|educational?)\s+(?:program|class|course|seminar)s?\b",
    ],
    "Identity Disclosure": [
        r"\b(?:names?|identit(?:y|ies)|photos?|photographs?|mug\s?shots?|booking\s+(?:photos?|pictures?)|pictures?|faces?|addresses)\b"
        r"[^.;]{0,80}?\b(?:released|publish\w*|posted|disclosed|made public|printed|broadcast|publici[sz]ed|"
        r"shared with|announced|aired|displayed|listed (?:on|in)|put (?:on|in)|appeared in|sent to the (?:media|press))",
        r"\b(?:releas\w*|publish\w*|post\w*|publici[sz]\w*|disclos\w*|print\w*|broadcast\w*|display\w*|list\w*|air\w*)\s+"
        r"(?:of\s+)?(?:the\s+|their\s+|his\s+|all\s+)?(?:full\s+)?(?:[\w']+\s+){0,2}?"
        r"(?:names?|identit(?:y|ies)|photos?|photographs?|mug\s?shots?|booking photos?|pictures?|faces?)\b",
        r"\b(?:names?|identit(?:y|ies))\b[^.;]{0,60}?\bwithh[eo]ld\b",
        r"\bmug\s?shots?\b", r"\bbooking\s+(?:photos?|pictures?)\b",
        r"\bshaming\b", r"\bpublicly\s+(?:shame\w*|nam\w*|identif\w*|humiliat\w*)",
        r"\bnaming\s+(?:the\s+|arrested\s+|accused\s+|convicted\s+)?(?:\w+\s+)?(?:johns|buyers|men|customers|sex buyers|offenders)\b",
        r"\bnamed\s+(?:in|by)\s+(?:the\s+)?(?:local\s+)?(?:media|press|news\w*|newspapers?|television|tv)\b",
        r"\b(?:john|johns|shame)[- ](?:tv|list|page|website|billboard)s?\b",
        r"\b(?:wall|hall)\s+of\s+shame\b",
    ],
    "Auto Seizure": [
        r"\b(?:vehicles?|cars?|autos?|automobiles?|trucks?)\b\s+(?:\w+\s+){0,4}?(?:impounded|seized|forfeited|towed|confiscated)\b",
        r"\b(?:impound\w*|seiz\w*|forfeit\w*|tow\w*|confiscat\w*)\s+(?:of\s+)?(?:\w+'?\s+){0,4}?(?:vehicles?|cars?|autos?|automobiles?)\b",
        r"\b(?:car|vehicle|auto)\s+(?:seizures?|impound\w*|forfeitures?)\b",
    ],
    "License Suspension": [
        r"\blicen[cs]es?\b[^.;]{0,40}?\b(?:suspended|suspension|revoked|revocation|pulled)\b",
        r"\b(?:suspend\w*|revok\w*)\b[^.;]{0,40}?\blicen[cs]es?\b",
    ],
    "Community Service": [r"\bcommunity[- ]service\b"],
    "Employment Loss": [
        r"\b(?:resigned|resigns|resignation|stepped down)\b",
        r"\b(?:was|were|been|got|being)\s+(?:fired|dismissed|terminated|let go|placed on (?:administrative\s+)?leave|suspended from)\b",
        r"\blost\s+(?:his|their|her|a)\s+(?:\w+\s+)?(?:jobs?|positions?|posts?|employment)\b",
        r"\b(?:fired|dismissed)\s+(?:from|by)\b",
    ],
    "SOAP Orders": [
        r"\bSOAP\b",
        r"\bstay[- ]out[- ]of[- ](?:areas?[- ]of[- ])?prostitution\b",
        r"\b(?:banned|barred|banish\w*|prohibited|excluded|ordered to stay away)\s+from\s+(?:entering\s+|returning\s+to\s+)?"
        r"(?:the\s+|certain\s+|designated\s+|specific\s+|high-prostitution\s+)?(?:[\w-]+\s+){0,3}?(?:areas?|zones?|neighbou?rhoods?|districts?|corridors?)\b",
        r"\b(?:ban|bans|banning|bar|bars|barring|banish\w*|prohibit\w*|exclud\w*)\s+(?:[\w-]+\s+){1,6}?from\s+(?:entering\s+|returning\s+to\s+)?"
        r"(?:the\s+|certain\s+|designated\s+|specific\s+)?(?:[\w-]+\s+){0,3}?(?:areas?|zones?|neighbou?rhoods?|districts?|corridors?)\b",
        r"\bprostitution[- ](?:free|exclusion)\s+zones?\b", r"\bexclusion\s+(?:zones?|orders?)\b",
    ],
    "Neighborhood Action": [
        r"\bneighbou?rhood\s+(?:watch\w*|patrols?|groups?|associations?|activists?|coalitions?|councils?|residents? (?:patrol|march|protest)\w*)\b",
        r"\b(?:citizens?|community|residents?|civilian|neighbou?rs?)'?\s+(?:patrols?|watch(?:es)?|marches|protests?|groups?|coalitions?|committees?|task forces?)\b",
        r"\b(?:residents?|neighbou?rs?|citizens?|homeowners?|activists?|community members?|business owners?)\b[^.;]{0,60}?\b"
        r"(?:patroll?\w*|protest\w*|march\w*|picket\w*|held (?:a )?vigils?|record\w* (?:the )?(?:license |licence )?plates?|writing down|taking down|noting|"
        r"held\s+(?:\w+\s+){0,2}?(?:protests?|rallies|marches|vigils?)|wr[io]te down|t[ao]ok down|jott\w* down|photograph\w*|videotap\w*|organi[sz]ed|formed (?:a|an)|rallied|petition\w*|posted signs?|put up signs?)",
        r"\b(?:license|licence)\s+plates?\b[^.;]{0,40}?\b(?:record\w*|wr[io]te|not(?:ed|ing)|photograph\w*|jott\w*)",
        r"\bflashlight\s+(?:walks?|marches|patrols?)\b", r"\bshame the johns?\b",
        r"\b(?:civic|homeowners'?|tenants'?|block)\s+(?:associations?|leagues?|groups?|clubs?|watch)\b[^.;]{0,80}?\b"
        r"(?:patrol\w*|protest\w*|march\w*|signs?|plates?|campaign\w*|pressur\w*|watch\w*|formed|organi[sz]ed)",
    ],
    "Public Education": [
        r"\bpublic\s+(?:awareness|education|information|service)\s+(?:campaigns?|announcements?|ads?|advertisements?|programs?|messages?|efforts?|videos?)\b",
        r"\bPSAs?\b",
        r"\b(?:awareness|education(?:al)?|deterrence|deterrent|anti-demand|prevention)\s+(?:campaigns?|ads?|billboards?|signs?|posters?|videos?)\b",
        r"\b(?:signs?|billboards?|posters?)\s+(?:\w+\s+){0,4}?warning\b",
        r"\bwarning\s+(?:signs?|billboards?|posters?)\b",
    ],
    "Letters": [
        r"\bdear[- ]john\W{0,3}\s*letters?\b",
        r"\bletters?\s+(?:\w+\s+){0,6}?(?:sent|mailed)\s+(?:\w+\s+){0,2}?to\s+(?:the\s+)?(?:\w+\s+){0,3}?(?:homes?|owners?|residences?|famil\w+|wives|spouses|addresses|households?)\b",
        r"\b(?:sent|mailed|send|mail|sending|mailing|sends|mails)\s+(?:\w+\s+){0,3}?letters?\b",
        r"\b(?:mail\w*|sent|send\w*)\s+(?:[\w']+\s+){0,6}?to\s+(?:the\s+)?(?:[\w']+\s+){0,2}?(?:homes|residences|wives|families|spouses)\b",
    ],
    "Cameras": [
        r"\b(?:surveillance|security|video|hidden|covert|pole|police|traffic|street|crime)[- ]cameras?\b",
        r"\bcameras?\b\s+(?:\w+\s+){0,4}?(?:installed|mounted|placed|put up|erected|deployed|set up|added)\b",
        r"\b(?:install\w*|mount\w*|deploy\w*|put up|erect\w*|add\w*|set up)\s+(?:\w+\s+){0,4}?cameras?\b",
        r"\bCCTV\b", r"\bvideo\s+surveillance\b", r"\b(?:recorded|filmed|captured)\s+(?:\w+\s+){0,3}?on\s+(?:video|camera|tape)\b",
    ],
    "IT Based Tactics": [
        r"\bchat\s?bots?\b",
        r"\b(?:warning|deterrence|deterrent|automated)\s+(?:text\s+)?(?:messages?|texts?|pop-?ups?)\b",
        r"\btext\s+messages?\s+(?:\w+\s+){0,3}?warn\w*",
        r"\b(?:artificial intelligence|AI)[- ](?:powered|driven|based)\b",
    ],
}

_COMPILED = {t: [re.compile(p, 0 if "SOAP\\b" in p or "FOPP" in p or "CCTV" in p or "PSAs" in p or "(?:artificial" in p else F)
                 for p in ps] for t, ps in PATTERNS.items()}

# cheap keyword screens: a tactic's patterns run only when one of its stems is present
QUICK = {t: re.compile(k, F) for t, k in {
    "Reverse Stings": r"sting|decoy|revers|street|pos|sweep|undercover",
    "Web Stings": r"web|online|on-line|internet|cyber|decoy|\bads?\b|advert|listing|posting|profile|answer|respond",
    "Buyer Arrests": r"raid|customer|client|patron|trafficking|arrest",
    "John School": r"school|offender|fopp|diversion|educat|class|program|course",
    "Identity Disclosure": r"name|identit|photo|mug|booking|picture|face|address|sham|publicly",
    "Auto Seizure": r"vehicle|\bcars?\b|auto|truck|impound|seiz|forfeit|\btow|confiscat",
    "License Suspension": r"licen",
    "Community Service": r"community",
    "Employment Loss": r"resign|stepped down|fired|dismissed|terminated|let go|leave|lost",
    "SOAP Orders": r"soap|stay|\bban|\bbar|banish|prohibit|exclud|zone|exclusion",
    "Neighborhood Action": r"neighbo|citizen|communit|resident|civilian|homeowner|activist|business owner|plate|flashlight|shame the|civic|block|tenant",
    "Public Education": r"public|psa|campaign|sign|billboard|poster|warning",
    "Letters": r"letter|mail|sent|send",
    "Cameras": r"camera|cctv|surveillance|video|film|captur|record",
    "IT Based Tactics": r"chat|warning|deterren|automated|text|artificial|\bai\b",
}.items()}

WEB_CUE = re.compile(
    r"\b(?:web|online|on-line|internet|craigslist|backpage|websites?|web sites?|ads?|advertisements?|"
    r"listings?|postings?|classifieds?|escort (?:sites?|ads?|services?)|social media|apps?|chat\w*|e-?mails?|"
    r"cyber\w*|texting|texted|text messages?|skipthegames|megapersonals|bedpage|dating (?:site|app)s?|craigs list)\b", F)
STREET_CUE = re.compile(r"\bstreet\b|\bcorner\b|\bmotorists?\b|\bdriv(?:ing|ers?)\b", F)
STING_WORD = re.compile(r"\b(?:stings?|decoys?|reversals?|operations?)\b", F)
_BUYER_CTX = re.compile(r"\b(?:johns?|buyers?|men|customers|solicit\w*|clients|patrons|demand|purchas\w*|arrest\w*|charged|"
                        r"meet|meets|meeting|meetings|met|hotels?|motels?)\b", F)
# a chatbot answering ads is an IT Based Tactic, not a web sting
_BOT = re.compile(r"\b(?:chat\s?bots?|bots?|automated (?:text )?messages?|warning (?:text )?messages?)\b", F)
# web words that describe where names/photos were published, not how buyers were contacted
_PUBLISHED_WEB = re.compile(r"\b(?:post\w*|publish\w*|releas\w*|display\w*|list\w*|put|shar\w*|print\w*)\b[^.;]{0,60}$", F)
# "posed as prostitutes on X Avenue and in online ads": the street and the web conjoined
STREET_PLACE = re.compile(r"\bstreet\b|\bcorners?\b|\bmotorists?\b|\bdriv(?:ing|ers?)\b|\b(?:avenue|boulevard|blvd|"
                          r"road|highway|strip|sidewalks?)\b", F)


def _web_contact(local: str) -> re.Match[str] | None:
    """The first web cue of a window that is about contact, not about publishing names online."""
    for m in WEB_CUE.finditer(local):
        if _PUBLISHED_WEB.search(local[max(0, m.start() - 60):m.start()]):
            continue
        return m
    return None

CLAUSE_BREAK = re.compile(
    r";|:|\(|\)|\s[\u2013\u2014-]\s|\bbut\b|,\s*(?:and|while|although|though|whereas|yet|so|because|since|after|before|when)\b|"
    r"\bwhile\b|\bwhereas\b|\balthough\b", F)
NEG_BEFORE = re.compile(
    r"\b(?:withh[eo]ld\w*|not|never|no longer|neither|nor|cannot|considering|considered|consider|considers|propos\w+|"
    r"debat\w+|discuss\w+|rejected|declined to|stopped|discontinu\w+|abandon\w+|ceased|halted|"
    r"plans? to|planning|planned to|hopes? to|hoping to|would like to|wants? to|explor\w+|studying|weighing|"
    r"looking into|yet to|without|instead of|rather than|refused to|refuses to|opposed|oppose|"
    r"no plans?|unable to|failed to|lack of|lacks|unlike|call(?:ed|s|ing)? for|urg(?:ed|es|ing)|suggest\w*|"
    r"recommend\w*|idea of|may soon|could soon|pending approval of)\b|n't\b", F)
NO_ADJ = re.compile(r"\bno\s+(?:\w+\s+){0,2}$", F)
NOT_ONLY = re.compile(r"\bnot only\b", F)
NEG_AFTER = re.compile(
    r"^[^.;]{0,50}?\b(?:(?:is|was|were|are|has|have|had|been)\s+(?:not|never|no longer|since been (?:discontinued|abandoned|dropped)|"
    r"discontinued|abandoned|dropped|rejected|proposed|considered|under consideration|being considered|"
    r"withheld|stopped|shelved|scrapped|ended|halted)|withheld|never (?:materiali[sz]ed|implemented|happened|began|started)|"
    r"fell through|did not|didn't|was shelved|remains? (?:a )?proposal|under consideration)\b", F)
FUTURE_BEFORE = re.compile(
    r"\b(?:will|aims? to|aiming to|aimed to|intends? to|intend(?:ed|ing) to|expects? to|is expected to|are expected to|"
    r"would|shall|going to|scheduled to|set to|future|upcoming)\b", F)


@dataclass
class Mention:
    tactic: str
    start: int
    end: int
    negated: bool = False
    future: bool = False


def _clause_start(s: str, pos: int) -> int:
    last = 0
    for m in CLAUSE_BREAK.finditer(s, 0, pos):
        if m.end() <= pos:
            last = m.end()
    return last


def _clause_end(s: str, pos: int) -> int:
    m = CLAUSE_BREAK.search(s, pos)
    return m.start() if m else len(s)


def mentions(sentence: str) -> list[Mention]:
    """Tactic mentions in one sentence (straight quotes), with negation and future flags."""
    s = sentence
    found: list[Mention] = []
    web = bool(WEB_CUE.search(s))
    for tactic, regs in _COMPILED.items():
        if not QUICK[tactic].search(s):
            continue
        for rx in regs:
            for m in rx.finditer(s):
                t = tactic
                if tactic == "Reverse Stings":
                    word = m.group(0).lower()
                    explicit_street = "street" in word
                    if word.startswith(("sting", "decoy", "reversal", "pos")) or not explicit_street:
                        # generic sting/decoy wording: online contact makes it a web sting
                        local = s[max(0, m.start() - 120): m.end() + 120]
                        wc = None if explicit_street else _web_contact(local)
                        if wc is not None and not STREET_CUE.search(local):
                            t = "Web Stings"
                        if wc is not None and word.startswith(("pos", "decoy")):
                            # "posed as prostitutes on Jefferson Avenue and in online ads",
                            # "posed as prostitutes and as women advertising online": both kinds
                            rel = m.end() - max(0, m.start() - 120)
                            between = local[rel:wc.start()] if wc.start() >= rel else ""
                            if re.search(r"\b(?:and|as well as|or)\b", between, F) and \
                                    (STREET_PLACE.search(local[:wc.start()]) or re.search(r"\band\s+(?:also\s+)?as\b", between, F)):
                                found.append(Mention("Reverse Stings", m.start(), m.end()))
                                t = "Web Stings"
                    if word.startswith(("sting", "decoy", "reversal", "undercover")):
                        pre = s[max(0, m.start() - 25): m.start()].lower()
                        if re.search(r"(?:web|online|internet|reverse|street)[- ](?:based\s+)?(?:level\s+)?$", pre):
                            continue  # already matched by a more specific pattern
                        if word.startswith("decoy") and re.match(r"decoys?\s+(?:online\s+)?(?:ads?|advertisements?|listings?|postings?|profiles?)", s[m.start():], F):
                            continue
                        if not _BUYER_CTX.search(s):
                            continue
                if tactic == "Buyer Arrests" and m.group(0).lower().startswith("arrest") and \
                        (STING_WORD.search(s) or WEB_CUE.search(s) or re.search(r"pos(?:ing|ed)\s+as|undercover", s, F)):
                    continue
                if tactic == "Web Stings" and m.group(0).lower().startswith(("answer", "respond")) and \
                        not _BUYER_CTX.search(s):
                    continue
                if tactic == "Web Stings" and _BOT.search(s) and not re.search(r"\b(?:arrest|charg|cited)", s, F):
                    continue  # ads answered by a bot with a warning: an IT Based Tactic
                found.append(Mention(t, m.start(), m.end()))
    out: list[Mention] = []
    for mn in sorted(found, key=lambda x: (x.start, -x.end)):
        cs = _clause_start(s, mn.start)
        before = s[cs:mn.start]
        if len(before) > 90:
            before = before[-90:]
        before_n = NOT_ONLY.sub("", before)
        after = s[mn.end:_clause_end(s, mn.end)]
        inside = s[mn.start:mn.end]
        if len(inside) > 20:  # wide patterns ("names ... were released") may hold the cue
            before_n = before_n + " " + inside
        if NEG_BEFORE.search(before_n) or NO_ADJ.search(before_n[-30:]) or NEG_AFTER.search(after):
            mn.negated = True
        elif FUTURE_BEFORE.search(before_n):
            mn.future = True
        out.append(mn)
    return out


def positive(ms: list[Mention]) -> list[str]:
    seen: list[str] = []
    for m in ms:
        if not m.negated and not m.future and m.tactic not in seen:
            seen.append(m.tactic)
    return seen


def negated(ms: list[Mention]) -> list[str]:
    pos = set(positive(ms))
    seen: list[str] = []
    for m in ms:
        if m.negated and m.tactic not in pos and m.tactic not in seen:
            seen.append(m.tactic)
    return seen
