"""Share of correct windows on tests/claims/statements.toml: evidence.claims vs plain dateparser.

Run: python benchmarks/claims_vs_dateparser.py  (from the repository root)

For each row whose expectation holds a window, ours is correct when a claim of that kind and
polarity has exactly that window. Plain `dateparser.search_dates` returns instants, not
windows, so it is scored leniently: correct when the first date it finds lies inside the
expected window (start <= found <= end). Both get the same language, the same anchor
(RELATIVE_BASE at the report time, in the customer's zone) and prefer dates from the past.
"""

from __future__ import annotations

import sys
import tomllib
from collections import Counter
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from dateparser.search import search_dates

from evidence.claims import read_claims

TABLE = Path(__file__).resolve().parent.parent / "tests" / "claims" / "statements.toml"


def expected_window(specs: list[str]) -> tuple[str, str, datetime, datetime] | None:
    for spec in specs:
        head, *rest = spec.split()
        if rest:
            polarity = "denied" if head.startswith("!") else "asserted"
            return head.lstrip("!"), polarity, datetime.fromisoformat(rest[0]), \
                datetime.fromisoformat(rest[1])
    return None


def ours_correct(row, kind, polarity, start, end) -> bool:
    result = read_claims(row["text"], datetime.fromisoformat(row["reported_at"]), row["tz"],
                         lang=row["lang"])
    return any(c.kind == kind and c.polarity == polarity and c.window is not None
               and c.window.start == start and c.window.end == end for c in result.claims)


def dateparser_correct(row, start, end) -> bool:
    zone = ZoneInfo(row["tz"])
    base = datetime.fromisoformat(row["reported_at"]).astimezone(zone).replace(tzinfo=None)
    found = search_dates(row["text"], languages=[row["lang"]], settings={
        "RELATIVE_BASE": base, "TIMEZONE": row["tz"], "RETURN_AS_TIMEZONE_AWARE": True,
        "PREFER_DATES_FROM": "past"})
    if not found:
        return False
    return start <= found[0][1] <= end


def main() -> int:
    rows = tomllib.loads(TABLE.read_text("utf-8"))["case"]
    ours, plain, total = Counter(), Counter(), Counter()
    for row in rows:
        target = expected_window(row["expect"])
        if target is None:
            continue
        kind, polarity, start, end = target
        total[row["lang"]] += 1
        ours[row["lang"]] += ours_correct(row, kind, polarity, start, end)
        plain[row["lang"]] += dateparser_correct(row, start, end)
    print(f"{'lang':<6}{'rows':>6}{'caseline':>12}{'dateparser':>12}")
    for lang in sorted(total):
        print(f"{lang:<6}{total[lang]:>6}{ours[lang] / total[lang]:>12.1%}"
              f"{plain[lang] / total[lang]:>12.1%}")
    n = sum(total.values())
    print(f"{'all':<6}{n:>6}{sum(ours.values()) / n:>12.1%}{sum(plain.values()) / n:>12.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
