"""apt /var/log/apt/history.log (multi-line transaction blocks) -> one event per package action.

A block runs from "Start-Date:" to "End-Date:". Each package named on an Install, Upgrade,
Remove, Purge, Downgrade or Reinstall line becomes its own event, stamped with the block's
Start-Date and carrying the block's user (Requested-By) and command line; Start-Date,
Commandline, Requested-By, Error and End-Date lines become log_line events of the block.

Accounting: the units of this format are entries, not lines. An entry is a non-blank line,
except that a package line holding n packages is n entries (one per package event). Blank
lines separate blocks and are not entries. So events + unparsed == entries, and
entries == non-blank lines + sum(n - 1) over package lines. Event ids are
`<prefix>:<line>` for a line that gives one event and `<prefix>:<line>.<k>` (k = 1..n) for a
package line that gives n > 1.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import PurePosixPath

import polars as pl

from parsers import timestamps as ts
from parsers.base import ParseContext, Source, decode_text, provenance
from parsers.engine import name_hint
from parsers.lines import dumps_extra, split_lines
from parsers.schema import conform

PACKAGE_ACTIONS = {
    "Install": "package_install", "Reinstall": "package_install",
    "Upgrade": "package_upgrade", "Downgrade": "package_upgrade",
    "Remove": "package_remove", "Purge": "package_remove",
}
BLOCK_KEYS = ("Start-Date", "Commandline", "Requested-By", "Error", "End-Date", *PACKAGE_ACTIONS)
_KEY_LINE = re.compile(r"^(?P<key>[A-Z][A-Za-z-]*):\s?(?P<value>.*)$")
# "name:arch (version[, version][, automatic])" entries, comma separated
_PACKAGE = re.compile(r"(?P<name>[^\s,()]+)\s\((?P<detail>[^)]*)\)")
_REQUESTER = re.compile(r"^(?P<user>\S+)(?:\s\((?P<uid>\d+)\))?")
DATE_FORMAT = "%Y-%m-%d %H:%M:%S"
SNIFF_LINES = 200
BATCH_ROWS = 50_000


def _parse_date(value: str) -> datetime | None:
    try:
        return datetime.strptime(" ".join(value.split()), DATE_FORMAT)
    except ValueError:
        return None


def packages(value: str) -> list[dict]:
    """The packages of one Install/Upgrade/... value, with version details."""
    found = []
    for match in _PACKAGE.finditer(value):
        name, _, arch = match["name"].partition(":")
        parts = [p.strip() for p in match["detail"].split(",")]
        automatic = "automatic" in parts
        versions = [p for p in parts if p and p != "automatic"]
        found.append({
            "package": name, "arch": arch or None, "automatic": automatic,
            "old_version": versions[0] if len(versions) > 1 else None,
            "version": versions[-1] if versions else None,
        })
    return found


class AptHistoryParser:
    name = "apt_history"

    def sniff(self, source: Source, head: bytes) -> float:
        lines = [line for line in decode_text(head).splitlines()[:SNIFF_LINES] if line.strip()]
        if len(head) >= 65536 and len(lines) > 1:
            lines = lines[:-1]  # the head may end mid-line
        if not lines or not any(line.startswith("Start-Date: ") for line in lines):
            return 0.0
        known = sum(1 for line in lines if (m := _KEY_LINE.match(line)) and m["key"] in BLOCK_KEYS)
        share = known / len(lines)
        if share < 0.6:
            return 0.0
        return min(1.0, share * 0.9 + (0.1 if name_hint(self.spec, source) else 0.0))

    def parse(self, source: Source, ctx: ParseContext) -> Iterator[pl.DataFrame]:
        ctx.assume(f"{ctx.source_file}: no zone in the file, read as {ctx.tz}")
        lines = split_lines(decode_text(source.read_bytes())).to_list()
        rows: list[dict] = []
        for block in self._blocks(lines, ctx):
            rows.extend(self._block_rows(block, ctx))
            if len(rows) >= BATCH_ROWS:
                yield self._frame(rows, ctx)
                rows = []
        if rows:
            yield self._frame(rows, ctx)

    def _blocks(self, lines: list[str], ctx: ParseContext) -> Iterator[list[tuple[int, str, str, str]]]:
        """Blocks as lists of (line number, key, value, raw line); stray lines are reported."""
        block: list[tuple[int, str, str, str]] = []
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            match = _KEY_LINE.match(line)
            if match is None:
                ctx.units += 1
                ctx.add_unparsed(number, "not a 'Key: value' line of an apt history block", line)
                continue
            key, value = match["key"], match["value"]
            if key == "Start-Date":
                if block:
                    yield block
                block = [(number, key, value, line)]
            elif block:
                block.append((number, key, value, line))
                if key == "End-Date":
                    yield block
                    block = []
            else:
                ctx.units += 1
                ctx.add_unparsed(number, "outside a Start-Date ... End-Date block", line)
        if block:
            yield block

    def _block_rows(self, block: list[tuple[int, str, str, str]], ctx: ParseContext) -> list[dict]:
        fields = {key: value for _, key, value, _ in block}
        start = _parse_date(fields.get("Start-Date", ""))
        end = _parse_date(fields["End-Date"]) if "End-Date" in fields else None
        if start is None:
            for number, key, value, line in block:
                count = max(1, len(packages(value))) if key in PACKAGE_ACTIONS else 1
                ctx.units += count
                for _ in range(count):
                    ctx.add_unparsed(number, "block without a readable Start-Date", line)
            return []
        failed = "Error" in fields
        outcome = "failure" if failed else ("success" if "End-Date" in fields else "unknown")
        requester = _REQUESTER.match(fields.get("Requested-By", ""))
        user = requester["user"] if requester else None
        command = fields.get("Commandline")
        process = PurePosixPath(command.split()[0]).name if command and command.split() else None
        common = {"commandline": command, "requested_by_uid": requester["uid"] if requester else None,
                  "block_line": block[0][0]}
        rows = []
        for number, key, value, line in block:
            when = end if key == "End-Date" and end is not None else start
            base = {"source_line": number, "_naive": when, "raw": line.strip(), "user": user,
                    "process": process, "category": "package"}
            found = packages(value) if key in PACKAGE_ACTIONS else []
            if not found:
                ctx.units += 1
                severity = "error" if key == "Error" else ("info" if key in ("Start-Date", "End-Date") else None)
                rows.append({**base, "_id": str(number), "action": "log_line",
                             "outcome": "failure" if key == "Error" else outcome, "severity": severity,
                             "message": line.strip(), "extra": dumps_extra({**common, "key": key})})
                continue
            ctx.units += len(found)
            for index, package in enumerate(found, start=1):
                versions = (f"{package['old_version']} -> {package['version']}"
                            if package["old_version"] else package["version"] or "")
                rows.append({
                    **base, "_id": str(number) if len(found) == 1 else f"{number}.{index}",
                    "action": PACKAGE_ACTIONS[key], "outcome": outcome,
                    "severity": "error" if failed else "info",
                    "message": f"{key.lower()} {package['package']} {versions}".strip(),
                    "extra": dumps_extra({**common, "key": key, "entry": index, **package}),
                })
        return rows

    def _frame(self, rows: list[dict], ctx: ParseContext) -> pl.DataFrame:
        frame = pl.DataFrame(rows, schema_overrides={"_naive": ts.NAIVE, "severity": pl.String,
                                                     "user": pl.String, "process": pl.String})
        frame = frame.with_columns(
            ts.localize(pl.col("_naive"), ctx.tz).alias("timestamp"),
            pl.lit("tz_assumed").alias("timestamp_quality"),
            *provenance(ctx, self.name, "_id"),
        )
        return conform(frame)
