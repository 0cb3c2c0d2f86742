import pytest

from tui.course.catalog import CatalogError, bundled_catalog, load_catalog
from tui.course.steps import split_steps


def test_bundled_catalog_has_lessons_and_three_exercises():
    cat = bundled_catalog()
    assert len(cat.lessons) >= 6
    assert [e.id for e in cat.exercises] == ["01", "02", "03"]
    for item in cat.items:
        assert item.steps, f"{item.id} has no steps"


def test_exercise_lookup_by_id_number_or_folder_and_unknown_names_valid_ones():
    cat = bundled_catalog()
    assert cat.exercise("1").id == cat.exercise("01_random_search").id == "01"
    with pytest.raises(KeyError, match="valid exercises: 01"):
        cat.exercise("99")


def test_split_steps_ignores_headings_in_code_fences():
    title, steps = split_steps("# T\n\nintro\n\n## A\ntext\n```\n## not a step\n```\n## B\nmore\n")
    assert title == "T"
    assert [s.title for s in steps] == ["Introduction", "A", "B"]
    assert "## not a step" in steps[1].markdown


def test_catalog_errors_name_the_problem(tmp_path):
    bad = tmp_path / "info.toml"
    bad.write_text('[[lessons]]\nid = "x"\ntitle = "X"\nfile = "missing.md"\n')
    with pytest.raises(CatalogError, match="missing.md does not exist"):
        load_catalog(bad)
    bad.write_text("[[lessons]\n")
    with pytest.raises(CatalogError, match="cannot read"):
        load_catalog(bad)
