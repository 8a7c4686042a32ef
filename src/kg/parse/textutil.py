"""Small text helpers shared by the page readers: decoding, clean-up, sentences, numbers, states."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# --- decoding ---------------------------------------------------------------------------

MAX_BYTES = 4_000_000  # a profile page is a few kB; beyond this we read only the start


class Undecodable(Exception):
    """The bytes are not text a person could read (binary data)."""


def decode(data: bytes, warnings: list[str]) -> str:
    """Bytes to text: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252.

    Raises Undecodable when the bytes look binary.
    """
    if len(data) > MAX_BYTES:
        warnings.append(f"input is {len(data):,} bytes; only the first {MAX_BYTES:,} were read")
        data = data[:MAX_BYTES]
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return _check_text(data.decode("utf-16"))
        except UnicodeDecodeError:
            warnings.append("UTF-16 text with broken bytes; damaged characters replaced")
            return _check_text(data.decode("utf-16", errors="replace"))
    sample = data[:8192]
    if sample.count(b"\x00") > max(2, len(sample) // 100):
        # UTF-16 without BOM is all that legitimately has many NULs
        for enc in ("utf-16-le", "utf-16-be"):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError:
                continue
            if _printable_ratio(text[:4096]) > 0.95:
                warnings.append(f"decoded as {enc.upper()} (no byte-order mark)")
                return _check_text(text)
        raise Undecodable("binary data (NUL bytes), not a text or HTML page")
    ctrl = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13)) + sample.count(0x7f)
    if ctrl > max(3, len(sample) // 50):
        raise Undecodable("binary data (control bytes), not a text or HTML page")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        declared = _declared_charset(sample)
        text = None
        if declared and declared not in ("utf-8", "utf8"):
            try:
                text = data.decode(declared)
                warnings.append(f"decoded as {declared} (declared by the page)")
            except (LookupError, UnicodeDecodeError):
                text = None
        if text is None:
            bad = _count_utf8_errors(data)
            if bad <= max(3, len(data) // 2000):
                text = data.decode("utf-8", errors="replace")
                warnings.append(f"{bad} byte(s) not valid UTF-8 (first at byte {e.start}); replaced")
            else:
                text = data.decode("cp1252", errors="replace")
                warnings.append("not UTF-8; decoded as Windows-1252")
    return _check_text(text)


def _count_utf8_errors(data: bytes) -> int:
    return data.decode("utf-8", errors="replace").count("\ufffd")


def _declared_charset(sample: bytes) -> str | None:
    m = re.search(rb"""charset\s*=\s*["']?([A-Za-z0-9_\-]+)""", sample[:4096])
    return m.group(1).decode("ascii").lower() if m else None


_NONPRINT_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")


def _printable_ratio(text: str) -> float:
    if not text:
        return 1.0
    return 1 - len(_NONPRINT_RE.findall(text)) / len(text)


def _check_text(text: str) -> str:
    if _printable_ratio(text[:8192]) < 0.85:
        raise Undecodable("binary data (mostly control characters), not a text or HTML page")
    return text


# --- clean-up ---------------------------------------------------------------------------

_SPACE_RE = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff]+")
_CTRL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def clean_line(line: str) -> str:
    """One line with odd spaces collapsed and control characters dropped."""
    line = _CTRL_RE.sub("", line)
    return _SPACE_RE.sub(" ", line).strip()


def fold(s: str) -> str:
    """Straight quotes and dashes, for matching (not for quoting)."""
    return (s.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"')
            .replace("\u201d", '"').replace("\u2013", "-").replace("\u2014", "-")
            .replace("\u2010", "-").replace("\u2011", "-"))


def slugify(s: str) -> str:
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-")


# --- sentences --------------------------------------------------------------------------

_ABBREV = {
    "mr", "mrs", "ms", "dr", "st", "sgt", "lt", "capt", "det", "off", "ofc", "cpl", "gov", "sen",
    "rep", "jr", "sr", "inc", "co", "corp", "no", "vs", "etc", "ave", "blvd", "rd", "hwy", "mt",
    "ft", "jan", "feb", "mar", "apr", "aug", "sept", "sep", "oct", "nov", "dec", "dept", "u.s",
    "approx", "est", "e.g", "i.e", "p.m", "a.m", "cmdr", "supt", "atty", "hon", "rev", "prof",
}
_BOUNDARY_RE = re.compile(r"[.!?]+[\"'\u201d\u2019)\]]*\s+(?=[\"'\u201c\u2018(\[]?[A-Z0-9])")


def sentences(paragraph: str) -> list[str]:
    """Split a paragraph into sentences (abbreviations such as "Dept." and "U.S." kept)."""
    out, start = [], 0
    for m in _BOUNDARY_RE.finditer(paragraph):
        before = paragraph[start:m.start() + 1]
        word = re.search(r"(?<![A-Za-z0-9])([A-Za-z][A-Za-z.]*)\.$", before.rstrip("\"'\u201d\u2019)]"))
        if word:
            w = word.group(1).lower()
            if w in _ABBREV or len(w) == 1 or re.fullmatch(r"(?:[a-z]\.)+[a-z]", w):
                continue
        out.append(paragraph[start:m.end()].strip())
        start = m.end()
    rest = paragraph[start:].strip()
    if rest:
        out.append(rest)
    return out


# --- numbers ----------------------------------------------------------------------------

_UNITS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen".split())}
_TENS = {w: 10 * i for i, w in enumerate(
    "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()) if w != "_"}
NUMBER_WORDS = sorted(list(_UNITS) + list(_TENS) + ["hundred", "thousand", "a dozen", "dozen"],
                      key=len, reverse=True)
NUMBER_WORD_RE = (r"(?:(?:" + "|".join(list(_TENS) + list(_UNITS)) + r")"
                  r"(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?"
                  r"(?:\s+hundred(?:\s+(?:and\s+)?(?:" + "|".join(list(_TENS) + list(_UNITS)) + r")"
                  r"(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?)?)?|a\s+dozen|one\s+dozen)")
NUMBER_RE = r"(?:\d{1,3}(?:,\d{3})+|\d+|" + NUMBER_WORD_RE + r")"


@lru_cache(maxsize=4096)
def to_int(s: str) -> int | None:
    """'27', '1,200', 'five', 'twenty-seven', 'one hundred and twelve', 'a dozen' -> int."""
    s = s.strip().lower().replace(",", "")
    if s.isdigit():
        return int(s)
    if s in ("a dozen", "one dozen", "dozen"):
        return 12
    words = re.split(r"[\s-]+", s.replace(" and ", " "))
    total, cur = 0, 0
    for w in words:
        if w in _UNITS:
            cur += _UNITS[w]
        elif w in _TENS:
            cur += _TENS[w]
        elif w == "hundred":
            cur = max(cur, 1) * 100
        elif w == "thousand":
            total += max(cur, 1) * 1000
            cur = 0
        else:
            return _library_number(s)
    return total + cur


def _library_number(s: str) -> int | None:
    try:  # rarer spellings: leave them to number-parser
        from number_parser import parse_number
        v = parse_number(s)
    except Exception:  # pragma: no cover - library quirks
        return None
    return v if isinstance(v, int) else None


# --- states -----------------------------------------------------------------------------

STATES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "FL": "Florida", "GA": "Georgia",
    "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa",
    "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland",
    "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi",
    "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire",
    "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York", "NC": "North Carolina",
    "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania",
    "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee",
    "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington",
    "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming", "DC": "District of Columbia",
    "PR": "Puerto Rico", "GU": "Guam", "VI": "Virgin Islands",
}
STATE_BY_NAME = {v.lower(): k for k, v in STATES.items()}
STATE_BY_NAME["washington d.c."] = "DC"
STATE_BY_NAME["washington, d.c."] = "DC"


def state_code(s: str) -> str | None:
    """'CT', 'Conn'?, 'Connecticut' -> 'CT' (None when not a state)."""
    s = s.strip().strip(".")
    if s.upper() in STATES and (s.isupper() or len(s) == 2):
        return s.upper()
    return STATE_BY_NAME.get(s.lower())
