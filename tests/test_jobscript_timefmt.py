"""sbatch time limits: every format, the words, and the refusals."""

import pytest

from tui.jobscript.timefmt import TimeFormatError, describe_seconds, parse_time, time_in_words


@pytest.mark.parametrize("text, seconds, form", [
    ("10", 600, "MM"),
    ("10:00", 600, "MM:SS"),
    ("1:30", 90, "MM:SS"),
    ("01:00:00", 3600, "HH:MM:SS"),
    ("100:00:00", 360000, "HH:MM:SS"),
    ("1-12", 129600, "D-HH"),
    ("2-03:04", 183840, "D-HH:MM"),
    ("1-00:00:05", 86405, "D-HH:MM:SS"),
    ("UNLIMITED", None, "UNLIMITED"),
    ("infinite", None, "UNLIMITED"),
    ("-1", None, "UNLIMITED"),
    ("0", None, "MM"),
])
def test_every_sbatch_format_parses(text, seconds, form):
    limit = parse_time(text)
    assert (limit.seconds, limit.form) == (seconds, form)


@pytest.mark.parametrize("text", ["", "1h", "10:00:00:00", "1-", "-5", "1-2-3", " 10", "10 ", "١٠",
                                  "1.5", ":30", "10::00", "1" * 40])
def test_bad_time_is_refused_with_the_formats(text):
    with pytest.raises(TimeFormatError) as exc:
        parse_time(text)
    assert "HH:MM:SS" in str(exc.value)


@pytest.mark.parametrize("text, words", [
    ("10:00", "10 minutes"),
    ("10:00:00", "10 hours"),
    ("1-1:1:1", "1 day 1 hour 1 minute 1 second"),
    ("0", "no time limit"),
    ("90", "1 hour 30 minutes"),
])
def test_time_in_words(text, words):
    assert time_in_words(text) == words


def test_out_of_range_fields_are_noted_but_accepted():
    assert parse_time("10:75").out_of_range.startswith("75 in the seconds")
    assert parse_time("1-25").out_of_range.startswith("25 in the hours")
    assert parse_time("1:59:59").out_of_range == ""


def test_describe_zero_seconds():
    assert describe_seconds(0) == "0 seconds"
    assert "not a time limit" in time_in_words("soon")
