"""The README stays true: its two opening commands, its formats table, CI running its test command."""

import re
import shlex
from pathlib import Path

from click.testing import CliRunner

from evidence.cli import main
from parsers.spec import load_all_specs

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
OPENING = README.split("```sh", 1)[1].split("```", 1)[0]
COMMANDS = [line for line in OPENING.splitlines() if line.strip() and not line.startswith("#")]


def test_readme_opens_with_two_commands():
    assert len(COMMANDS) == 2
    assert "caseline analyze" in COMMANDS[0] and "--html" in COMMANDS[0]
    assert "pytest" in COMMANDS[1]


def test_ci_runs_the_readme_test_command():
    test_command = COMMANDS[1].split("&&", 1)[1].strip()
    assert test_command.replace("python ", "python3 ") in (ROOT / ".ci" / "run").read_text()


def test_main_command_runs_on_the_bundled_case(tmp_path, monkeypatch):
    args = shlex.split(COMMANDS[0].split("&&", 1)[1].strip())
    assert args[0] == "caseline"
    monkeypatch.chdir(ROOT)
    swap = {"report.html": tmp_path / "r.html", "report.json": tmp_path / "r.json",
            "factsheet.html": tmp_path / "f.html"}
    args = [str(swap.get(a, a)) for a in args[1:]]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "<svg" in (tmp_path / "r.html").read_text()


def test_formats_table_lists_every_format():
    listed = set(re.findall(r"^\| `([a-z0-9_]+)` \|", README, flags=re.M))
    assert listed == set(load_all_specs())


def test_add_a_format_example_is_a_sound_spec(tmp_path):
    import textwrap

    from parsers.selfcheck import check_spec
    from parsers.spec import load_spec

    guide = README[README.index("### Add a format"):]
    example = re.search(r"```toml\n(.*?)```", guide, re.S).group(1)
    path = tmp_path / "myapp.toml"
    path.write_text(textwrap.dedent(example))
    spec = load_spec(path)
    assert spec.name == "myapp" and spec.rules and spec.samples
    assert check_spec(spec) == []
