"""Which tactics a narrative sentence describes, used by whom, and whether it was done.

A claim needs a tactic *used by the place against buyers*. Three readings of a sentence decide it:

1. Mentions: each tactic has phrasings (regular expressions over the folded sentence), of three
   strengths: the tactic's own name ("john school", "web-based reverse sting", "SOAP orders"),
   an explicit description ("names were released to the media", "vehicles were impounded"), and
   a generic word that names the tactic only when buyers are its target ("a sting", "an
   undercover operation", "decoys").
2. Whose act it is (`Cues`): buyers as the target ("johns", "solicitation", "men who tried to pay
   for sex"); a sting aimed at sellers (officers posing as buyers, answering sellers' ads); online
   contact (decoy ads, websites, apps) or street contact; a trafficking or pimping case. Vehicles
   or cash seized from traffickers, a business licence revoked, a camera found as evidence, an
   advocacy coalition helping victims, an ad a trafficker posted: someone else's, not a tactic.
3. Whether it was done: negated ("has not conducted", "was never established", "no reports of"),
   only intended or studied ("considering", "assessing whether", "proposed", "plans to"), in the
   future ("will", "aims to"), or stopped ("no longer pursued", "was disbanded"): none is evidence
   of use; "stopped" also withdraws earlier evidence of the same practice.

`resolve` turns the mentions and cues of a sentence (or of all sentences of one event) into the
tactics they evidence: a generic sting with online contact and no street is a web sting, a
"reverse sting" whose contact was online is the web sting it names, a buyer arrest inside a sting
is the sting.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

F = re.I

LABEL, EXPLICIT, GENERIC, WEAK = "label", "explicit", "generic", "weak"

_SOLD = (r"(?:prostitut\w*|prostituted (?:women|persons|people)|sex workers?|streetwalkers?|masseuses?|massage (?:therapists?|workers?|attendants?)|women\b(?!\s+(?:seeking|looking|buying))|"
         r"hookers?|(?:women|girls|people|persons) (?:selling|offering|soliciting) sex|sex sellers?|"
         r"escorts?|working girls?|(?:a |an )?(?:female )?(?:sex )?(?:seller|provider)s?)")
# in a seller's (or a child's) role: "posing as", "dressed as", "acting as", "played the part of", "pretended to be"
_IN_ROLE = (r"\b(?:pos(?:ing|ed|e|es)\s+(?:online\s+)?as|dress(?:ed|ing)\s+(?:up\s+)?as|act(?:ing|ed)\s+as|"
            r"play(?:ed|ing|s)?\s+the\s+(?:part|role)s?\s+of|pretend(?:ed|ing|s)?\s+to\s+be|masquerad\w+\s+as)\s+")
_POLICE = (r"(?:police|officers?|detectives?|deputies|deputy|investigators?|agents?|troopers?|law enforcement|"
           r"authorities|department|vice (?:unit|squad|officers?)|task force|sheriff'?s? office|(?-i:[A-Z]{2,6}))")
_ADS = r"(?:ads?|advertisements?|listings?|postings?|profiles?|notices?|personals?)"
_AUX = (r"(?:(?:also|then|have|has|had|would|will|reportedly|allegedly|first|later|again|officers?|detectives?|investigators?|"
        r"deputies|agents?|undercover|working|[a-z]+ly)\s+){0,3}")
_UNDERCOVER_PERSON = (r"(?:female\s+)?undercover\s+(?:female\s+)?(?:police\s+)?(?:officers?|troopers?|deput(?:y|ies)|"
                      r"detectives?|agents?|cops?|policewom[ae]n|decoys?)")

PATTERNS: dict[str, list[tuple[str, str]]] = {
    "Reverse Stings": [
        (LABEL, r"\breverse[- ]?(?:prostitution[- ])?(?:stings?|sting operations?|operations?|stings? operations?)\b"),
        (EXPLICIT, r"\bstreet[- ]?(?:level\s+)?(?:reverse\s+)?(?:stings?|decoys?|decoy operations?|reversals?|"
                   r"operations?|sweeps?|enforcement operations?|details?)\b"),
        (EXPLICIT, r"\breversals?\b"),
        (EXPLICIT, r"\b(?:john|johns|buyer|demand|solicitation)[- ](?:sweeps?|details?|stings?|stings? operations?|"
                   r"operations?|suppression operations?|reduction operations?)\b"),
        (EXPLICIT, r"\b(?:female\s+|undercover\s+|police\s+|civilian\s+)*decoys?\b"),
        # "two policewomen in plain clothes waited on a corner by turns": decoys, not named so
        (EXPLICIT, r"\b(?:(?:female|women)\s+(?:undercover\s+)?(?:police\s+)?(?:officers?|deputies|detectives?|troopers?)|(?:undercover\s+)?policewom[ae]n)\s+(?:[\w,-]+\s+){0,6}?"
                   r"(?:stood|standing|walked|walking|waited|waiting|lingered|loitered)\s+(?:on|in|at|along|near)\b"),
        (EXPLICIT, _IN_ROLE + r"(?:a\s+|an\s+)?(?:\w+\s+){0,2}?" + _SOLD),
        (EXPLICIT, r"\b(?:solicit\w*|approach\w*|proposition\w*|offer\w*\s+(?:money|cash|\$\s?\d+)\s+to)\s+(?:sex\s+(?:from|with)\s+)?"
                   r"(?:an?\s+|the\s+|two\s+|several\s+)?" + _UNDERCOVER_PERSON + r"\b"),
        # "he offered the officer $50": the officer in the seller's place
        (EXPLICIT, r"\boffer\w*\s+(?:the|an?)\s+(?:female\s+)?(?:undercover\s+)?(?:police\s+)?(?:officer|detective|deputy|trooper|decoy)\s+"
                   r"(?:\$\s?\d+|money|cash|\w+\s+dollars)"),
        (GENERIC, _IN_ROLE + r"(?:a\s+|an\s+)?(?:\d+|[a-z]+)[- ]year[- ]old\b"),
        (GENERIC, r"\bstings?\b"),
        (GENERIC, r"\bundercover\s+(?:\w+\s+){0,2}?(?:operations?|investigations?|details?|stings?|officers?|detectives?|"
                  r"deputies|agents?|troopers?)\b"),
        (GENERIC, r"\b(?:prostitution|vice|solicitation)\s+(?:operations?|details?|sweeps?|crackdowns?)\b"),
        (GENERIC, r"\bcrackdowns?\b"),
        (WEAK, r"\b(?:operations?|sweeps?)\b"),  # "an investigation" is how buyers were found, not a sting
    ],
    "Web Stings": [
        (LABEL, r"\b(?:web|online|on-line|internet|cyber|computer)[- ]?(?:based?\s+)?(?:reverse\s+)?(?:stings?|sting operations?|"
                r"operations?|decoys?|reversals?|reverses?|investigations?)\b"),
        (EXPLICIT, r"\bdecoy\s+(?:online\s+|internet\s+|web\s+)?" + _ADS + r"\b"),
        (EXPLICIT, r"\b" + _POLICE + r"\s+" + _AUX + r"(?:posted|placed|ran|run|running|create[sd]?|creating|put up|set up|"
                   r"publish\w*|post|posts|posting|place|places|placing)\s+(?:\w+\s+){0,4}?" + _ADS + r"\b"),
        (EXPLICIT, r"\b" + _ADS + r"\s+(?:were\s+|was\s+|had been\s+)?(?:placed|posted|created|run)\s+(?:online\s+)?by\s+(?:the\s+)?"
                   r"(?:police|law enforcement|officers|detectives|investigators|deputies|undercover|department|sheriff)"),
        (EXPLICIT, r"\b(?:men|johns?|buyers?|who|they|suspects?|individuals|he|man|people|callers)\s+(?:had\s+|allegedly\s+|then\s+|"
                   r"reportedly\s+|that\s+)?(?:responded|answered|replied|reached out)\s+(?:to\s+)?(?:\w+\s+){0,4}?" + _ADS + r"\b"),
        (EXPLICIT, r"\b(?:officers?|detectives?|deput\w+|undercover|agents?)\s+(?:\w+\s+){0,3}(?:responded|answered|replied)\s+to\s+"
                   r"(?:\w+\s+){0,3}" + _ADS + r"\s+(?:\w+\s+){0,5}?(?:men|man|johns?|buyers?|he|suspects?)\s+had\s+(?:placed|posted)"),
        # answering real ads is a web sting where buyers are its target (the taxonomy's "answering or
        # taking over real ads"); where only the seller is met, it is a sting on sellers
        (GENERIC, r"\b(?:officers?|detectives?|deput\w+|police|investigators?|undercover|agents?|troopers?)\s+(?:[\w-]+\s+){0,8}?"
                  r"(?:responded\s+to|responding\s+to|answered|answering|replied\s+to|replying\s+to)\s+(?:\w+\s+){0,3}?" + _ADS + r"\b"),
        (EXPLICIT, r"\bpos(?:ing|ed|e|es)\s+as\s+(?:[\w-]+\s+){1,5}?(?:online|on (?:the internet|social media|a website|an app))\b"),
        (GENERIC, r"\b(?:using|via|through|over)\s+the\s+(?:web|internet)\b"),
        (GENERIC, r"\b(?:arrangements?|arranged|contact\w*|communicat\w*|negotiat\w*)\s+(?:\w+\s+){0,4}?(?:over|via|through|on)\s+"
                   r"(?:the\s+)?(?:internet|web|websites?|social media|facebook|apps?|craigslist|backpage|text messages?)\b"),
    ],
    "Buyer Arrests": [
        (LABEL, r"(?<!day of )\b(?:john|buyer|customer|sex buyer)\s+arrests\b"),
        (EXPLICIT, r"\barrests?\s+of\s+(?:\w+\s+){0,2}?(?:johns|sex buyers|buyers|customers|patrons)\b"),
        (EXPLICIT, r"\b(?:johns|sex buyers|buyers|customers|clients|patrons)\s+(?:\w+\s+){0,3}?(?:were|have been|had been)\s+"
                   r"(?:\w+\s+)?(?:arrested|charged|cited)\b"),
        (EXPLICIT, r"\b(?:police|officers|detectives|deputies|they|who|department|agents|troopers|investigators|(?-i:[A-Z]{2,6}))\s+"
                   r"(?:\w+\s+){0,2}(?:arrested|charged|cited)\s+(?:[\w,]+\s+){0,4}?(?:johns|sex buyers|buyers|customers|clients|patrons)\b"),
        (EXPLICIT, r"\b(?:men|man|males?)\s+(?:[\w,]+\s+){0,8}?(?:was|were|had been|have been|been|being)\s+(?:\w+\s+)?(?:arrested|charged|cited)\s+(?:\w+\s+){0,3}?(?:for|on charges of|with)\s+"
                   r"(?:\w+\s+){0,2}?(?:patroniz\w*|solicit\w*|attempt\w* to (?:buy|purchase) sex|paying for sex|buying sex|"
                   r"offering (?:money|to pay))"),
        (EXPLICIT, r"\b(?:police|officers|detectives|deputies|they|department|agents|troopers|investigators|(?-i:[A-Z]{2,6}))\s+"
                   r"(?:\w+\s+){0,2}(?:arrested|charged|cited)\s+(?:\w+\s+){0,5}?(?:men|man|males?)\s+(?:\w+\s+){0,3}?(?:for|on charges of|with)\s+"
                   r"(?:\w+\s+){0,2}?(?:patroniz\w*|solicit\w*|attempt\w* to (?:buy|purchase) sex|paying for sex|buying sex)"),
        (EXPLICIT, r"\b(?:man|men)\s+(?:\w+\s+){0,4}?(?:was|were)\s+(?:\w+\s+)?(?:arrested|charged)\s+(?:\w+\s+){0,3}?after\s+"
                   r"[^.;]{0,60}?\b(?:pick(?:ed|ing)?\s+up\s+a\s+woman|hand(?:ed|ing)?\s+her\s+(?:cash|money)|paid\s+(?:her|a woman)\s+for\s+sex)\b"),
        (EXPLICIT, r"\barrest\w*\s+of\s+[^.;]{0,60}?\band\s+(?:\w+\s+){0,2}?(?:men|johns|buyers)\s+who\s+(?:had\s+)?(?:paid|bought|tried to buy)\b"),
        (EXPLICIT, r"\b(?:man|men)\s+(?:\w+\s+){0,4}?(?:was|were)\s+(?:\w+\s+)?(?:arrested|charged)\s+(?:\w+\s+){0,3}?after\s+"
                   r"(?:\w+\s+){0,4}?(?:offer\w*|agree\w*|attempt\w*|tr(?:y|ied))\s+(?:\w+\s+){0,3}?(?:to\s+)?(?:pay|buy|purchase)"),
        (EXPLICIT, r"\b(?:the|a)\s+\W?(?:john|sex buyer|buyer|customer|client|patron)\W?\s+(?:[\w,-]+\s+){0,10}?(?:was|had been|has been)\s+"
                   r"(?:also\s+)?(?:arrested|charged|cited)\b"),
        (EXPLICIT, r"\barresting\s+(?:(?:more than|over|at least|some|about|nearly)\s+)?(?:\d[\d,]*|[a-z]+)\s+(?:sex buyers|johns|buyers|customers|patrons)\b"),
        (EXPLICIT, r"\b(?:men|man)\s+(?:\w+\s+){0,2}?(?:pled|pleaded)\s+guilty\s+(?:\w+\s+){0,6}?(?:paying|offering to pay|soliciting|patronizing|buying)\b"),
        (GENERIC, r"(?<!the )(?<!those )(?<!these )\b(?:raided|raids?\s+(?:on|of|at)|raiding)\s+(?:\w+\s+){0,5}?(?:brothels?|massage|spas?|parlou?rs?|bordellos?|"
                  r"houses? of prostitution)\b"),
        (GENERIC, r"\b(?:brothels?|massage (?:parlou?rs?|businesses|establishments)|spas?|bordellos?)\s+(?:\w+\s+){0,5}?"
                  r"(?:was|were|had been)\s+raided\b"),
    ],
    "John School": [
        (LABEL, r"\bjohn'?s?'?\s+schools?\b"),
        (EXPLICIT, r"\bfirst[- ]offenders?'?\s+(?:prostitution\s+)?(?:program|class|school|course)\w*"),
        (EXPLICIT, r"\bFOPP\b"),
        (EXPLICIT, r"\b(?:prostitution|solicitation)\s+offenders?'?\s+(?:program|class|school|course)\b"),
        (EXPLICIT, r"\b(?:(?:sex\s+)?buyers?'?|men'?s|johns'?)\s+accountability\s+(?:program|class|course|school|project)\b"),
        (EXPLICIT, r"\b(?:[\w-]+-hour|saturday|sunday|weekend|evening|day-long|all-day)\s+(?:class|course|seminar|program)\b[^.;]{0,60}?\b"
                   r"(?:buyers?|johns?|men\s+(?:arrested|charged|convicted|who)|solicit\w*|first[- ]time offenders)\b"),
        (EXPLICIT, r"\b(?:class|course|seminar|session|program)\s+(?:taught|led|run|given)\s+by\s+(?:\w+\s+){0,2}?(?:survivors|former prostitutes|"
                   r"women who (?:have\s+)?(?:left|escaped))\b"),
        (EXPLICIT, r"\b(?:one|two|half|full)[- ]day\s+(?:class|course|seminar|program)\w*\b[^.;]{0,40}?\b(?:prostitution|sex trade|buying sex|"
                   r"solicit\w*|exploitation)\b|\bclass(?:es)?\s+on\s+the\s+(?:harms|dangers|consequences|effects|realities)\s+of\s+"
                   r"(?:prostitution|buying sex|the sex trade)\b"),
        (EXPLICIT, r"\b(?:diversion|education(?:al)?|rehabilitation|re-education|intervention)\s+(?:program|class|course|seminar|session)s?\b"
                   r"[^.;]{0,80}?\b(?:johns?|buyers?|men|solicit\w*|customers|offenders?|arrestees|patroniz\w*)\b"),
        # a "deterrence program" may be warning texts or ads; it is a class only for men arrested or convicted
        (EXPLICIT, r"\bdeterrence\s+(?:program|class|course|seminar|session)s?\b[^.;]{0,80}?\b(?:arrested|charged|convicted|"
                   r"first[- ]time|offenders?|arrestees)\b|\bdeterrence\s+(?:class|course|seminar|session)s?\b[^.;]{0,80}?\b(?:johns?|buyers?|men)\b"),
        (EXPLICIT, r"\b(?:johns?|buyers?|men who (?:buy|bought|solicit\w*)|solicit\w*|offenders?|arrestees)\b[^.;]{0,80}?"
                   r"\b(?:diversion|educational?|rehabilitation|intervention)\s+(?:program|class|course|seminar)s?\b"),
    ],
    "Identity Disclosure": [
        (LABEL, r"\bidentity disclosure\b"),
        (EXPLICIT, r"\b(?:names?|identit(?:y|ies)|photos?|photographs?|mug\s?shots?|booking\s+(?:photos?|pictures?)|pictures?|faces?|"
                   r"addresses|identifying information|identifiers|images)\b"
                   r"[^.;]{0,80}?\b(?:released|publish\w*|posted|disclosed|made public|printed|broadcast|publici[sz]ed|"
                   r"shared with|announced|aired|displayed|listed (?:on|in)|put (?:on|in)|appeared in|sent to the (?:media|press)|"
                   r"included in|reported (?:in|by|to)|ran in|given to|provided to|made available|circulated|revealed|"
                   r"were (?:also )?(?:reported|named))"),
        (EXPLICIT, r"\b(?:releas\w*|publish\w*|post\w*|publici[sz]\w*|disclos\w*|print\w*|broadcast\w*|display\w*|list\w*|air\w*|"
                   r"disseminat\w*|reveal\w*)\s+(?:of\s+)?(?:the\s+|their\s+|his\s+|all\s+)?(?:full\s+)?(?:[\w']+\s+){0,2}?"
                   r"(?:names?|identit(?:y|ies)|photos?|photographs?|mug\s?shots?|booking photos?|pictures?|faces?|identifying information)\b"),
        (EXPLICIT, r"\b(?:names?|identit(?:y|ies))\b[^.;]{0,60}?\bwithh[eo]ld\b"),
        (EXPLICIT, r"\b(?:sen[dt]\w*|gave|giv\w+|provid\w+|forward\w*|hand\w*\s+over)\s+(?:the\s+|their\s+|his\s+|all\s+)?(?:[\w']+\s+){0,2}?"
                   r"(?:names?|identit(?:y|ies)|photos?|mug\s?shots?)\s+(?:\w+\s+){0,3}?to\s+(?:the\s+|a\s+)?(?:local\s+)?"
                   r"(?:news\w*|papers?|media|press|reporters?|television|tv|stations?)\b"),
        (EXPLICIT, r"\b(?:details|information)\s+(?:of|about|on)\s+(?:the\s+)?(?:\w+\s+){0,3}?arrests\b[^.;]{0,60}?"
                   r"\b(?:shared|released|provided|given)\s+(?:\w+\s+){0,3}?(?:with|to)\s+(?:the\s+)?(?:media|press|public|news)"),
        (EXPLICIT, r"\bmug\s?shots?\b"), (EXPLICIT, r"\bbooking\s+(?:photos?|pictures?)\b"),
        (EXPLICIT, r"\bshaming\b"), (EXPLICIT, r"\bpublicly\s+(?:shame\w*|nam\w*|identif\w*|humiliat\w*)"),
        (EXPLICIT, r"\bnaming\s+(?:the\s+|arrested\s+|accused\s+|convicted\s+)?(?:\w+\s+)?(?:johns|buyers|men|customers|sex buyers|offenders)\b"),
        (EXPLICIT, r"\b(?:named|identified)\s+(?:in|by)\s+(?:the\s+)?(?:local\s+)?(?:media|press|news\w*|newspapers?|television|tv|"
                   r"news releases?|press releases?)\b"),
        (EXPLICIT, r"\b(?:john|johns|shame)[- ](?:tv|list|page|website|billboard)s?\b"),
        (EXPLICIT, r"\b(?:wall|hall)\s+of\s+shame\b"),
    ],
    "Auto Seizure": [
        (LABEL, r"\b(?:auto|car|vehicle)[\s-]+(?:seizures?|impound\w*|forfeitures?)\b"),
        (EXPLICIT, r"\b(?:vehicles?|cars?|autos?|automobiles?|trucks?)\b\s+(?:\w+\s+){0,9}?(?:impounded|seized|forfeited|towed|confiscated)\b"),
        (EXPLICIT, r"\b(?:the\s+)?(?:vehicles?|cars?)\s+of\s+(?:men|buyers|johns|those|anyone|people|drivers)\s+(?:[\w,-]+\s+){0,8}?"
                   r"(?:have been|are|were|will be|can be|may be)\s+(?:\w+\s+(?:and\s+)?)?(?:impounded|seized|forfeited|towed|confiscated)\b"),
        (EXPLICIT, r"\b(?:impound\w*|seiz\w*|forfeit\w*|tow\w*|confiscat\w*)\s+(?:of\s+)?(?:[\w']+\s+){0,4}?(?:vehicles?|cars?|autos?|automobiles?)\b"),
    ],
    "License Suspension": [
        (EXPLICIT, r"\bdriving\s+privileges?\b[^.;]{0,30}?\b(?:suspend\w*|revok\w*|taken|pulled)\b|"
                   r"\b(?:los[et]s?|lost|losing|suspend\w*|revok\w*)\s+(?:his|their|the)\s+driving\s+privileges?\b"),
        (LABEL, r"\b(?:driver'?s'?\s+)?licen[cs]e\s+suspensions?\b"),
        (EXPLICIT, r"\blicen[cs]es?\b[^.;]{0,40}?\b(?:suspended|suspension|revoked|revocation|pulled)\b"),
        (EXPLICIT, r"\b(?:los[et]s?|lost|losing)\s+(?:his|their|the)\s+(?:driver'?s'?\s+|driving\s+)?licen[cs]es?\b"),
        (EXPLICIT, r"\b(?:suspend\w*|revok\w*)\b[^.;]{0,40}?\blicen[cs]es?\b"),
    ],
    "Community Service": [
        (LABEL, r"\bcommunity[- ]service\b"),
        (EXPLICIT, r"\bhours\s+(?:of\s+)?(?:unpaid\s+(?:work|labou?r|service)|(?:\w+\s+){0,2}?(?:picking up|cleaning up)\s+(?:litter|trash|garbage))\b"),
        # a sentence of work: "40 hours of court-ordered litter pickup", "50 hours on a roadside work crew"
        (EXPLICIT, r"\bhours\s+(?:of|on|with)\s+(?:an?\s+|the\s+)?(?:court-ordered\s+|supervised\s+)?(?:(?:litter|trash|garbage|roadside|road)\s+"
                   r"(?:pick-?up|clean-?up|crews?|work(?:\s+crews?)?)|work\s+crews?|cleaning\s+(?:\w+\s+){0,2}?(?:roadsides?|streets?|parks?|alleys?))\b"),
    ],
    "Employment Loss": [
        (LABEL, r"\b(?:employment loss|loss of (?:employment|jobs?))\b"),
        (EXPLICIT, r"\b(?:resigned|resigns|resignation|stepped down)\b"),
        (EXPLICIT, r"\b(?:was|were|been|got|being)\s+(?:fired|dismissed|terminated|let go)\b"),
        (EXPLICIT, r"\b(?:lost|losing)\s+(?:his|their|her|a)\s+(?:\w+\s+)?(?:jobs?|positions?|posts?|employment)\b"),
        (EXPLICIT, r"\bwithout\s+(?:jobs|a job|work|employment)\b"),
        (EXPLICIT, r"\b(?:fired|dismissed)\s+(?:from|by|after)\b"),
        (EXPLICIT, r"\b(?:and|then)\s+(?:later\s+|eventually\s+|subsequently\s+)?(?:fired|dismissed|terminated)\b"),
    ],
    "SOAP Orders": [
        (LABEL, r"\bSOAP\b"),
        (EXPLICIT, r"\border\w*\s+(?:[\w,-]+\s+){0,8}?to\s+stay\s+(?:away|out)\s+(?:of|from)\b"),
        (EXPLICIT, r"\bstay(?:ing)?\s+(?:out\s+of|away\s+from)\b[^.;]{0,60}?\bcondition\s+of\s+(?:their\s+|his\s+)?(?:bond|bail|probation|release|parole)\b|"
                   r"\bcondition\s+of\s+(?:their\s+|his\s+)?(?:bond|bail|probation|release|parole)\b[^.;]{0,60}?\bstay(?:ing)?\s+(?:out|away)\b"),
        (LABEL, r"\bstay[- ]out[- ]of[- ](?:areas?[- ]of[- ])?prostitution\b"),
        (EXPLICIT, r"\b(?:banned|barred|banish\w*|prohibited|excluded|ordered to stay away)\s+from\s+(?:entering\s+|re-?entering\s+|returning\s+to\s+|being\s+in\s+)?"
                   r"(?:the\s+|certain\s+|designated\s+|specific\s+|high-prostitution\s+|any\s+of\s+)?(?:[\w-]+\s+){0,3}?(?:areas?|zones?|neighbou?rhoods?|districts?|corridors?|parts?)\b"),
        (EXPLICIT, r"\b(?:ban|bans|banning|bar|bars|barring|banish\w*|prohibit\w*|exclud\w*|restrict\w*)\s+(?:[\w-]+\s+){1,6}?from\s+"
                   r"(?:entering\s+|re-?entering\s+|returning\s+to\s+|being\s+in\s+)?"
                   r"(?:the\s+|certain\s+|designated\s+|specific\s+|any\s+of\s+)?(?:[\w-]+\s+){0,3}?(?:areas?|zones?|neighbou?rhoods?|districts?|corridors?|parts?)\b"),
        (EXPLICIT, r"\bprostitution[- ](?:free|exclusion)\s+zones?\b"), (EXPLICIT, r"\bexclusion\s+(?:zones?|orders?)\b"),
        (EXPLICIT, r"\bgeographic(?:al)?\s+(?:restrictions?|exclusion\s+zones?|exclusions?)\b"),
        (EXPLICIT, r"\bstay[- ]away\s+orders?\b"),
    ],
    "Neighborhood Action": [
        (LABEL, r"\bneighbou?rhood\s+action\b"),
        (EXPLICIT, r"\bneighbou?rhood\s+(?:watch\w*|patrols?|groups?|associations?|activists?|coalitions?|councils?|residents? (?:patrol|march|protest)\w*)\b"),
        (EXPLICIT, r"\b(?:citizens?|community|residents?|civilian|neighbou?rs?)'?\s+(?:patrols?|watch(?:es)?|marches|protests?|groups?|coalitions?|committees?|task forces?)\b"),
        (EXPLICIT, r"\b(?:residents?|neighbou?rs?|citizens?|homeowners?|activists?|community (?:members|leaders|groups|representatives)|"
                   r"church (?:groups?|members|congregations?)|congregations?|parishioners|"
                   r"business (?:owners|leaders)|community and business leaders)\b[^.;]{0,90}?\b"
                   r"(?:patroll?\w*|protest\w*|march\w*|picket\w*|held (?:a )?vigils?|record\w* (?:the )?(?:license |licence )?plates?|writing down|taking down|noting|"
                   r"held\s+(?:\w+\s+){0,2}?(?:protests?|rallies|marches|vigils?|walks?)|rall(?:y|ied|ies)\b|wr[io]te down|t[ao]ok down|jott\w* down|photograph\w*|videotap\w*|"
                   r"organi[sz]ed|formed (?:a|an)|rallied|petition\w*|posted signs?|posting signs?|put up signs?|pressur\w*|lobb\w*|"
                   r"appeal\w*|approach(?:ed|ing)\s+(?:the\s+)?(?:police|officials|city|council|mayor|department|county)|demand\w*|created (?:a|an) (?:website|web site|blog|page))"),
        (EXPLICIT, r"\b(?:license|licence)\s+plates?\b[^.;]{0,40}?\b(?:record\w*|wr[io]te|not(?:ed|ing)|photograph\w*|jott\w*)"),
        (EXPLICIT, r"\bflashlight\s+(?:walks?|marches|patrols?)\b"), (EXPLICIT, r"\bshame the johns?\b"),
        (EXPLICIT, r"\b(?:wr[io]te|writing|jott\w*|took|taking)\s+down\s+(?:the\s+)?(?:license|licence)\s+(?:plates?|plate numbers|numbers)\b"),
        (EXPLICIT, r"\b(?:residents?|neighbou?rs|volunteers|homeowners)\b[^.;]{0,40}?\bformed\s+(?:the\s+)?(?:[\w'-]+\s+){0,4}?"
                   r"(?:watch|patrol|coalition|association|alliance|committee)\b"),
        (EXPLICIT, r"\b(?:civic|homeowners'?|tenants'?|block)\s+(?:associations?|leagues?|groups?|clubs?|watch)\b[^.;]{0,80}?\b"
                   r"(?:patrol\w*|protest\w*|march\w*|signs?|plates?|campaign\w*|pressur\w*|watch\w*|formed|organi[sz]ed|vigils?|rall(?:y|ies))"),
    ],
    "Public Education": [
        (LABEL, r"\bpublic\s+education\b"),
        (EXPLICIT, r"\b(?:presentations?|assemblies|lessons|curricul\w+|workshops?)\s+(?:\w+\s+){0,3}?(?:about|on)\s+(?:\w+\s+){0,3}?"
                   r"(?:exploitation|prostitution|the sex trade|sex trafficking|buying sex|demand)\b"),
        (EXPLICIT, r"\bpublic\s+(?:awareness|education|information|service)\s+(?:campaigns?|announcements?|ads?|advertisements?|programs?|messages?|efforts?|videos?)\b"),
        (EXPLICIT, r"\bPSAs?\b"),
        (EXPLICIT, r"\b(?:awareness|education(?:al)?|deterrence|deterrent|anti-demand|prevention)\s+(?:campaigns?|ads?|billboards?|signs?|posters?|videos?)\b"),
        (EXPLICIT, r"\b(?:signs?|billboards?|posters?)\s+(?:\w+\s+){0,4}?(?:warning|urging|telling|reminding)\b"),
        (EXPLICIT, r"\bwarning\s+(?:signs?|billboards?|posters?)\b"),
        # billboards or ads that carry a message: "billboards along I-94 reading ...", "a campaign of radio ads and posters"
        (EXPLICIT, r"\b(?:billboards?|posters?|bus\s+ads?)\b[^.;]{0,80}?\b(?:reading|read|carrying|with the (?:message|slogan|words)|"
                   r"bearing|saying|that said|proclaiming)\b"),
        (EXPLICIT, r"\bcampaign\s+of\s+(?:[\w-]+\s+){0,3}?(?:ads|advertisements|posters|billboards|spots|announcements)\b|"
                   r"\b(?:ads|advertisements|posters)\s+(?:\w+\s+){0,2}?(?:on|in|inside)\s+(?:city\s+|public\s+)?(?:buses|bus shelters|"
                   r"trains|restrooms|truck stops)\b"),
        (EXPLICIT, r"\b(?:unit|units|lessons?|curricul\w+|classes|course)\s+(?:\w+\s+){0,3}?on\s+(?:sex\s+|human\s+)?trafficking\b|"
                   r"\b(?:unit|units|lessons?)\s+on\s+(?:sexual\s+)?exploitation\b"),
        # whatever the medium (flyers, radio spots, cards in guest rooms, a worker orientation): telling men that buying sex is a crime
        (EXPLICIT, r"\b(?:warn\w*|remind\w*|inform\w*|tell\w*|caution\w*|advis\w*)\s+(?:[\w-]+\s+){0,4}?(?:that\s+)?(?:paying for sex|buying sex|"
                   r"purchasing sex|soliciting|patronizing|solicitation|buying or selling sex)\b[^.;]{0,40}?\b(?:a crime|illegal|against the law|unlawful)\b|"
                   r"\burg\w*\s+(?:men|buyers|workers|visitors|drivers|customers)\s+not\s+to\s+(?:buy|pay for|purchase)\s+sex\b|"
                   r"\b(?:warning|information)\s+about\s+(?:[\w\s]{0,30}?\s+and\s+)?the\s+penalties\s+for\s+(?:buying|purchasing|paying for)\s+sex\b"),
    ],
    "Letters": [
        (LABEL, r"\bdear[- ]john\W{0,3}\s*letters?\b"),
        (EXPLICIT, r"\b(?:program|programme|campaign|initiative)\s+of\s+(?:\w+\s+){0,2}?letters?\s+to\b"),
        (EXPLICIT, r"\b(?:dear[- ]john\s+|warning\s+)?letters?\s+(?:program|programme|campaign|initiative)\b"),
        (EXPLICIT, r"\b(?:letters?|postcards?)\s+to\s+(?:the\s+)?(?:[\w'\u2019]+\s+){0,2}?(?:(?:car|vehicle|registered)\s+owners?|homes?|households?|"
                   r"wives|famil(?:y|ies)|spouses|johns|buyers|(?:suspected\s+)?customers)\b"),
        (EXPLICIT, r"\b(?:receiv\w*|gets?|got|sent|sends|mail\w*)\s+(?:[\w']+\s+){0,5}?an?\s+(?:warning\s+)?letter\b(?!\s+of\s+(?:support|intent|recommendation))"),
        (EXPLICIT, r"\b(?:mail\w*|sen[dt]\w*)\s+(?:[\w'\u201c\u201d]+\s+){0,3}?(?:warnings?|notices?|notifications?)\s+(?:\w+\s+){0,3}?to\s+(?:the\s+|each\s+)?"
                   r"(?:[\w']+\s+){0,3}?(?:homes?|owners?|residences?|famil\w+|wives|spouses|households?|addresses)\b"),
        (EXPLICIT, r"\b(?:letters?|postcards?|notices?)\s+(?:\w+\s+){0,6}?(?:sent|mailed)\s+(?:\w+\s+){0,2}?to\s+(?:the\s+)?(?:\w+\s+){0,3}?"
                   r"(?:homes?|owners?|residences?|famil\w+|wives|spouses|addresses|households?)\b"),
        (EXPLICIT, r"\bwrit\w*\s+(?:\w+\s+){0,2}?letters?\s+to\s+(?:the\s+)?(?:[\w']+\s+){0,3}?(?:homes?|wives|famil\w+|spouses|mothers|"
                   r"employers|households?)\b"),
        (EXPLICIT, r"\b(?:sent|mailed|send|mail|sending|mailing|sends|mails)\s+(?:\w+\s+){0,3}?(?:letters?|postcards?)\b"),
        (EXPLICIT, r"\b(?:mail\w*|sent|send\w*)\s+(?:[\w']+\s+){0,6}?to\s+(?:the\s+)?(?:[\w']+\s+){0,2}?(?:homes|home addresses|residences|wives|families|spouses)\b"),
    ],
    "Cameras": [
        (LABEL, r"\b(?:surveillance|security|video|pole|police|crime|closed[- ]circuit(?:\s+(?:television|tv))?)[- ]cameras?\b"),
        (EXPLICIT, r"\b(?:hung|hang\w*|attach\w*|fix\w*|bolt\w*)\s+(?:[\w-]+\s+){0,4}?cameras?\s+(?:on|to|from|at)\b"),
        (EXPLICIT, r"\bcameras?\b\s+(?:\w+\s+){0,4}?(?:installed|mounted|placed|put up|erected|deployed|set up|added|used)\b"),
        (EXPLICIT, r"\b(?:install\w*|mount\w*|deploy\w*|put up|erect\w*|add\w*|set up|us(?:e|ed|es|ing)|utiliz\w*|employ\w*)\s+(?:\w+\s+){0,4}?cameras?\b"),
        (EXPLICIT, r"\bCCTV\b"), (EXPLICIT, r"\bvideo\s+surveillance\b"),
        (EXPLICIT, r"\bvideo\s+(?:monitoring|recording)\s+(?:equipment|systems?|devices?|units?)\b"),
        (EXPLICIT, r"\b(?:recorded|filmed|captured)\s+(?:\w+\s+){0,3}?on\s+(?:video|camera|tape)\b"),
        (EXPLICIT, r"\b(?:police|officers|detectives|deputies|investigators|they|team|department)\b[^.;]{0,40}\bvideotap\w+\b"),
    ],
    "IT Based Tactics": [
        (LABEL, r"\bIT[- ]based tactics?\b"),
        (EXPLICIT, r"\bchat\s?bots?\b"),
        (EXPLICIT, r"\bautomated\s+(?:chat|text\w*|messag\w*|respon\w*)\s*(?:programs?|systems?|tools?|software|services?)?\b"),
        (EXPLICIT, r"\b(?:warning|deterrence|deterrent|automated)\s+(?:text\s+)?(?:messages?|texts?|pop-?ups?)\b"),
        (EXPLICIT, r"\btext\s+messages?\s+(?:\w+\s+){0,3}?warn\w*|\b(?:send\w*|sent)\s+(?:[\w-]+\s+){0,2}?text\s+messages?\b[^.;]{0,80}?\bwarn\w*"),
        # men who answer or text an ad are answered with a warning, not met: no sting
        (EXPLICIT, r"\b(?:answer\w*|repl(?:y|ies|ied|ying)\s+to|respond\w*\s+to)\s+(?:[\w'-]+\s+){0,10}?(?:with|by sending)\s+(?:an?\s+)?"
                   r"(?:automated\s+|recorded\s+)?(?:warnings?|deterrence messages?)\b"),
        # "launched a 'bot' called Project Intercept", "bots posing as sellers": software, not officers
        (EXPLICIT, r"\b(?:launch\w*|deploy\w*|creat\w*|develop\w*|us(?:e|ed|es|ing))\s+(?:a\s+|an\s+|the\s+)?\W{0,2}(?:chat\s?)?bots?\b"),
        (EXPLICIT, r"\bbots?\b[^.;]{0,40}?\bpos(?:ing|ed|e|es)\s+as\b"),
    ],
}
_CASE_SENSITIVE = ("\\bSOAP\\b", "\\bFOPP\\b", "\\bCCTV\\b", "\\bPSAs?\\b", "\\bIT[- ]based")
_COMPILED: dict[str, list[tuple[str, re.Pattern[str]]]] = {
    t: [(k, re.compile(p, 0 if p.startswith(_CASE_SENSITIVE) else F)) for k, p in ps] for t, ps in PATTERNS.items()}

# cheap keyword screens: a tactic's patterns run only when one of its stems is present
QUICK = {t: re.compile(k, F) for t, k in {
    "Reverse Stings": r"sting|decoy|revers|street|pos|policewom|dress|acting|acted|play|pretend|masquerad|sweep|undercover|detail|crackdown|operation|solicit|proposition|approach|offer",
    "Web Stings": r"web|online|on-line|internet|cyber|computer|decoy|\bads?\b|advert|listing|posting|profile|personal|notice|answer|respond|repl|arrange|contact|communicat|negotiat",
    "Buyer Arrests": r"raid|customer|client|patron|john|buyer|arrest|charg|cited|guilty",
    "John School": r"school|offender|fopp|diversion|educat|class|program|course|seminar",
    "Identity Disclosure": r"name|identit|photo|mug|booking|picture|face|address|sham|publicly|image|identif|detail|information",
    "Auto Seizure": r"vehicle|\bcars?\b|auto|truck|impound|seiz|forfeit|\btow|confiscat",
    "License Suspension": r"licen|privilege",
    "Community Service": r"community|hours",
    "Employment Loss": r"resign|stepped down|fired|dismissed|terminated|let go|leave|lost|losing|without|employment|suspended from",
    "SOAP Orders": r"soap|stay|\bban|\bbar|banish|prohibit|exclud|zone|exclusion|restrict",
    "Neighborhood Action": r"neighbo|citizen|communit|resident|civilian|homeowner|activist|business|plate|flashlight|shame the|civic|block|tenant|church|congregation|parishioner|volunteer",
    "Public Education": r"public|psa|campaign|sign|billboard|poster|warning|presentation|assembl|lesson|curricul|workshop|unit|class|course|ads|advertis|warn|remind|inform|tell|caution|advis|urg|penalt",
    "Letters": r"letter|mail|sent|send|postcard",
    "Cameras": r"camera|cctv|surveillance|video|film|captur|record",
    "IT Based Tactics": r"chat|warning|deterren|automated|text|\bit\b|bot",
}.items()}

def _split_quick(pattern: str) -> tuple[tuple[str, ...], re.Pattern[str] | None]:
    """A key-word alternation as plain substrings (tested with `in`, much faster than a regex
    search) plus a regex for the alternatives that need one (word boundaries)."""
    plain, rest = [], []
    for alt in pattern.split("|"):
        (plain if re.fullmatch(r"[a-z -]+", alt) else rest).append(alt)
    return tuple(plain), (re.compile("|".join(rest), F) if rest else None)


_QUICK_SPLIT = {t: _split_quick(rx.pattern) for t, rx in QUICK.items()}

# --- whose act: cues over a sentence ----------------------------------------------------------

WEB_WORD = re.compile(
    r"\b(?:online|on-line|internet|craigslist|backpage|websites?|web sites?|web-based|the web|escort (?:sites?|ads?|section)|"
    r"social media|facebook|instagram|snapchat|twitter|whatsapp|kik|grindr|tinder|apps?|chat\w*|e-?mails?|cyber\w*|"
    r"skipthegames|megapersonals|bedpage|listcrawler|dating (?:site|app)s?|craigs list|"
    r"classifieds?|decoy ads?|" + _ADS + r")\b", F)
# web words that say where names or photos were published, or what a trafficker posted: not contact
_PUBLISHED_WEB = re.compile(r"\b(?:publish\w*|releas\w*|display\w*|shar\w*|print\w*|disseminat\w*|created|post\w*|lists?|listed)\b[^.;]{0,60}$|"
                            r"\b(?:names?|identit\w+|photos?|photographs?|mug\s?shots?|pictures?|faces?)\b[^.;]{0,60}$", F)
_NOT_CONTACT_AFTER = re.compile(r"^[^.;]{0,40}?\b(?:devoted to|to (?:publish|post|disseminat|display|shame|list))", F)
_THEIR_ADS = re.compile(r"\b(?:trafficker|pimp|suspect|defendant|woman|women|she|her|he|man|they|ring|enterprise|operator|owners?|"
                        r"conspirators?|group)s?\b[^.;]{0,50}?\b(?:posted|placed|ran|advertised|listed|used)\b[^.;]{0,40}?"
                        r"\b(?:ads?|advertisements?|listings?|websites?|backpage|craigslist)\b|"
                        r"\b(?:ads?|advertisements?|listings?)\s+(?:of|for|featuring|showing)\s+(?:her|them|the (?:girl|victim|woman|women))\b|"
                        r"\b(?:ads?|advertisements?)\s+(?:\w+\s+){0,3}(?:placed|posted)\s+by\s+(?:a|the)\s+(?:woman|women|suspect|trafficker|pimp)|"
                        r"\b(?:postings?|ads?|advertisements?|listings?)\s+(?:of|for)\s+(?:escort|sexual|massage|prostitution)\s+services?\b|"
                        r"\b(?:ads?|advertisements?|listings?|postings?)\s+(?:\w+\s+){0,2}?(?:offering|advertising|selling)\s+(?:\w+\s+)?(?:sexual|sex|escort|massage)\b|"
                        r"\b(?:complain\w*|reports?|tips?)\b[^.;]{0,40}\babout\b[^.;]{0,30}\b(?:postings?|ads?|advertisements?)\b", F)
STREET = re.compile(r"\bstreet\b|\bstreets\b|\bcorners?\b|\bmotorists?\b|\bstrolls?\b|\btruck stops?\b|\brest (?:areas?|stops?)\b|"
                    r"\b(?:avenue|boulevard|blvd|roadways?|sidewalks?|thoroughfares?)\b|\bfrom (?:a|his|their) (?:vehicles?|cars?|trucks?)\b", F)
BUYER_TARGET = re.compile(
    r"\b(?:johns?|sex[- ]buyers?|buyers?|customers?|clients?|patrons?|solicit\w*|patroniz\w*|demand|would-be|purchasers?|"
    r"(?:buy|buying|bought|purchas\w*|pay|paying|paid|seeking|seek|looking)\s+(?:\w+\s+){0,3}?(?:for\s+)?(?:sex|sexual|prostitut\w*|money for sex)|"
    r"offer\w*\s+(?:\w+\s+){0,2}?(?:money|cash|\$\s?\d+|to pay)|"
    r"(?:men|man|males?)\s+(?:who\s+(?:\w+\s+)?(?:tried|attempted|sought|offered|paid|wanted|agreed|solicited|responded|arrived|showed|"
    r"arranged|contacted|approached|propositioned|answered|travel+ed)|seeking|looking|attempting|trying|offering|responding|responded|"
    r"arriv\w+|showed up)|trick|"
    # "six men faced prostitution charges", "10 men ... were arrested on prostitution charges"
    r"(?:men|man|males?),?\s+(?:[\w,]+\s+){0,8}?(?:on|with|faced|facing|face)\s+(?:\w+\s+){0,2}?(?:prostitution|solicitation|"
    r"soliciting|patronizing)(?:-related)?\s+charges?)\b", F)
# men arrested: buyers, unless the story is a trafficking or pimping case
MEN_ARRESTED = re.compile(
    r"\b(?:arrests? of (?:\w+\s+){0,2}(?:men|males)|(?:men|males)\s+(?:were|was)\s+(?:\w+\s+)?(?:arrested|charged|cited|taken into custody|apprehended)|"
    r"(?:men|males)\s+(?:who were\s+)?(?:arrested|charged|convicted|caught)|"
    r"(?:men|males)\s+(?:who|that)\s+[^.;]{0,60}?\s+(?:were|was)\s+(?:\w+\s+)?(?:arrested|charged|cited|taken into custody)|"
    r"(?:did\s+arrest|arrested|arresting|charged|charging|cited|apprehended|nabbed|netted|netting|snared|booked)\s+(?:an?\s+)?(?:[\w-]+\s+){0,2}(?:men|males?|man))\b", F)
POSING_AS_BUYER = re.compile(r"\bpos(?:ing|ed|e|es)\s+as\s+(?:a\s+|an\s+)?(?:potential\s+|prospective\s+)?(?:sex\s+)?"
                             r"(?:buyers?|johns?|customers?|clients?|tricks?)\b|"
                             r"\bpos(?:ing|ed|e|es)\s+as\s+(?:a\s+)?(?:men|man|males?)\s+(?:looking|seeking|wanting|trying)\s+to\s+"
                             r"(?:buy|pay for|purchase)\s+sex\b", F)
SELLER_STING = POSING_AS_BUYER  # officers in the buyer's role: the sting is on sellers
TRAFFICKING = re.compile(r"\b(?:traffick\w*|pimp\w*|pander\w*|prostitution (?:ring|enterprise)|promoting prostitution|"
                         r"compelling prostitution|homicide|murder\w*|kill\w*|rap(?:e|ed|ing)|assault\w*|robber\w*|drugs?|narcotics?|"
                         r"(?:found|left) dead|death|dead body|bodies|stabb\w*|shot|strangl\w*|kidnap\w*)\b", F)
ADVOCACY = re.compile(r"\b(?:coalition|advocacy|advocates?|non-?profit|victims?|survivors?|rescue\w*|recover\w*|task force)\b", F)
BUSINESS_LICENCE = re.compile(r"\b(?:business|massage|liquor|spa|parlou?r|establishment|motel|hotel|operating|professional|nursing|medical|"
                              r"therapist|contractor|bar|club)\w*['\u2019]?\s+(?:\w+\s+){0,2}licen[cs]es?\b|\blicen[cs]es?\s+(?:of|for)\s+(?:the\s+)?"
                              r"(?:\w+\s+){0,2}(?:business|massage|parlou?rs?|spas?|establishments?|properties|motels?|hotels?)\b|"
                              r"\b(?:revoked|suspended)\s+(?:all\s+)?(?!the driver|driver)(?:\w+\s+){0,2}licen[cs]es\b|\bdriving\s+(?:on|with|while)\s+(?:a\s+)?"
                              r"(?:suspended|revoked)\b|\b(?:suspended|revoked)\s+(?:driver'?s'?\s+)?licen[cs]e\b[^.;]{0,30}\b(?:charg|arrest|cited)", F)
OTHERS_PROPERTY = re.compile(r"\b(?:seiz\w*|confiscat\w*|forfeit\w*|recover\w*|found|took)\b[^.;]{0,80}?\bfrom\s+(?:the\s+)?(?:\w+\s+){0,2}?"
                             r"(?:traffickers?|pimps?|suspects?|brothels?|operators?|dealers?|owners?|ring|enterprise|business\w*|"
                             r"propert\w+|residences?|homes?|spas?|parlou?rs?)\b|\b(?:cash|money|drugs|firearms?|guns?|weapons?|evidence|"
                             r"jewelry)\b[^.;]{0,40}\b(?:and|,)\s+(?:\w+\s+){0,2}(?:vehicles?|cars?)\b", F)
CAMERA_EVIDENCE = re.compile(r"\b(?:found|seized|recovered|discovered|confiscated|hidden)\s+(?:\w+\s+){0,4}cameras?\b|"
                             r"\bfootage\s+from\b|\b(?:motel|hotel|store|business|shop|station|bank|restaurant)'?s?\s+"
                             r"(?:own\s+)?(?:security|surveillance)?\s*cameras?\b|"
                             r"\bcameras?\s+(?:was|were)\s+(?:found|seized|recovered|discovered)\b|\b(?:suspect|trafficker|pimp|he|she)\b"
                             r"[^.;]{0,40}\b(?:installed|used|set up)\b[^.;]{0,30}\bcameras?\b", F)

STREET_AND_WEB = re.compile(r"\b(?:pos\w*\s+as|decoys?)\b[^.;]{0,60}?\b(?:and|as well as)\s+(?:also\s+)?(?:as|in|through|via|on)\b"
                            r"[^.;]{0,40}?\b(?:online|internet|ads?|web|websites?)\b|\bstreet[- ](?:level\s+)?(?:and|&)\s+"
                            r"(?:web|online|internet)[- ]?(?:based\s+)?(?:reverse\s+)?stings?\b", F)
BOT = re.compile(r"\b(?:chat\s?bots?|bots?|automated (?:text )?messages?|artificial intelligence)\b|"
                 r"\b(?:send\w*|sent)\s+(?:[\w-]+\s+){0,2}?text\s+messages?\b[^.;]{0,80}?\bwarn\w*", F)
STUDIED = re.compile(r"\b(?:tracked|examined|analy[sz]ed|studied|counted|reviewed|surveyed|identified)\s+(?:in|by|for)\s+(?:a|the|an)\s+"
                     r"(?:\w+\s+){0,3}?(?:study|studies|research|report|survey|analysis|project)\b|\b(?:a|the)\s+(?:\d{4}\s+)?"
                     r"(?:study|studies|research report|survey|poll)\b[^.;]{0,60}\b(?:found|tracked|showed|examined)\b", F)
NON_STING_METHOD = re.compile(r"\b(?:investigat\w+|raid\w*|complain\w*|tips?|warrants?|patrol\w*|traffic stop|came upon|"
                              r"found|discovered|reported|ring|brothel|massage|spa|parlou?r|task force|probe|surveillance|"
                              r"informant|phone|texts?|messages?|case|court|trial|pled|pleaded|guilty|indict\w*)\b", F)
RESIDENT_COMPLAINTS = re.compile(r"\bcomplain\w*\s+(?:of|from|by)\s+(?:the\s+)?(?:\w+\s+){0,2}(?:residents|neighbou?rs|citizens|"
                                 r"business(?:es| owners)?|community)\b", F)
POSING_AS_MINOR = re.compile(r"\b(?:officer|detective|deputy|agent|decoy)\s+(?:\w+\s+){0,3}?(?:believed|thought)\s+(?:was|to be)\s+"
                             r"(?:a\s+)?(?:\d+|minor|child|teen\w*|underage|fourteen|thirteen|fifteen|sixteen)\b|"
                             r"\b(?:pos\w+|acting|pretend\w*)\s+(?:online\s+)?(?:to\s+be\s+|as\s+)(?:an?\s+|the\s+)?(?:\d+[- ](?:yr|year)s?[- ]old|"
                             r"minors?|child(?:ren)?|teen\w*|juveniles?|underage|young (?:girls?|boys?|teens?)|"
                             r"(?:parents?|mother|father)\s+of)", F)
MESSAGING = re.compile(r"\b(?:text\w*|messag\w*|correspond\w*|chat\w*|e-?mail\w*|online|internet|apps?|social media)\b", F)
TRAFFICKING_OP = re.compile(r"\b(?:sex|human|child)[- ]trafficking\s+(?:(?!sting)[\w-]+\s+){0,2}?(?:operations?|investigations?|"
                            r"initiatives?|busts?)\b", F)
AIMED_AT_BUYERS = re.compile(r"\b(?:target\w*|focus\w*\s+on|aimed\s+at|directed\s+at|to\s+(?:catch|arrest|apprehend))\s+"
                             r"(?:\w+\s+){0,2}?(?:sex buyers|johns|buyers|men\s+(?:seeking|looking|attempting|trying)\s+to\s+(?:buy|purchase))\b", F)
ARRESTED = re.compile(r"\b(?:arrest\w*|charged|cited|apprehended|taken into custody|nabbed|netted|intercepted|detained|booked)\b", F)
SELLER_NAMES = re.compile(r"\b(?:names?|identit(?:y|ies)|photos?|mug\s?shots?)\s+of\s+(?:the\s+)?(?:\w+\s+){0,2}"
                          r"(?:women|prostitut\w+|pimps?|traffickers?|victims?|sellers?|girls?)\b", F)


@dataclass
class Cues:
    web: bool = False         # contact with buyers online (decoy ads, websites, apps)
    street: bool = False      # contact on the street (corners, motorists, strolls)
    strong_buyers: bool = False  # buyers are named as the target (johns, solicitation, men paying for sex)
    men_arrested: bool = False   # men were arrested: buyers, unless the story is a trafficking case
    seller_sting: bool = False  # officers posing as buyers, answering sellers' ads
    trafficking: bool = False
    advocacy: bool = False
    business_licence: bool = False
    others_property: bool = False
    camera_evidence: bool = False
    seller_names: bool = False
    street_and_web: bool = False  # "posed as prostitutes and as women advertising online": both kinds
    arrests: bool = False         # someone was arrested, charged or cited
    resident_complaints: bool = False  # "prompted by the complaints of residents"
    method: bool = False          # buyers found by other means than a decoy: investigation, raid, complaint, warrant
    no_sting_context: bool = False  # set by the event reader: no sting in the event nor in what it belongs to
    bot: bool = False             # a chatbot or automated messages do the contact
    studied: bool = False         # the sentence tells what a study tracked or found, not what was done
    aimed_at_buyers: bool = False  # the action is said to target buyers ("focusing on sex buyers using websites")
    minor_decoy: bool = False     # an officer posed as a child (or a child's parent): a sting on buyers of minors
    trafficking_op: bool = False  # the action is called a trafficking operation or investigation: no decoy told
    police: bool = False          # law enforcement acts in it (not only a trafficker, his ads and their customers)

    @property
    def buyers(self) -> bool:
        return self.strong_buyers or (self.men_arrested and not self.trafficking)

    def merge(self, other: "Cues") -> "Cues":
        return Cues(*(a or b for a, b in zip(self.__dict__.values(), other.__dict__.values())))


def web_contact(s: str) -> bool:
    """Online contact with buyers, not publication of names online or a trafficker's ads."""
    if _THEIR_ADS.search(s) and not re.search(r"\bdecoy|\b(?:police|officers?|detectives?|deputies|undercover|law enforcement)\b"
                                             r"[^.;]{0,40}\b(?:posted|placed)\b", s, F):
        return False
    for m in WEB_WORD.finditer(s):
        if re.search(r"\b(?:newspaper|print|magazine|classified)\s+(?:\w+\s+)?$", s[max(0, m.start() - 30):m.start()], F):
            continue  # "a newspaper ad" is no online contact
        if re.fullmatch(_ADS, m.group(0), F) and re.search(r"\b(?:the|that|this|his|her|its|such)\s+$", s[max(0, m.start() - 6):m.start()], F):
            continue  # "answered the advertisement": where it ran is told where it was first named
        if _PUBLISHED_WEB.search(s[max(0, m.start() - 60):m.start()]) and not re.search(r"\bdecoy\b", s[max(0, m.start() - 60):m.end()], F):
            continue
        if _NOT_CONTACT_AFTER.search(s[m.end():m.end() + 60]):
            continue
        return True
    return False


# "No customers were charged", "no arrests were made": no buyer was arrested
NO_ARRESTS = re.compile(r"\bno\s+(?:one|customers|buyers|johns|clients|patrons|men|arrests)\b[^.;]{0,30}?\b(?:arrested|charged|cited|made)\b|"
                        r"\b(?:do|does|did|would|will)\s+not\s+(?:lead|result)\s+(?:to|in)\s+(?:any\s+)?arrests?\b|"
                        r"\b(?:rather|instead)\s+than\s+(?:try(?:ing)?\s+to\s+)?arrest\w*\b|"
                        r"\bno\s+arrests\b|\bwithout\s+(?:any\s+)?arrests?\b|\bnone\s+(?:of\s+(?:them|the\s+\w+)\s+)?(?:was|were)\s+"
                        r"(?:\w+\s+)?(?:arrested|charged|cited)\b", F)
POLICE_ACT = re.compile(r"\b(?:police|officers?|detectives?|deputies|deputy|agents?|troopers?|undercover|decoys?|investigators?|"
                        r"sheriff|department|task force|vice|(?-i:[A-Z]{2,6}))\b", F)


def cues(s: str) -> Cues:
    trafficking = bool(TRAFFICKING.search(s))
    s_all = s
    low = s.lower()
    s = NO_ARRESTS.sub(" ", s) if ("no" in low or "without" in low or " than " in low) else s
    unposed = POSING_AS_BUYER.sub(" ", s)  # "a decoy posing as a sex buyer" is no buyer
    minor_decoy = bool(POSING_AS_MINOR.search(s))  # "a detective posing as a 14-year-old": its target, a buyer of a child
    strong = bool(BUYER_TARGET.search(unposed)) or minor_decoy
    men = bool(MEN_ARRESTED.search(unposed))
    return Cues(web=web_contact(s) or (minor_decoy and bool(MESSAGING.search(s))), street=bool(STREET.search(s)), strong_buyers=strong, men_arrested=men,
                seller_sting=bool(SELLER_STING.search(s)), trafficking=trafficking,
                advocacy=bool(ADVOCACY.search(s)), business_licence=bool(BUSINESS_LICENCE.search(s)),
                others_property=bool(OTHERS_PROPERTY.search(s)), camera_evidence=bool(CAMERA_EVIDENCE.search(s)),
                seller_names=bool(SELLER_NAMES.search(s)), street_and_web=bool(STREET_AND_WEB.search(s)),
                arrests=bool(ARRESTED.search(s)), resident_complaints=bool(RESIDENT_COMPLAINTS.search(s)),
                method=bool(NON_STING_METHOD.search(s)), bot=bool(BOT.search(s)), studied=bool(STUDIED.search(s)),
                aimed_at_buyers=bool(AIMED_AT_BUYERS.search(unposed)), minor_decoy=minor_decoy,
                trafficking_op=bool(TRAFFICKING_OP.search(s)), police=bool(POLICE_ACT.search(s_all)))


# --- whether it was done --------------------------------------------------------------------

CLAUSE_BREAK = re.compile(
    r";|:|\((?!\s*(?:i\.e\.|e\.g\.|such as|that is|namely))|\)|\s[\u2013\u2014-]\s|\bbut\b|,\s*(?:and|while|although|though|whereas|yet|so|because|since|after|before|when|whose)\b|"
    r"\bwhile\b|\bwhereas\b|\balthough\b|\bthough\b", F)
NEG_BEFORE = re.compile(
    r"\b(?:withh[eo]ld\w*|not|never|no longer|neither|nor|cannot|considering|considered|consider|considers|propos\w+|"
    r"would have|would ask|voted (?:down|against)|tabled|vetoed|defeated|drafted|draft|promis\w+ to|pledg\w+ to|vow\w* to|"
    r"plans?\s+for|press(?:ed|es|ing)?\s+for|"
    r"too\s+(?:small|few|short[- ]staffed|understaffed|stretched|busy)\s+(?:for|to)|"
    r"debat\w+|discuss\w+|rejected|declined to|stopped|discontinu\w+|abandon\w+|ceased|halted|"
    r"plans? to|planning\s+(?:to|a|an|for|the)\b|planned to|hopes? to|hoped to|hoping to|would like to|similar to|wants? to|wanted to|explor\w+|studying|studied|weighing|"
    r"looking into|looking at|yet to|without|instead of|rather than|refused to|refuses to|opposed|oppose|"
    r"no plans?|unable to|failed to|lack of|lacks|lack(?:ed|ing)?\s+(?:the\s+)?(?:staff|resources|funding|money|officers|personnel|manpower)\s+to|"
    r"no\s+(?:public\s+|official\s+|published\s+|known\s+)?(?:information|record|records|data|reports?)\s+(?:\w+\s+){0,2}?(?:about|on|of)|unlike|call(?:ed|s|ing)? for|urg(?:ed|es|ing)|suggest\w*|"
    r"recommend\w*|idea of|may soon|could soon|pending approval of|assess\w*|evaluat\w*|feasibility|investigate whether|"
    r"visited|visiting|toured|touring|observed|observing|learned about|modeled (?:on|after)|patterned (?:on|after)|"
    r"whether|(?:unclear|unknown|uncertain|not (?:clear|known)|decid\w+|consider\w*|ask\w*|see)\s+(?:\w+\s+){0,2}?if|push(?:ed|ing)? for|advocat\w* for|lobb\w* for|sought to|seeking to|efforts? to (?:launch|establish|start|create|implement|adopt)|"
    r"attempt(?:ed|s|ing)? to (?:launch|establish|start|create|implement|adopt)|tr(?:y|ied|ying) to (?:launch|establish|start|create|implement|adopt)|"
    r"no reports? of|no (?:evidence|record|indication) (?:of|that)|unclear|not clear|unknown whether|"
    r"could face|may face|would face|faces? up to|could be|would be|prohibits?|outlaw\w*)\b|n't\b", F)
# Cues that the page does not know, as against that it was not done: absent evidence is not absence.
UNKNOWN_BEFORE = re.compile(
    r"\b(?:declin\w*|refus\w*|would not|wouldn't|did not|didn't|could not|couldn't|will not|won't)\s+(?:to\s+)?"
    r"(?:say|confirm|disclose|comment|specify|answer|reveal|indicate|state|know)\b|"
    r"\b(?:unclear|unknown|uncertain|not (?:clear|known|certain)|no one knows|"
    r"could not be (?:determined|confirmed|verified|established)|"
    r"no\s+(?:public\s+|published\s+)?(?:information|records?|data|evidence|indication|mention)\b)", F)
UNKNOWN_AFTER = re.compile(
    r"^[^.;]{0,60}?\b(?:(?:is|was|are|were|remains?)\s+(?:not\s+(?:known|clear|certain)|unclear|unknown|uncertain)|"
    r"could not be (?:determined|confirmed|verified|established)|(?:was|were)\s+not\s+(?:found|located))\b", F)
# what other offences and causes a sentence may be about, and the words that tie it to the sex trade
OTHER_TOPIC = re.compile(
    r"\b(?:litter\w*|trash|garbage|graffiti|vandal\w*|spray-?paint\w*|community gardens?|opioids?|fentanyl|heroin|"
    r"overdos\w*|drug\s+(?:use|abuse|dealing|dealers?|sales?|addiction|education|prevention)|drunk[- ]driv\w*|DUI|DWI|"
    r"impaired driving|speed(?:ing)?\s+(?:cameras?|traps?|limits?|enforcement)|speeders|red[- ]light cameras?|"
    r"traffic\s+(?:cameras?|lights?|signals?|safety|violations?|tickets?|enforcement|accidents?|crash\w*|calming)|"
    r"alcohol|liquor|beer|tobacco|cigarettes?|vap(?:e|es|ing)|shoplift\w*|stolen (?:goods|property|copper)|stealing|"
    r"burglar\w*|embezzl\w*|gun violence|panhandl\w*|fireworks)\b", F)
SEX_TOPIC = re.compile(
    r"\b(?:prostitut\w*|sex|sexual\w*|johns?|(?:sex\s+)?buyers?|solicit\w*|patroni[sz]\w*|escorts?|brothels?|massage|"
    r"traffick\w*|hookers?|streetwalk\w*|strolls?|cruis\w*|red[- ]light district|commercial sex|pimps?|tricks|"
    r"demand|vice)\b", F)
CO_LETTERS = re.compile(r"\s*,?\s*(?:or|nor|and)\s+(?:warning\s+)?(letters|postcards)\b", F)
SLOGAN = re.compile(r"(?:^|\b(?:reading|read|saying|bearing|proclaiming|with the (?:message|slogan|words)|that said))\s*[:,]?\s*[\"'\u201c\u2018]"
                    r"[^\"\u201d]{0,160}[\"'\u201d\u2019]", F)
# "has routinely asked judges to order community service": a request made as a practice, so done
HABIT = re.compile(r"\b(?:routinely|regularly|usually|typically|always)\s+(?:asks?|asked|requests?|requested|urges?|urged)\b", F)
_REPLACE = r"(?:replaced|supplanted|phased out)"
REPLACED_BARE = re.compile(r"\b" + _REPLACE + r"\s+(?:the|its|their)\s+(letters|postcards|stings|cameras)\b", F)
REPLACED = re.compile(r"\b" + _REPLACE + r"\s+(?:the|its|their)\s+(?:(?!with\b|by\b)[\w-]+\s+){0,2}$", F)
FOR_SELLERS = re.compile(r"\b(?:women|prostitutes|sex workers|sellers|girls)\b[^.;]{0,60}?\b(?:referred|sent|offered|ordered|directed|diverted)\s+"
                         r"(?:to|into)\s+(?:an?\s+|the\s+)?(?:[\w-]+\s+){0,3}(?:diversion|education|rehabilitation|intervention)?\s*"
                         r"(?:program|class|course|school)s?\b[^.;]{0,3}$", F)
CITING = re.compile(r"\bciting\b|\bbecause of\s+the\s+(?:cost|expense|risk|difficulty)\b", F)
INSIDE_NEG = re.compile(r"\b(?:not|never|neither|nor|no)\b", F)
NO_ADJ = re.compile(r"\bno\s+(?:\w+\s+){0,2}$", F)
NOT_ONLY = re.compile(r"\bnot (?:only|always|often|frequently)\b", F)
NEG_AFTER = re.compile(
    r"^[^.;]{0,50}?\b(?:(?:is|was|were|are|has|have|had|been)\s+(?:not|never|no longer|since been (?:discontinued|abandoned|dropped)|"
    r"discontinued|abandoned|dropped|rejected|proposed|considered|under consideration|being considered|"
    r"withheld|stopped|shelved|scrapped|ended|halted|tabled|voted down|vetoed|defeated|withdrawn|cancel+ed|called off|postponed)|withheld|"
    r"never (?:materiali[sz]ed|implemented|happened|began|started)|"
    r"fell through|did not|didn't|was shelved|remains? (?:a )?proposal|under consideration|would be a good fit)\b", F)
NEG_AFTER_ANY = re.compile(NEG_AFTER.pattern.replace("^[^.;]{0,50}?", "", 1), F)
# "..., but it was never established", "whether the practice was ever put in place is not known"
NEVER_DONE = re.compile(r"\b(?:was|were|has|have|had)\s+(?:\w+\s+)?never\s+(?:been\s+)?(?:established|implemented|adopted|launched|"
                        r"created|started|used|enacted|funded|approved|materiali[sz]ed)\b|\bnever\s+(?:got|went)\s+off the ground\b|"
                        r"\bunclear (?:if|whether)\s+(?:this|the|that|it|they)\b[^.;]{0,40}\b(?:ever|was|were)\b|"
                        r"\bno reports? of\b|\b(?:declined|refused|failed)\s+to\s+do\s+so\b|\bno (?:such|comparable|similar)\s+(?:[\w-]+\s+)?(?:class|classes|program|programme|school|course|sting|stings|"
                        r"operations?|orders?|policy|practice|ordinance|law)(?:\s+(?:exists?|is|was|has|have|had)\b|\s*[.;,]|\s*$)|"
                        r"\bneither\s+(?:one\s+)?(?:is|was|has been|are|were)\s+(?:\w+\s+)?(?:available|used|in use|offered)\b|"
                        r"\b(?:never|not once)\s+(?:\w+\s+)?(?:done so|done that|used (?:it|them|that)|imposed|applied|enforced)\b|\bbut\s+(?:none|no\s+\w+)\s+(?:had|have|has|was|were)\s+(?:yet\s+|ever\s+)?(?:been\s+)?(?:reported|held|conducted|made|run|carried out)\b|\bnot (?:yet )?(?:been )?(?:implemented|adopted|established)\b", F)
# "A reverse sting planned for 2020 was called off": that one was not done
PLANNED_OFF = re.compile(r"\b(?:planned|scheduled)\b[^.;]{0,60}?,?\s+but\s+(?:[\w'\u2019]+\s+){0,3}?(?:postponed|cancel+ed|called off|scrapped|"
                         r"shelved)\b|"
                         r"\b(?:planned|scheduled|proposed|intended)\b[^.;]{0,60}?\b(?:was|were)\s+(?:\w+\s+)?(?:called off|"
                         r"cancel+ed|scrapped|postponed|scuttled)\b|\b(?:never|did not|didn't)\s+(?:actually\s+)?take\s+place\b", F)
STOP = re.compile(r"\b(?:(?:stopped|ended|halted|suspended)\s+(?:them|it|the\s+(?:stings|operations|program|practice))\b|ended\s+(?:its|the|their)\s+(?:[\w-]+\s+){0,3}?(?:program|programme|practice|policy|initiative)\b|no longer(?!\s+(?:work\w*|employed|lives?|lived|serv\w+|holds?\s+(?:his|her|the)|with\b|an?\b))|discontinu\w+|ceased|disbanded|dissolved|abandoned|halted|defunded|shut down|scrapped|"
                  r"(?:was|were|has been|have been|had been)\s+(?:\w+\s+)?(?:ended|stopped|terminated|eliminated|cancel+ed)|"
                  r"not (?:been )?(?:renewed|continued|revived)|ceased altogether|rescinded|repealed|struck down|overturned|"
                  r"(?:ended|stopped|ceased)\s+(?:with it|with them|as well|too)\b|"
                  r"\b(?:took|taken)\s+(?:the|its|their)\s+(?:page|site|website|list|gallery|post|posts)\s+down\b|"
                  r"the last (?:one|sting|operation|class|session)\s+(?:took place|was held|was run|was conducted|happened)|"
                  r"(?:,\s*)?but\s+(?:later\s+|then\s+)?(?:stopped|quit|gave up)\b(?!\s+\w+ing\b)|"
                  r"stopped (?:using|conducting|running|holding|offering|publishing|releasing|sending|doing)|"
                  r"not (?:been )?(?:\w+ )?(?:conducted|used|held|run|implemented|enforced|met) since)\b", F)
PRACTICE_STOPPED = re.compile(r"\b(?:the|this|that|these|those|its|their)\s+(?:practice|program|programme|tactic|policy|"
                              r"effort|initiative|approach|project|class|school|operations|stings|letters|orders|pilot|page|website|"
                              r"site|ordinance|zone|list)s?\b[^.;]{0,40}?"
                              r"\b(?:was|were|has been|had been)\s+(?:\w+\s+)?(?:discontinued|ended|stopped|abandoned|dropped|"
                              r"disbanded|dissolved|halted|terminated|scrapped|shut down|eliminated|taken down|rescinded|repealed|"
                              r"not (?:renewed|revived|resumed|continued))\b|"
                              r"\b(?:the\s+)?(?:department|police|city|county|sheriff'?s? office|it|they)\s+(?:later\s+)?(?:stopped|ended|halted|"
                              r"suspended|discontinued|dropped)\s+(?:them|it)\b", F)
# "the john school run by neighboring Fairhaven", "a web sting in nearby Elmwood": another place's
ELSEWHERE = re.compile(r"\s*,?\s+(?:(?:run|operated|held|offered|conducted|used|started)\s+by\s+(?:the\s+)?|in\s+(?:the\s+)?|"
                       r"(?:(?:is|are|was|were)\s+(?:both\s+|also\s+|only\s+)?(?:in use|used|run|offered|available|operated)\s+"
                       r"(?:only\s+)?(?:in|across|by)\s+(?:the\s+)?))(?:neighbou?ring|nearby|adjacent|county line|state line|city line)\b", F)
_OWN_DATE = re.compile(r"\b(?:since|in|from|beginning in|starting in)\s+(?:at least\s+|about\s+)?(?:19|20)\d\d\b[^.;]{0,12}\b(?:and|while|but|,)", F)
OUTSIDE = re.compile(r"\bbut\s+(?:none|not(?:\s+(?:one|any))?)\s+(?:of\s+them\s+)?(?:\w+\s+)?(?:inside|within|in)\s+(?:the\s+)?"
                     r"(?:city|town|village|borough|township|county)(?:'s)?(?:\s+limits)?\b", F)
ELSEWHERE_WHOSE = re.compile(r"\b(?:neighbou?ring|nearby|adjacent)\s+(?:[\w.'\u2019-]+\s+){0,4}?[\w.'\u2019-]+\s*,\s*(?:whose|where)\b", F)
RESUMED = re.compile(r"\b(?:resum\w+|restart\w*|reinstat\w+|revived|relaunch\w*|again)\b", F)
FUTURE_BEFORE = re.compile(
    r"\b(?:will|would\s+(?:soon|consider|explore)|(?:asked|urged|petitioned|requested)\s+(?:[\w-]+\s+){0,4}?(?:to|for)|aims? to|aiming to|aimed to|intends? to|intend(?:ed|ing) to|expects? to|is expected to|are expected to|"
    r"shall|going to|scheduled to|set to|future|upcoming|next)\b", F)


@dataclass
class Mention:
    tactic: str
    start: int
    end: int
    strength: str = EXPLICIT
    negated: bool = False
    future: bool = False
    stopped: bool = False
    referential: bool = False   # "the reverse sting", "these operations": points back, adds no tactic
    stopped_later: bool = False  # told as done, and later in the sentence as discontinued
    paired: bool = False         # a street sting told beside web stings, each with its own date
    off_topic: bool = False      # aimed at another offence ("a litter patrol", "an opioid education
                                 # campaign", "community service for graffiti"): no tactic against buyers
    unknown: bool = False        # not told as done because the page does not know ("declined to say
                                 # whether", "no record of"): not a claim, and not a denial either

    @property
    def positive(self) -> bool:
        """Told as done. A practice told as done and later stopped ("mailed letters from 2005 to
        2009; the practice was discontinued") was done: its operations stand, its claim is
        withdrawn; one told only as stopped ("no longer runs web stings") is not evidence of use."""
        return not (self.negated or self.future or (self.stopped and not self.stopped_later))

    def typed(self, s: str) -> bool:
        """Does the mention itself say street or web? ("reverse sting", "reversal", "sting" do not)"""
        if self.tactic not in STINGS:
            return True
        if self.strength in (GENERIC, WEAK):
            return False
        word = s[self.start:self.end].lower()
        return not re.fullmatch(r"(?:reverse[- ]?(?:prostitution[- ])?(?:stings?|sting operations?|operations?|stings? operations?)|reversals?)", word)


_SUBORDINATE_OPENER = re.compile(r"^(?:although|though|while|whereas|despite|even though|after|once|when|because)\b[^,;]*,", F)


def _unbracket(s: str) -> str:
    """The sentence with short asides in brackets blanked out (same length): "the Larkmoor Police
    Department (LPD) has ever mounted" is one clause, and the cue before it still holds."""
    return SHORT_ASIDE.sub(lambda m: " " * len(m.group(0)), s) if "(" in s else s


SHORT_ASIDE = re.compile(r"\([^()]{1,12}\)")


def _clause_start(s: str, pos: int) -> int:
    s = _unbracket(s)
    last = 0
    sub = _SUBORDINATE_OPENER.match(s)
    if sub and sub.end() <= pos:
        last = sub.end()  # "Although the program was not renewed, Seattle launched ...": a clause apart
    for m in CLAUSE_BREAK.finditer(s, 0, pos):
        if m.end() <= pos:
            last = max(last, m.end())
    return last


def _clause_end(s: str, pos: int) -> int:
    s = _unbracket(s)
    m = CLAUSE_BREAK.search(s, pos)
    end = m.start() if m else len(s)
    sub = _SUBORDINATE_OPENER.match(s)
    if sub and pos < sub.end() <= end:
        end = sub.end() - 1  # "Though some names were reported in press, most were not": the first clause ends at its comma
    return end


def mentions(sentence: str) -> list[Mention]:
    """Tactic mentions in one folded sentence, each marked negated, future or stopped."""
    s = sentence
    found: list[Mention] = []
    low = s.lower()
    for tactic, regs in _COMPILED.items():
        words, rx = _QUICK_SPLIT[tactic]
        if not any(w in low for w in words) and not (rx is not None and rx.search(s)):
            continue
        for strength, rx in regs:
            for m in rx.finditer(s):
                found.append(Mention(tactic, m.start(), m.end(), strength))
    # a wider or stronger match of one place wins ("web-based reverse sting" is not also a
    # reverse sting; "street-level reverse sting" is one mention)
    found.sort(key=lambda x: (x.start, -(x.end - x.start)))
    kept: list[Mention] = []
    rank = {LABEL: 0, EXPLICIT: 1, GENERIC: 2, WEAK: 3}
    for mn in found:
        clash = [k for k in kept if mn.start < k.end and k.start < mn.end]
        if not clash:
            kept.append(mn)
            continue
        if mn.tactic in ("Reverse Stings", "Web Stings") and any(k.tactic in ("Reverse Stings", "Web Stings") for k in clash):
            k = next(k for k in clash if k.tactic in ("Reverse Stings", "Web Stings"))
            if k.tactic == "Reverse Stings" and mn.tactic == "Web Stings" and mn.strength == LABEL:
                kept[kept.index(k)] = mn  # "web-based reverse sting"
            elif k.tactic == mn.tactic and rank[mn.strength] < rank[k.strength]:
                kept[kept.index(k)] = mn
            elif k.tactic != mn.tactic and not (k.start <= mn.start and mn.end <= k.end):
                kept.append(mn)  # "undercover officers posted ads": the officers and the ads, both read
            continue
        if all(k.tactic != mn.tactic for k in clash):
            kept.append(mn)
        else:
            k = next(k for k in clash if k.tactic == mn.tactic)
            if rank[mn.strength] < rank[k.strength]:
                kept[kept.index(k)] = mn
    if not kept:
        return kept
    never = NEVER_DONE.search(s) or PLANNED_OFF.search(s)
    # "... a john school ..., but it was never established (although ...)": every mention of the
    # tactics named before the denial
    denied = {mn.tactic for mn in kept if never and mn.start < never.start()}
    # "the sheriff has run web stings of its own, but none inside the city limits": not this place's
    outside = OUTSIDE.search(s)
    if outside:
        for mn in kept:
            if mn.start < outside.start():
                mn.negated = mn.unknown = True
    # "... discontinued": the practice named before it, in the same sentence, was stopped
    later_stop = PRACTICE_STOPPED.search(s)
    # one scan each for the whole sentence: most sentences deny, stop and plan nothing
    any_stop = bool(STOP.search(PLANNED_OFF.sub(" ", s)))  # one planned sting called off stops no practice
    any_neg = bool(NEG_BEFORE.search(s) or NEG_AFTER_ANY.search(s) or re.search(r"\bno\b", s, F))
    # "by department policy every buyer's name will go to the papers": a standing rule, not a plan
    any_future = bool(FUTURE_BEFORE.search(s)) and not re.search(r"\b(?:as per|per|under|by)\s+(?:[\w'-]+\s+){0,3}?polic(?:y|ies)\b|\bpolicy\s+(?:is|was|has been)\s+(?:that|to)\b", s, F)
    whose = ELSEWHERE_WHOSE.search(s) is not None
    replaced = re.search(r"\b" + _REPLACE + r"\b", s, F) is not None
    for mn in kept:
        elsewhere = ELSEWHERE.match(s, mn.end) is not None
        if not (any_stop or later_stop or any_neg or any_future or denied or elsewhere or whose or replaced):
            continue
        cs = _clause_start(s, mn.start)
        # "a web sting in nearby Bradwell, whose police department published his name": that city's act
        if whose and not elsewhere:
            w = ELSEWHERE_WHOSE.search(s, max(0, cs - 120), cs)
            elsewhere = w is not None and w.end() == cs
        before = s[cs:mn.start]
        if len(before) > 90:
            before = before[-90:]
        before_n = NOT_ONLY.sub("", before)
        before_n = re.sub(r"\bat\s+(?:the\s+)?[\w'\u2019-]+(?:\s+[\w'\u2019-]+)?\s+urging\b", " ", before_n, flags=F)  # done, at their request
        # "If he was driving when he offered money, the car can be impounded": a condition that closes
        # before the mention sets when the tactic applies; it does not doubt it
        before_n = re.sub(r"^\s*(?:if|when|whenever|once)\b[^,;]*,", " ", before_n, flags=F)
        # "rather than try to arrest every respondent, police began sending ...": what was done instead
        before_n = re.sub(r"\b(?:rather than|instead of)\b[^,;]*,", " ", before_n, flags=F)
        after = SLOGAN.sub(" ", s[mn.end:_clause_end(s, mn.end)])  # "billboards reading 'Buying sex is not a sport'"
        inside = s[mn.start:mn.end]
        plain_before = before_n  # "No customers were charged": "no" right before the mention
        if len(inside) > 20 or INSIDE_NEG.search(inside):  # wide patterns ("names ... were released",
            before_n = before_n + " " + NOT_ONLY.sub("", inside)  # "used neither cameras") may hold the cue
        ahead = re.split(r";|\s-\s|\.\s", s[mn.end:mn.end + 120], 1)[0]
        ended_its = re.search(r"\bended\s+(?:its|the|their)\s+$", before_n, F) and \
            re.match(r"\s*(?:[\w-]+\s+){0,2}?(?:program|programme|practice|policy|initiative)\b", ahead, F)
        # "Police run reverse stings, but the john school was discontinued": the stop is the john school's
        other_after = re.search(r",?\s+(?:but|while|whereas|although|though)\s+(?:the|its|their|a|an)\s+(?:[\w'\u2019-]+\s+){0,3}?"
                                r"(?:was|were|has|have|had)\b", ahead, F)
        ahead_own = ahead[:other_after.start()] if other_after else ahead
        if any_stop and (STOP.search(before_n) or STOP.search(ahead_own) or ended_its) or \
                (later_stop and later_stop.start() > mn.end and not (other_after and later_stop.start() > mn.end + other_after.start())):
            if not RESUMED.search(s[max(0, mn.start - 100):min(len(s), mn.end + 100)]):
                mn.stopped = True
                # "ran from 2006 to 2008 but was abandoned": told as done, then stopped
                own_clause = re.split(r"\bbut\b|\buntil\b", ahead, maxsplit=1, flags=F)[0]
                mn.stopped_later = not (STOP.search(before_n) or STOP.search(own_clause))
                continue
        if REPLACED.search(plain_before):
            # "In 2015 the department replaced the letters with cameras": the letters were used, then stopped
            mn.stopped = mn.stopped_later = True
            continue
        if CITING.search(plain_before):
            # "..., citing the cost of training decoy officers": a reason given, not an act told
            mn.negated = mn.unknown = True
            continue
        cue = NEG_BEFORE.search(before_n)
        denial = cue or NO_ADJ.search(plain_before[-30:]) or NEG_AFTER.search(after) \
            or (mn.tactic in denied and mn.tactic not in ("Identity Disclosure",))
        if denial or elsewhere:
            mn.negated = True
            # another place's act says nothing of this place's; nor does what the page does not know
            mn.unknown = not denial or bool(UNKNOWN_BEFORE.search(before_n) or UNKNOWN_AFTER.search(after)
                                            or (mn.tactic in denied and never and re.match(r"unclear", never.group(0), F)
                                                and not cue))
        elif FUTURE_BEFORE.search(before_n) and not HABIT.search(before_n):
            mn.future = True
    # "reverse stings since at least 2008 and web stings since 2014": two kinds, each dated
    for a in kept:
        if a.tactic == "Reverse Stings" and a.strength == LABEL:
            for b in kept:
                if b.tactic == "Web Stings" and b.strength == LABEL and (
                        (b.start > a.end and _OWN_DATE.search(s, a.end, b.start)) or
                        (a.start > b.end and _OWN_DATE.search(s, b.end, a.start))):
                    a.paired = True
    # "The county has no john school, diversion program or other program aimed at men": the denial runs
    # through the list
    ordered = sorted(kept, key=lambda x: x.start)
    for a, b in zip(ordered, ordered[1:]):
        if a.negated and not a.unknown and not b.negated and not b.stopped \
                and re.fullmatch(r"\s*(?:,\s*(?:or\s+|nor\s+)?|\s+or\s+|\s+nor\s+)(?:[\w-]+\s+){0,2}", s[a.end:b.start], F) \
                and not re.match(r"\s*,\s*(?:and|but|while)\b", s[a.end:b.start], F):
            b.negated = True
    # "a john school and license suspensions are both in use across the county line": both elsewhere
    for a, b in zip(ordered[::-1][1:], ordered[::-1]):
        if b.negated and b.unknown and ELSEWHERE.match(s, b.end) and not a.negated \
                and re.fullmatch(r"\s*,?\s*(?:and|or)\s+(?:\w+\s+)?", s[a.end:b.start], F):
            a.negated = a.unknown = True
    # "replaced the letters with cameras": the letters told before were stopped
    for r in REPLACED_BARE.finditer(s):
        t = {"letters": "Letters", "postcards": "Letters", "stings": "Reverse Stings", "cameras": "Cameras"}[r.group(1).lower()]
        if not any(k.tactic == t and k.start <= r.start(1) < k.end for k in kept):
            kept.append(Mention(t, r.start(1), r.end(1), WEAK, stopped=True))
    # "neither cameras nor letters have been used": a bare "letters" joined to a denied tactic is
    # denied with it (alone, the word is too common to be read as the tactic)
    for mn in list(kept):
        if mn.negated and not mn.unknown and mn.tactic != "Letters":
            co = CO_LETTERS.match(s, mn.end) or CO_LETTERS.search(s[:mn.end], mn.start)
            if co and not any(k.tactic == "Letters" for k in kept):
                kept.append(Mention("Letters", co.start(1), co.end(1), WEAK, negated=True))
    # "three women were charged with prostitution and referred to a county diversion program": a
    # programme for the sellers, not a john school
    for mn in kept:
        if mn.tactic == "John School" and mn.strength != LABEL and FOR_SELLERS.search(s[max(0, mn.start - 90):mn.end]):
            mn.off_topic = True
    # a sentence about another offence that names no part of the sex trade: its patrols, campaigns,
    # cameras, decoys and sentences are aimed at that offence
    if not SEX_TOPIC.search(s):
        for other in OTHER_TOPIC.finditer(s):
            for mn in kept:
                if mn.tactic == "Community Service" and re.match(r"(?:litter|trash|garbage)", other.group(0), F):
                    continue  # "40 hours of community service, much of it picking up trash": the work itself
                if _clause_start(s, mn.start) <= other.start() < _clause_end(s, mn.end) or \
                        _clause_start(s, other.start()) <= mn.start < _clause_end(s, other.end()):
                    mn.off_topic = True
    for mn in kept:
        if mn.tactic in STINGS and not mn.typed(s) and REFERENCE.search(s[max(0, mn.start - 30):mn.start]):
            mn.referential = True
    kept.sort(key=lambda x: x.start)
    return kept


STINGS = ("Reverse Stings", "Web Stings")
REFERENCE = re.compile(r"\b(?:the|this|that|these|those|either|neither|each)\s+(?:(?:same|above|latter|former|recent|last|earlier|previous|prior|said|"
                       r"fourth|third|second|\w+-day|two|three|four|\d{4})\s+)?(?:prostitution\s+)?$", F)


def resolve(ms: list[Mention], c: Cues) -> list[str]:
    """The tactics that positive mentions evidence, given whose act the sentence (or event)
    describes. Order: as first mentioned."""
    out: list[str] = []

    def add(t: str) -> None:
        if t not in out:
            out.append(t)

    has_web_label = any(m.positive and m.tactic == "Web Stings" and (m.strength in (LABEL, EXPLICIT) or c.web)
                        for m in ms)
    for m in ms:
        if not m.positive or m.referential or m.off_topic or (c.studied and m.strength != LABEL):
            continue
        t = m.tactic
        if t == "Reverse Stings":
            if c.bot and not c.arrests and m.strength != LABEL:
                continue  # "bots posing as prostitutes": the IT-based tactic, not officers as decoys
            if m.strength == WEAK and not (c.buyers and (c.arrests or (c.aimed_at_buyers and (c.web or c.street)))
                                           and not c.seller_sting):
                continue  # "an operation" is a sting only where buyers are named, or met decoys on the street or online
            if m.strength in (GENERIC, WEAK) and not c.buyers:
                continue  # a sting not shown to target buyers (one aimed at sellers, or of no one told)
            if m.strength in (GENERIC, WEAK) and c.trafficking_op and not (c.street or c.web or c.minor_decoy):
                if c.arrests:
                    add("Buyer Arrests")  # "an undercover sex trafficking operation": buyers caught, no decoy told
                continue
            if c.seller_sting and m.strength != LABEL:
                if c.buyers and c.arrests:
                    add("Buyer Arrests")  # a sting on sellers that also caught a buyer: his arrest, not a reverse sting
                continue
            if c.web and not c.street and not c.street_and_web:
                t = "Web Stings"  # the contact was online: the site's "web-based reverse sting"
            elif has_web_label and m.strength != LABEL and not c.street:
                t = "Web Stings"
            elif has_web_label and m.strength == LABEL and not c.street and not _street_near(ms, m) and not _coordinated(ms, m):
                t = "Web Stings"  # "the web-based reverse sting ... the reverse sting netted ..."
        elif t == "Web Stings":
            if c.bot and not c.arrests:
                add("IT Based Tactics")  # ads answered or posted by a bot with a warning: not a sting
                continue
            if m.strength != LABEL and c.seller_sting:
                if c.buyers and c.arrests:
                    add("Buyer Arrests")
                continue
            if m.strength in (GENERIC, WEAK) and not (c.buyers and c.web):
                continue  # not shown to be online contact with buyers ("answered his newspaper ad")
            if m.strength != LABEL and c.trafficking and not c.police:
                continue  # "men had responded to the ads" of a trafficker: his customers, no sting
        elif t == "Buyer Arrests":
            if m.strength == GENERIC and not c.buyers:
                continue
            if not c.method and not c.no_sting_context:
                continue  # buyers arrested, how not told: the sting around them, or unknown; not this tactic
        elif t == "Auto Seizure":
            if c.others_property or (c.trafficking and not c.buyers):
                continue
        elif t == "License Suspension":
            if c.business_licence or (m.strength != LABEL and not c.buyers):
                continue
        elif t == "Cameras":
            if c.camera_evidence:
                continue
        elif t == "Neighborhood Action":
            if (c.advocacy or c.resident_complaints) and m.strength != LABEL:
                continue  # a coalition helping victims, residents who complained: not residents' action
        elif t == "Public Education":
            if m.strength != LABEL and (c.bot or any(x.tactic == "IT Based Tactics" and x.positive for x in ms)):
                continue  # a reply that tells a man who answered an ad that buying sex is a crime: IT Based Tactics
        elif t == "Employment Loss":
            if m.strength != LABEL and not c.buyers:
                continue  # someone resigned or was fired: a consequence for a buyer only
        elif t == "Identity Disclosure":
            if c.seller_names and not c.buyers:
                continue
        add(t)
    if c.street_and_web and "Web Stings" in out and "Reverse Stings" not in out:
        out.insert(out.index("Web Stings"), "Reverse Stings")  # decoys on the street and online
    if c.minor_decoy and c.web and "Buyer Arrests" in out:
        # "arrested after exchanging text messages with an undercover deputy he believed was 14"
        out.remove("Buyer Arrests")
        add("Web Stings")
    if ("Reverse Stings" in out or "Web Stings" in out) and "Buyer Arrests" in out and not c.method:
        out.remove("Buyer Arrests")  # buyers arrested in a sting: the sting is the tactic
    return out


def _coordinated(ms: list[Mention], m: Mention) -> bool:
    """"reverse stings and web stings", "web stings or reverse stings": the two named side by side."""
    return m.paired or any(x.tactic == "Web Stings" and x.strength == LABEL and (0 <= x.start - m.end <= 12 or 0 <= m.start - x.end <= 12)
                           for x in ms)


def _street_near(ms: list[Mention], m: Mention) -> bool:
    return any(x.tactic == "Reverse Stings" and x.strength == EXPLICIT and x.positive for x in ms)


__all__ = ["Mention", "Cues", "mentions", "cues", "resolve", "STINGS", "LABEL",
           "EXPLICIT", "GENERIC", "WEAK"]
