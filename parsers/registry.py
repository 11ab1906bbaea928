"""The one registry of formats: specs found by scanning parsers/formats/, code parsers listed here."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import lru_cache

from parsers.base import Parser, Source
from parsers.engine import SpecParser
from parsers.spec import FormatSpec, SpecError, load_all_specs

# Code parsers, as "module:Class" under parsers.code. Each has a spec of the same name with
# engine = "code" (title, detection hints, samples where the format is text).
CODE_PARSERS: tuple[str, ...] = (
    "chrome_history:ChromeHistoryParser",
    "firefox_history:FirefoxHistoryParser",
    "firefox_downloads:FirefoxDownloadsParser",
    "safari_history:SafariHistoryParser",
    "defender_detectionhistory:DefenderDetectionHistoryParser",
    "defender_mpcmdrun:DefenderMpCmdRunParser",
    "sar:SarParser",
    "sadf:SadfParser",
    "sadf_xml:SadfXmlParser",
    "sysstat_sa:SysstatSaParser",
    "perfmon_csv:PerfmonCsvParser",
    "perfmon_blg:PerfmonBlgParser",
    "apt_history:AptHistoryParser",
    "clamscan:ClamscanParser",
    "jsonl_generic:JsonlGenericParser",
    "csv_generic:CsvGenericParser",
    "evtx:EvtxParser",
    "evt:EvtParser",
    "evtx_xml:EvtxXmlParser",
    "evtx_csv:EvtxCsvParser",
    "iis:IisParser",
    "zeek:ZeekParser",
    "suricata_eve:SuricataEveParser",
)

# Below this score a format does not claim a file.
MIN_SCORE = 0.3


@dataclass(frozen=True)
class Detection:
    parser: Parser | None
    score: float
    candidates: tuple[tuple[str, float], ...]


def _load_code_parser(entry: str, specs: dict[str, FormatSpec]) -> Parser:
    module_name, _, class_name = entry.partition(":")
    module = importlib.import_module(f"parsers.code.{module_name}")
    parser = getattr(module, class_name)()
    spec = specs.get(parser.name)
    if spec is None or spec.engine != "code":
        raise SpecError(f"parsers.code.{module_name}", f"code parser {parser.name!r} has no spec with engine = 'code'")
    parser.spec = spec
    return parser


@lru_cache(maxsize=1)
def _load() -> tuple[dict[str, Parser], tuple[str, ...]]:
    specs = load_all_specs()
    parsers: dict[str, Parser] = {}
    problems: list[str] = []
    for name, spec in specs.items():
        if spec.engine != "code":
            parsers[name] = SpecParser(spec)
    for entry in CODE_PARSERS:
        try:
            parser = _load_code_parser(entry, specs)
        except (ImportError, AttributeError, SpecError) as err:
            # one broken format must not take the others down; `caseline formats` shows it
            problems.append(f"parsers.code.{entry}: {err}")
            continue
        parsers[parser.name] = parser
    for name, spec in specs.items():
        if spec.engine == "code" and name not in parsers:
            problems.append(f"{spec.path}: engine = 'code' but no code parser is registered")
    return dict(sorted(parsers.items())), tuple(problems)


def all_parsers() -> dict[str, Parser]:
    """Every usable format by name: spec-driven ones and code ones."""
    return _load()[0]


def registry_problems() -> tuple[str, ...]:
    """Code parsers that failed to load and specs without their parser."""
    return _load()[1]


def detect(source: Source, head: bytes | None = None) -> Detection:
    """The format that reads the file's content best; the file name only breaks ties."""
    if head is None:
        head = source.head()
    scores = []
    for name, parser in all_parsers().items():
        try:
            score = float(parser.sniff(source, head))
        except Exception:  # a sniffer failing on odd bytes means "not mine"
            score = 0.0
        if score > 0:
            scores.append((name, score))
    scores.sort(key=lambda item: (-item[1], item[0]))
    if not scores or scores[0][1] < MIN_SCORE:
        return Detection(None, scores[0][1] if scores else 0.0, tuple(scores))
    return Detection(all_parsers()[scores[0][0]], scores[0][1], tuple(scores))
