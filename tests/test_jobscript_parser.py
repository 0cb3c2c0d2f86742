"""parse_script reads #SBATCH lines the way sbatch does."""

import pytest

from tui.jobscript.parser import parse_script
from tui.jobscript.tokens import TokenError, split_directive


def script(*lines: str) -> str:
    return "\n".join(("#!/bin/bash",) + lines) + "\n"


@pytest.mark.parametrize("rest, words", [
    (" --job-name=a", ["--job-name=a"]),
    (" -J  x  # a comment", ["-J", "x"]),
    (" --job-name='a b'\"'\"'c'", ["--job-name=a b'c"]),
    (' --job-name="a \\" b"', ['--job-name=a " b']),
    (" --x='a\\b'", ["--x=ab"]),  # sbatch, unlike a shell, escapes inside single quotes
    (" --a=#x", ["--a="]),
    (" --a='#x' b", ["--a=#x", "b"]),
    (" '' --foo", []),  # an empty word ends the line for sbatch
    ("--time=5", ["--time=5"]),
    (" --x\t-y\v-z", ["--x", "-y", "-z"]),
    (" --name=\u00a0é", ["--name=\u00a0é"]),  # only C whitespace splits words
])
def test_sbatch_tokenizer(rest, words):
    assert split_directive(rest) == words


@pytest.mark.parametrize("rest", [" --job-name='open", ' "open', " :x"])
def test_tokenizer_fatal_lines(rest):
    with pytest.raises(TokenError):
        split_directive(rest)


def test_long_short_attached_and_separate_forms():
    parsed = parse_script(script("#SBATCH -J name -c4 -t 10:00 --part gpu -HQ", "#SBATCH --mem 4G",
                                 "#SBATCH -a0-3%2 --output=o_%a"))
    assert parsed.value("job-name") == "name"
    assert parsed.value("cpus-per-task") == "4"
    assert parsed.value("time") == "10:00"
    assert parsed.value("partition") == "gpu"
    assert parsed.value("mem") == "4G"
    assert parsed.value("array") == "0-3%2"
    assert parsed.value("output") == "o_%a"
    assert {"hold", "quiet"} <= set(parsed.directives)
    assert parsed.directives["mem"].line == 3 and parsed.directives["mem"].written == "--mem"
    assert parsed.problems == []


def test_directives_stop_at_the_first_command():
    parsed = parse_script(script("#SBATCH --time=5", "", "   # indented comment", "module load x",
                                 "#SBATCH --mem=4G", "echo done"))
    assert list(parsed.directives) == ["time"]
    assert parsed.ignored == [(6, "#SBATCH --mem=4G")]
    assert parsed.body_line == 5 and parsed.body.startswith("module load x")


def test_last_value_wins_and_every_occurrence_is_kept():
    parsed = parse_script(script("#SBATCH -t 5", "#SBATCH --time=10"))
    assert parsed.value("time") == "10"
    assert [d.value for d in parsed.occurrences] == ["5", "10"]


@pytest.mark.parametrize("line, problem_id", [
    ("#SBATCH --bogus=1", "unknown-option"),
    ("#SBATCH -Z", "unknown-option"),
    ("#SBATCH --time", "missing-value"),
    ("#SBATCH --hold=yes", "unexpected-value"),
    ("#SBATCH --mem-per", "ambiguous-option"),
    ("#SBATCH 0-3", "not-an-option"),
    ("#SBATCH --job-name='x", "bad-directive-line"),
    ("# SBATCH --time=5", "spaced-directive"),
    ("#sbatch --time=5", "spaced-directive"),
    ("  #SBATCH --time=5", "spaced-directive"),
    ("#SLURM --time=5", "slurm-prefix"),
    ("#SBATCH hetjob", "hetjob-separator"),
])
def test_problems_sbatch_would_have(line, problem_id):
    parsed = parse_script(script(line, "true"))
    assert [p.id for p in parsed.problems] == [problem_id]
    assert parsed.problems[0].line == 2


def test_a_value_may_come_from_the_next_line_as_getopt_takes_it():
    parsed = parse_script(script("#SBATCH --mem", "#SBATCH -a"))
    assert parsed.value("mem") == "-a" and "array" not in parsed.directives


def test_prefix_of_a_long_option_and_optional_values():
    parsed = parse_script(script("#SBATCH --cpus-per-t=2 --exclusive --nice=5 -k"))
    assert parsed.value("cpus-per-task") == "2"
    assert parsed.directives["exclusive"].value is None
    assert parsed.value("nice") == "5"
    assert "no-kill" in parsed.directives


def test_prose_about_sbatch_is_not_a_near_miss():
    parsed = parse_script(script("# sbatch reads these lines", "#SBATCH--time=5", "true"))
    assert parsed.problems == [] and parsed.value("time") == "5"


def test_empty_script_and_no_directives():
    parsed = parse_script("")
    assert parsed.directives == {} and parsed.body == "" and parsed.body_line == 0
