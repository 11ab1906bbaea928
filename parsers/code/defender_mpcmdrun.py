"""Windows Defender MpCmdRun.log (one block per run of the command-line tool) -> av_scan, update and threat events.

Layout (public copies of the file; no real sample in the corpus): every run of MpCmdRun.exe
appends a block: a line of dashes, "MpCmdRun: Command Line: <exe> <arguments>",
" Start Time: <weekday> <month> <dd> <yyyy> <hh:mm:ss>" (local time without a zone; names in
the system's language, often wrapped in U+200E marks), then lines without time ("Scan
starting...", "Threat : <name>", "Signature update ...", "MpCmdRun.exe: hr = 0x0.") and
"MpCmdRun: End Time: ...". Windows writes the file as UTF-16LE with a BOM; UTF-8 copies
(with or without BOM) and UTF-16LE without BOM are read too.

Time: every line takes the last time known in its block; lines before Start Time (the
Command Line) take Start Time. A block starts at its "Command Line:" line (or at a Start
Time line outside any block, when the file was cut at its top).

Events: the Start Time and End Time lines of a `-Scan` block are av_scan events (extra phase
start/end, scan_type from `-ScanType`: 1 quick, 2 full, 3 custom), of a `-SignatureUpdate`
block update events; End Time carries the block's outcome (hr = 0x0 or "Scan finished" ->
success, another hr or "Failed" -> failure, threats found -> success). Threat lines
("Threat : X", "Threat X identified") are threat_detected with the resources listed under
them in extra. Every other line of a block is a log_line event.

Accounting: units are lines. Blank lines and lines of only dashes or equal signs are counted
as unparsed with reason "layout line" (nothing to cite); lines before the first block and
lines of a block without any readable time are unparsed; every other line is one event.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from datetime import datetime

import polars as pl

from parsers.base import ParseContext, Source, decode_text
from parsers.lines import dumps_extra
from parsers.code.line_rows import local_line_frame

LAYOUT = "layout line"
_COMMAND = re.compile(r"^\s*MpCmdRun:\s*Command Line:\s*(?P<command>.*)$", re.IGNORECASE)
_START = re.compile(r"^\s*(?:MpCmdRun:\s*)?Start Time:\s*(?P<stamp>.*)$", re.IGNORECASE)
_END = re.compile(r"^\s*MpCmdRun:\s*End Time:\s*(?P<stamp>.*)$", re.IGNORECASE)
_STAMP = re.compile(r"^\S+\s+(?P<month>[^\s\d]\S*)\s+(?P<day>\d{1,2})\s+(?P<year>\d{4})\s+"
                    r"(?P<hour>\d{1,2}):(?P<minute>\d{2}):(?P<second>\d{2})\s*$")
_LAYOUT = re.compile(r"^[\s=-]*$")
_THREAT = re.compile(r"^\s*(?:Threat\s*:\s*(?P<listed>\S.*?)|Threat\s+(?P<named>\S+)\s+(?:was\s+)?identified\b.*?)\s*\.?\s*$",
                     re.IGNORECASE)
_RESOURCE = re.compile(r"^\s*(?P<kind>file|process|regkey|regkeyvalue|service|webfile|containerfile|"
                       r"behavior|folder|startup)\s*:\s*(?P<path>\S.*?)\s*$", re.IGNORECASE)
_FOUND = re.compile(r"found\s+(?P<count>\d+)\s+threats?", re.IGNORECASE)
_HR = re.compile(r"^\s*MpCmdRun(?:\.exe)?:\s*hr\s*=\s*(?P<hr>0x[0-9a-f]+)", re.IGNORECASE)
_FAILED = re.compile(r"\bFailed\b|^\s*ERROR\b", re.IGNORECASE)
_FINISHED = re.compile(r"Scan finished|completed successfully|No updates needed|Update completed", re.IGNORECASE)
_SCAN_TYPE = re.compile(r"-ScanType\s+(?P<type>\d)", re.IGNORECASE)
SCAN_TYPES = {"0": "default", "1": "quick", "2": "full", "3": "custom"}
# Month names as Windows abbreviates them in en, fr, de, it, es (accents removed, lower case);
# four-letter keys first because French "juin"/"juil" share three letters.
MONTHS = {
    "juin": 6, "juil": 7,
    "jan": 1, "gen": 1, "ene": 1, "feb": 2, "fev": 2, "mar": 3, "apr": 4, "avr": 4, "abr": 4,
    "may": 5, "mai": 5, "mag": 5, "jun": 6, "giu": 6, "jul": 7, "lug": 7, "aug": 8, "aou": 8,
    "ago": 8, "sep": 9, "set": 9, "oct": 10, "okt": 10, "ott": 10, "nov": 11, "dec": 12,
    "dez": 12, "dic": 12,
}
SNIFF_LINES = 100


def decode(data: bytes) -> str:
    """Text of the file: BOMs honoured; UTF-16LE without a BOM recognised by its zero bytes."""
    if not data.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        probe = data[:512]
        if len(probe) >= 4 and probe[1::2].count(0) > 0.8 * (len(probe) // 2):
            return data.decode("utf-16-le", errors="replace")
    return decode_text(data)


def read_stamp(text: str) -> datetime | None:
    """'Thu Apr 01 2021 22:25:24' (or with localized names and U+200E marks) -> naive time."""
    text = re.sub(r"[\u200e\u200f\u202a-\u202e]", "", text).strip()
    match = _STAMP.match(text)
    if match is None:
        return None
    month = unicodedata.normalize("NFKD", match["month"]).encode("ascii", "ignore").decode().lower().strip(".")
    number = MONTHS.get(month[:4], MONTHS.get(month[:3]))
    if number is None:
        return None
    try:
        return datetime(int(match["year"]), number, int(match["day"]), int(match["hour"]),
                        int(match["minute"]), int(match["second"]))
    except ValueError:
        return None


def block_kind(command: str) -> tuple[str, str | None]:
    """('scan', scan type) for -Scan, ('update', None) for -SignatureUpdate, else ('command', None)."""
    if re.search(r"(?:^|\s)-Scan(?:\s|$)", command, re.IGNORECASE):
        found = _SCAN_TYPE.search(command)
        return "scan", SCAN_TYPES.get(found["type"], found["type"]) if found else "default"
    if re.search(r"(?:^|\s)-SignatureUpdate\b", command, re.IGNORECASE):
        return "update", None
    return "command", None


def block_outcome(lines: list[str], threats: int) -> tuple[str, str | None]:
    """(outcome, hr) of a block from its result lines."""
    hr = None
    for line in lines:
        if found := _HR.match(line):
            hr = found["hr"].lower()
    if threats:
        return "success", hr
    if hr is not None:
        return ("success" if int(hr, 16) == 0 else "failure"), hr
    if any(_FAILED.search(line) for line in lines):
        return "failure", hr
    if any(_FINISHED.search(line) for line in lines):
        return "success", hr
    return "unknown", hr


class DefenderMpCmdRunParser:
    name = "defender_mpcmdrun"

    def sniff(self, source: Source, head: bytes) -> float:
        lines = decode(head).split("\n")[:SNIFF_LINES]
        return 0.95 if any(_COMMAND.match(line) for line in lines) else 0.0

    def parse(self, source: Source, ctx: ParseContext) -> Iterator[pl.DataFrame]:
        lines = decode(source.read_bytes()).split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        lines = [line.rstrip("\r") for line in lines]
        ctx.units += len(lines)
        rows: list[dict] = []
        block: list[tuple[int, str]] = []
        for number, line in enumerate(lines, start=1):
            if _COMMAND.match(line):
                rows.extend(self._block(block, ctx))
                block = []
            if _LAYOUT.match(line):
                ctx.add_unparsed(number, LAYOUT, line)
            elif not block and not (_COMMAND.match(line) or _START.match(line)):
                ctx.add_unparsed(number, "before the first block (no Command Line or Start Time yet)", line)
            else:
                # a Start Time with no Command Line before it opens a block too (a file cut at its top)
                block.append((number, line))
        rows.extend(self._block(block, ctx))
        if rows:
            ctx.assume(f"{ctx.source_file}: MpCmdRun writes local time without a zone; read as {ctx.tz}")
            yield self._frame(rows, ctx)

    def _block(self, block: list[tuple[int, str]], ctx: ParseContext) -> list[dict]:
        if not block:
            return []
        opening = _COMMAND.match(block[0][1])
        command = opening["command"].strip() if opening else ""
        kind, scan_type = block_kind(command)
        times: list[datetime | None] = []
        sources: list[int | None] = []
        known = known_line = None
        for number, line in block:
            found = _START.match(line) or _END.match(line)
            stamp = read_stamp(found["stamp"]) if found else None
            if stamp is not None:
                known, known_line = stamp, number
            times.append(known)
            sources.append(known_line)
        first = next((t for t in times if t is not None), None)
        first_line = next((n for n in sources if n is not None), None)
        if first is None:
            for number, line in block:
                ctx.add_unparsed(number, "MpCmdRun block without a readable Start or End Time", line)
            return []
        texts = [line for _, line in block]
        threats = sum(1 for line in texts if _THREAT.match(line))
        outcome, hr = block_outcome(texts, threats)
        common = {"command_line": command, "block_line": block[0][0], "kind": kind}
        if scan_type:
            common["scan_type"] = scan_type
        rows = []
        last_threat: dict | None = None
        for (number, line), when, timed_by in zip(block, times, sources):
            row = {"source_line": number, "_naive": when or first, "raw": line.strip(),
                   "message": line.strip(), "action": "log_line", "outcome": "unknown",
                   "severity": None, "_extra": dict(common)}
            if (timed_by or first_line) != number:
                # the time is the block's, not the line's own: say which line gave it
                row["_extra"]["time_from_line"] = timed_by or first_line
            phase = "start" if _START.match(line) else "end" if _END.match(line) else None
            if phase and when is not None:
                row["_extra"]["phase"] = phase
                row["action"] = {"scan": "av_scan", "update": "update"}.get(kind, "log_line")
                label = f"Defender {scan_type} scan" if kind == "scan" else (
                    "Defender signature update" if kind == "update" else f"MpCmdRun {command}")
                row["message"] = f"{label} {'started' if phase == 'start' else 'ended'}"
                if phase == "end":
                    row["outcome"] = outcome
                    row["_extra"].update(hr=hr, threats=threats)
            elif threat := _THREAT.match(line):
                name = threat["listed"] or threat["named"]
                row.update(action="threat_detected", severity="warning", message=f"Defender detected {name}")
                row["_extra"].update(threat=name, resources=[])
                last_threat = row
            elif resource := _RESOURCE.match(line):
                if last_threat is not None:
                    last_threat["_extra"]["resources"].append(f"{resource['kind'].lower()}:{resource['path']}")
            elif found := _FOUND.search(line):
                row["_extra"]["threats_found"] = int(found["count"])
            if row["action"] == "log_line" and line.lstrip().upper().startswith(("ERROR", "CMDTOOL: FAILED")):
                row.update(severity="error", outcome="failure")
            elif row["action"] == "log_line" and line.lstrip().upper().startswith("WARN"):
                row["severity"] = "warning"
            rows.append(row)
        for row in rows:
            row["extra"] = dumps_extra(row.pop("_extra"))
        return rows

    def _frame(self, rows: list[dict], ctx: ParseContext) -> pl.DataFrame:
        return local_line_frame(rows, ctx, self.name, "malware", "MpCmdRun.exe")
