"""clamscan output (stdout or --log files) -> threat_detected per "FOUND" line, av_scan start/end per run.

clamscan prints one line per file ("/path: Eicar-Signature FOUND", "/path: OK") with no time,
then a summary ("----------- SCAN SUMMARY -----------", "Known viruses: ...", ...,
"Start Date: 2026:11:22 10:00:01", "End Date:   2026:11:22 10:00:13", local time, no zone).
The time comes last, so the format needs state across lines: every line of a run takes the
run's Start Date (extra time_from_line says so), End Date takes its own. A run ends at its
End Date line or at a separator line of dashes (--log writes one before each run).

Events: FOUND lines -> threat_detected (threat and path in extra); Start Date / End Date ->
av_scan (extra phase start/end; End Date carries the summary counts); other per-file lines,
summary lines and WARNING/ERROR lines -> log_line. clamd and freshclam logs, where every line
has a time, are the clamav spec.

Accounting: units are lines. Blank lines, separator lines of dashes and the SCAN SUMMARY
header are unparsed "layout line"; lines of a run without a readable Start Date, and lines
that are no clamscan output, are unparsed; every other line is one event.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime

import polars as pl

from parsers.base import ParseContext, Source, decode_text
from parsers.lines import dumps_extra, split_lines
from parsers.code.line_rows import local_line_frame

LAYOUT = "layout line"
SUMMARY_HEADER = re.compile(r"^-+ SCAN SUMMARY -+$")
_SEPARATOR = re.compile(r"^\s*-*\s*$")
# a path: absolute POSIX, Windows drive or UNC, or relative ./ ../
_FILE = re.compile(r"^(?P<path>(?:/|[A-Za-z]:\\|\\\\|\.{1,2}/).*): (?P<result>\S.*)$")
_FOUND = re.compile(r"^(?P<path>(?:/|[A-Za-z]:\\|\\\\|\.{1,2}/).*): (?P<threat>\S+) FOUND$")
_NOTICE = re.compile(r"^(?:LibClamAV\s+)?(?P<level>WARNING|Warning|ERROR|Error):\s")
_SUMMARY_LINE = re.compile(r"^(?P<key>[A-Z][A-Za-z ]+?):\s+(?P<value>.*?)\s*$")
_DATE = re.compile(r"^(?P<phase>Start|End) Date:\s+(?P<stamp>\d{4}:\d{2}:\d{2} \d{2}:\d{2}:\d{2})\s*$")
SUMMARY_KEYS = {"Known viruses", "Engine version", "Scanned directories", "Scanned files",
                "Infected files", "Total errors", "Data scanned", "Data read", "Time",
                "Start Date", "End Date", "Not removed", "Not moved"}
SNIFF_LINES = 200


def _stamp(text: str) -> datetime | None:
    try:
        return datetime.strptime(text, "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None


class ClamscanParser:
    name = "clamscan"

    def sniff(self, source: Source, head: bytes) -> float:
        lines = [line.rstrip("\r") for line in decode_text(head).split("\n")[:SNIFF_LINES]]
        if any(SUMMARY_HEADER.match(line) for line in lines):
            return 0.95
        content = [line for line in lines[:-1] if line.strip() and not _SEPARATOR.match(line)]
        if not content:
            return 0.0
        share = sum(1 for line in content if _FILE.match(line) or _NOTICE.match(line)) / len(content)
        return 0.9 if share >= 0.6 else 0.0

    def parse(self, source: Source, ctx: ParseContext) -> Iterator[pl.DataFrame]:
        lines = split_lines(decode_text(source.read_bytes())).to_list()
        if lines == [""]:
            lines = []
        ctx.units += len(lines)
        rows: list[dict] = []
        run: list[tuple[int, str, str]] = []  # (line number, kind, text)
        in_summary = False
        for number, line in enumerate(lines, start=1):
            if SUMMARY_HEADER.match(line.strip()):
                ctx.add_unparsed(number, LAYOUT, line)
                in_summary = True
                continue
            if _SEPARATOR.match(line):
                ctx.add_unparsed(number, LAYOUT, line)
                if line.strip() and run:  # a --log separator: the run so far had no summary
                    rows.extend(self._run(run, ctx))
                    run, in_summary = [], False
                continue
            summary = _SUMMARY_LINE.match(line) if in_summary else None
            if summary and summary["key"] in SUMMARY_KEYS:
                run.append((number, "summary", line))
                if summary["key"] == "End Date":
                    rows.extend(self._run(run, ctx))
                    run, in_summary = [], False
            elif _FILE.match(line) or _NOTICE.match(line):
                run.append((number, "file", line))
            else:
                ctx.add_unparsed(number, "not a clamscan result or summary line", line)
        rows.extend(self._run(run, ctx))
        if rows:
            ctx.assume(f"{ctx.source_file}: clamscan prints local time without a zone; read as {ctx.tz}")
            yield self._frame(rows, ctx)

    def _run(self, run: list[tuple[int, str, str]], ctx: ParseContext) -> list[dict]:
        if not run:
            return []
        dates = {}
        for number, kind, line in run:
            if kind == "summary" and (found := _DATE.match(line)) and (when := _stamp(found["stamp"])):
                dates.setdefault(found["phase"], (number, when))
        start = dates.get("Start") or dates.get("End")
        if start is None:
            for number, _, line in run:
                ctx.add_unparsed(number, "no scan summary with a Start Date for this run", line)
            return []
        summary = {}
        for _, kind, line in run:
            if kind == "summary" and (found := _SUMMARY_LINE.match(line)):
                summary[found["key"].lower().replace(" ", "_")] = found["value"]
        rows = []
        for number, kind, line in run:
            text = line.strip()
            row = {"source_line": number, "_naive": start[1], "raw": text, "message": text,
                   "action": "log_line", "outcome": "unknown", "severity": None,
                   "_extra": {"time_from_line": start[0]}}
            date = _DATE.match(line) if kind == "summary" else None
            if date and date["phase"] in dates and dates[date["phase"]][0] == number:
                phase = date["phase"].lower()
                row.update(_naive=dates[date["phase"]][1], action="av_scan",
                           message=f"clamscan scan {'started' if phase == 'start' else 'ended'}")
                row["_extra"] = {"phase": phase}
                if phase == "end":
                    row["outcome"] = "success"
                    row["_extra"].update({k: v for k, v in summary.items() if k not in ("start_date", "end_date")})
            elif found := _FOUND.match(line):
                row.update(action="threat_detected", severity="warning",
                           message=f"clamscan found {found['threat']} in {found['path']}")
                row["_extra"].update(threat=found["threat"], path=found["path"])
            elif notice := _NOTICE.match(line):
                row["severity"] = "error" if notice["level"].upper() == "ERROR" else "warning"
            elif kind == "file":
                result = _FILE.match(line)
                row["_extra"].update(path=result["path"], result=result["result"])
                if result["result"] == "OK":
                    row["outcome"] = "success"
            rows.append(row)
        for row in rows:
            row["extra"] = dumps_extra(row.pop("_extra"))
        return rows

    def _frame(self, rows: list[dict], ctx: ParseContext) -> pl.DataFrame:
        return local_line_frame(rows, ctx, self.name, "malware", "clamscan")
