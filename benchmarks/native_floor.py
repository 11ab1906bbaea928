"""How fast the syslog engine's per-line work runs natively (Rust, the same regexes, one
thread): the floor under any native line engine for caseline. Not part of caseline; run by
hand on a file parse_bench.py kept:

    python benchmarks/parse_bench.py --mb 100 --keep /tmp/b
    python benchmarks/native_floor.py /tmp/b/case/syslog

Builds benchmarks/native_floor/ with cargo against Debian's packaged crates
(apt-get install -y cargo librust-regex-dev librust-serde-json-dev), then runs it four ways:
as the engine works, with a literal pre-test before each rule's regex, without the rules'
captures, and without the rules."""

from __future__ import annotations

import argparse
import json
import re
import re._parser as sre_parse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from parsers.registry import all_parsers  # noqa: E402
from parsers.spec import FIELD_COLUMNS  # noqa: E402

CRATE = Path(__file__).resolve().parent / "native_floor"


def required_literal(source: str) -> str:
    """The longest run of plain characters the regex needs at its top level ("" if none)."""
    try:
        tree = sre_parse.parse(source.removeprefix("(?x)"), re.VERBOSE)
    except re.error:
        return ""
    best = current = ""
    for op, value in tree:
        if op is sre_parse.LITERAL:
            current += chr(value)
        else:
            best, current = max(best, current, key=len), ""
    return max(best, current, key=len)


def export_spec(path: Path) -> None:
    """The syslog spec as the engine runs it: the first pattern's head (the message is the
    rest of the line) and the rules' regexes, already in their ASCII spelling."""
    spec = all_parsers()["syslog"].spec
    source = spec.patterns[0].source
    head = "(?x)^(?P<_head>" + source[: source.index("(?P<message>")] + "\n)"
    rules = [{"when": {k: "(?x)" + v for k, v in r.when_source.items()}, "set": r.set,
              "literal": required_literal(r.when_source.get("message", ""))} for r in spec.rules]
    path.write_text(json.dumps({"head": head, "fields": sorted(FIELD_COLUMNS), "rules": rules}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", type=Path)
    args = parser.parse_args()
    if shutil.which("cargo") is None or not Path("/usr/share/cargo/registry/regex-1.7.1").exists():
        raise SystemExit("needs cargo and Debian's crates: apt-get install -y cargo librust-regex-dev "
                         "librust-serde-json-dev")
    subprocess.run(["cargo", "build", "--release", "-q"], cwd=CRATE, check=True)
    binary = CRATE / "target" / "release" / "native_floor"
    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "spec.json"
        export_spec(spec)
        for label, flags in (("as the engine works", []), ("literal pre-test per rule", ["--literal-pretest"]),
                             ("without the rules' captures", ["--no-captures"]), ("without the rules", ["--no-rules"])):
            done = subprocess.run([str(binary), str(spec), str(args.file), *flags], capture_output=True, text=True,
                                  check=True)
            print(f"{label:30} {done.stdout.strip()}")


if __name__ == "__main__":
    main()
