"""sbatch --array specifications."""

import pytest

from tui.jobscript.arrays import ArrayFormatError, parse_array


@pytest.mark.parametrize("text, ids, limit", [
    ("0-3", [0, 1, 2, 3], None),
    ("1,3,5-9", [1, 3, 5, 6, 7, 8, 9], None),
    ("0-15:4", [0, 4, 8, 12], None),
    ("0-31%4", list(range(32)), 4),
    ("7", [7], None),
    ("3,1,3", [1, 3], None),  # duplicates merge, order does not matter
    ("0-10:5%1", [0, 5, 10], 1),
])
def test_valid_arrays(text, ids, limit):
    spec = parse_array(text)
    assert spec.task_ids() == ids
    assert spec.limit == limit
    assert spec.count == len(ids)


@pytest.mark.parametrize("text, words", [
    ("", "empty"),
    ("5-1", "backwards"),
    ("0-10:0", "step"),
    ("0-9%0", "%0"),
    ("0-9%", "after %"),
    ("0-9%x", "after %"),
    ("0 - 9", "remove the spaces"),
    ("a-b", "not a task id"),
    ("1,,2", "not a task id"),
    ("-1", "not a task id"),
    ("0-4000001", "too large"),
    ("1.5", "not a task id"),
])
def test_bad_arrays_say_what_is_wrong(text, words):
    with pytest.raises(ArrayFormatError) as exc:
        parse_array(text)
    assert words in str(exc.value)


def test_max_array_size_is_enforced_when_known():
    assert parse_array("0-1000", max_array_size=1001).count == 1001
    with pytest.raises(ArrayFormatError) as exc:
        parse_array("0-1001", max_array_size=1001)
    assert "MaxArraySize is 1001" in str(exc.value)


def test_describe():
    assert parse_array("0-31%8").describe() == "32 tasks (ids 0-31), at most 8 at a time"
    assert parse_array("4").describe() == "1 task (id 4), all may run at once"


def test_huge_range_is_cheap():
    spec = parse_array("0-3999999%100")
    assert spec.count == 4_000_000 and spec.max_id == 3_999_999
