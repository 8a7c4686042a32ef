"""Find and read every profile under a data folder, through one reader per form."""
from __future__ import annotations

from pathlib import Path

from .errors import InputError, UnreadableError
from .model import Profile
from .records import RECORD_SUFFIXES, load_records

PAGE_SUFFIXES = (".txt", ".html", ".htm")
IGNORED = ("README.md", "README", ".gitkeep")


def profile_files(data_dir: Path) -> list[Path]:
    """Every profile file under data_dir, in a stable order (hidden files and docs skipped)."""
    out = []
    for p in sorted(data_dir.rglob("*")):
        if not p.is_file() or p.name in IGNORED or any(part.startswith(".") for part in p.relative_to(data_dir).parts):
            continue
        if p.suffix.lower() in PAGE_SUFFIXES + RECORD_SUFFIXES:
            out.append(p)
    return out


def read_file(path: Path, min_confidence: float | None = None,
              verdicts: dict[str, list] | None = None) -> list[Profile]:
    """Profiles in one file: pages through the page parser, records through the record reader.
    A page's readings below min_confidence (default: the parser's) are held, not returned, unless
    a curator's verdict (kg review) says otherwise."""
    if path.suffix.lower() in RECORD_SUFFIXES:
        return load_records(path)
    from .parse import parse_file  # the page parser; it reads records through load_records too
    from .parse.confidence import DEFAULT_MIN_CONFIDENCE, apply

    threshold = DEFAULT_MIN_CONFIDENCE if min_confidence is None else min_confidence
    return [apply(p, threshold, (verdicts or {}).get(p.slug)) for p in parse_file(path)]


def split_reviews(files: list[Path]) -> tuple[list[Path], dict[str, list]]:
    """The files to read, and the curator's verdicts on pages' readings (kg review)."""
    from .review import collect

    return collect(files, PAGE_SUFFIXES, RECORD_SUFFIXES)


def load_profiles(data_dir: Path, min_confidence: float | None = None) -> list[Profile]:
    """All profiles under data_dir. Raises InputError on the first bad file or a duplicate slug."""
    if not data_dir.is_dir():
        raise UnreadableError(str(data_dir), None, None, "data folder not found")
    seen: dict[str, Profile] = {}
    profiles: list[Profile] = []
    files, verdicts = split_reviews(profile_files(data_dir))
    for path in files:
        for p in read_file(path, min_confidence, verdicts):
            if p.slug in seen:
                first = seen[p.slug]
                raise InputError(str(path), p.record or p.slug, "slug",
                                 f"duplicate slug {p.slug!r}: already defined in {first.file}")
            seen[p.slug] = p
            profiles.append(p)
    return profiles
