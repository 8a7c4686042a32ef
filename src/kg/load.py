"""Find and read every profile under a data folder, through one reader per form."""
from __future__ import annotations

import re
from pathlib import Path

from .errors import InputError, InputErrors, UnreadableError
from .model import Profile
from .records import RECORD_SUFFIXES, Read, read_records

PAGE_SUFFIXES = (".txt", ".html", ".htm")
IGNORED = ("README.md", "README", ".gitkeep")

# The end of a profile page: its footer (State / Type / Population lines) or the comments line.
# ("Population 40014", or "Population | 6574 |" where the footer is a table)
FOOTER = re.compile(r"^\s*Population\s*\|?\s*[\d,]+\s*\|?\s*$|^\s*Comments are closed", re.M)


def profile_files(data_dir: Path) -> list[Path]:
    """Every profile file under data_dir, in a stable order (hidden files and docs skipped)."""
    out = []
    for p in sorted(data_dir.rglob("*")):
        if not p.is_file() or p.name in IGNORED or any(part.startswith(".") for part in p.relative_to(data_dir).parts):
            continue
        if p.suffix.lower() in PAGE_SUFFIXES + RECORD_SUFFIXES:
            out.append(p)
    return out


def page_extent(text: str) -> tuple[bool, int]:
    """(whether the text reaches the page's footer, its length in characters)."""
    return bool(FOOTER.search(text)), len(text)


def read_file_checked(path: Path, min_confidence: float | None = None,
                      verdicts: dict[str, list] | None = None) -> Read:
    """The profiles in one file, every problem found in it (a file that cannot be read is one
    UnreadableError) and the slugs it defines. Records: every bad record is reported and the
    good ones kept. A page's readings below min_confidence (default: the parser's) are held, not
    returned, unless a curator's verdict (kg review) says otherwise."""
    if path.suffix.lower() in RECORD_SUFFIXES:
        try:
            return read_records(path)
        except InputError as e:
            return Read(problems=e.errors)
    from .parse import parse_file  # the page parser
    from .parse.confidence import DEFAULT_MIN_CONFIDENCE, apply

    try:
        profiles = parse_file(path)
    except InputError as e:
        return Read(problems=e.errors)
    threshold = DEFAULT_MIN_CONFIDENCE if min_confidence is None else min_confidence
    profiles = [apply(p, threshold, (verdicts or {}).get(p.slug)) for p in profiles]
    _set_extent(path, profiles)
    return Read(profiles, [], [(p.slug, p.record or p.slug) for p in profiles])


def split_reviews(files: list[Path]) -> tuple[list[Path], dict[str, list]]:
    """The files to read, and the curator's verdicts on pages' readings (kg review)."""
    from .review import collect

    return collect(files, PAGE_SUFFIXES, RECORD_SUFFIXES)


def _set_extent(path: Path, profiles: list[Profile]) -> None:
    """How much of a saved page there is: to its footer or cut off, and its length (of the
    text, for plain text; of the visible text, for HTML)."""
    try:
        raw = path.read_bytes().decode("utf-8", errors="replace")
    except OSError:
        return
    for p in profiles:
        if p.read_chars is not None or p.read_to_footer is not None:
            continue
        text = raw
        if p.input_form == "html":
            from selectolax.parser import HTMLParser

            body = HTMLParser(raw).body
            text = body.text(separator="\n") if body is not None else ""
        p.read_to_footer, p.read_chars = page_extent(text)


def read_file(path: Path, min_confidence: float | None = None, verdicts: dict[str, list] | None = None) -> list[Profile]:
    """Profiles in one file: pages through the page parser, records through the record reader.
    Raises InputError (InputErrors when there are several problems)."""
    got = read_file_checked(path, min_confidence, verdicts)
    if got.problems:
        raise InputErrors(got.problems)
    return got.profiles


def load_profiles(data_dir: Path, min_confidence: float | None = None) -> list[Profile]:
    """All profiles under data_dir. Raises InputErrors with every bad field of every file and
    every duplicate slug."""
    if not data_dir.is_dir():
        raise UnreadableError(str(data_dir), None, None, "data folder not found")
    seen: dict[str, str] = {}
    profiles: list[Profile] = []
    problems: list[InputError] = []
    files, verdicts = split_reviews(profile_files(data_dir))
    for path in files:
        got = read_file_checked(path, min_confidence, verdicts)
        problems.extend(got.problems)
        dup = set()
        for slug, record in got.slugs:
            if slug in seen:
                problems.append(duplicate(str(path), slug, record, seen[slug]))
                dup.add(slug)
            else:
                seen[slug] = str(path)
        profiles.extend(p for p in got.profiles if p.slug not in dup)
    if problems:
        raise InputErrors(problems)
    return profiles


def duplicate(path: str, slug: str, record: str, first_file: str | None) -> InputError:
    return InputError(path, record, "slug", f"duplicate slug {slug!r}: already defined in {first_file}")
