"""One-off: record in data/places/*.yaml how much of each profile page was read.

    python bench/read_extent.py PAGES_DIR [--data data/places]

PAGES_DIR holds the stored copies of the pages the records were read from, as plain text, one
`<slug>.txt` per record (third-party text: it is not in the repository). For each record this
writes two facts about what was read, never the text itself:

    read_to_footer: true    # the copy reaches the page's footer (State / Type / Population) or
                            # its "Comments are closed." line: the whole page was read
    read_chars: 1978        # the copy's length in characters

The lines go after `list_version:`, replacing earlier ones, so comments and layout stay as
they are. A record without a stored copy is left alone (its extent stays unknown).
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from kg.load import page_extent  # noqa: E402


def update(record: Path, page: Path) -> bool:
    text = page.read_text(encoding="utf-8")
    to_footer, chars = page_extent(text)
    lines = [ln for ln in record.read_text(encoding="utf-8").splitlines(keepends=True)
             if not re.match(r"^(read_to_footer|read_chars):", ln)]
    at = next(i for i, ln in enumerate(lines) if ln.startswith("list_version:")) + 1
    lines[at:at] = [f"read_to_footer: {'true' if to_footer else 'false'}\n", f"read_chars: {chars}\n"]
    new = "".join(lines)
    if new == record.read_text(encoding="utf-8"):
        return False
    record.write_text(new, encoding="utf-8")
    return True


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pages", type=Path)
    ap.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[1] / "data" / "places")
    args = ap.parse_args()
    changed = missing = 0
    for rec in sorted(args.data.glob("*.yaml")):
        page = args.pages / f"{rec.stem}.txt"
        if not page.is_file():
            missing += 1
            continue
        changed += update(rec, page)
    print(f"{changed} records updated, {missing} without a stored page")
    return 0


if __name__ == "__main__":
    sys.exit(main())
