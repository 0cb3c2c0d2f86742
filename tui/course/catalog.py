"""The course catalog (`exercises/info.toml`): lessons and exercises, typed and validated."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from tui import tomlio
from tui.course.steps import Step, split_steps
from tui.resources import exercises_dir, solutions_dir


class CatalogError(ValueError):
    """The catalog file is missing a field or names a file that does not exist."""


@dataclass(frozen=True)
class Item:
    """A lesson or an exercise: something with steps and progress."""

    id: str
    kind: str  # "lesson" | "exercise"
    title: str
    source: Path  # the Markdown file with the steps
    views: tuple[str, ...] = ()
    templates: tuple[str, ...] = ()
    optional: bool = False
    dir: str = ""
    checks: str = ""  # an exercise's checks module (tui.checks.contract.ExerciseChecks)

    @property
    def steps(self) -> list[Step]:
        return _steps(self.source)

    @property
    def starter_dir(self) -> Path | None:
        return exercises_dir() / self.dir if self.kind == "exercise" else None

    @property
    def solution_dir(self) -> Path | None:
        return solutions_dir() / self.dir if self.kind == "exercise" else None


@dataclass(frozen=True)
class Catalog:
    lessons: tuple[Item, ...]
    exercises: tuple[Item, ...]
    by_id: dict[str, Item] = field(default_factory=dict, compare=False)

    @property
    def items(self) -> tuple[Item, ...]:
        return self.lessons + self.exercises

    def get(self, item_id: str) -> Item:
        try:
            return self.by_id[item_id]
        except KeyError:
            raise KeyError(f"unknown id {item_id!r}; valid ids: {', '.join(self.by_id)}") from None

    def exercise(self, exercise_id: str) -> Item:
        """Find an exercise by id ("01"), by number ("1") or by folder name ("01_random_search")."""
        for ex in self.exercises:
            if exercise_id in (ex.id, ex.dir, ex.id.lstrip("0")):
                return ex
        valid = ", ".join(f"{ex.id} ({ex.dir})" for ex in self.exercises)
        raise KeyError(f"unknown exercise {exercise_id!r}; valid exercises: {valid}")


@lru_cache(maxsize=64)
def _steps(source: Path) -> list[Step]:
    return split_steps(source.read_text(encoding="utf-8"))[1]


def _item(raw: dict, kind: str, root: Path) -> Item:
    for key in ("id", "title"):
        if not isinstance(raw.get(key), str) or not raw[key]:
            raise CatalogError(f"a {kind} in the catalog has no {key!r}: {raw}")
    if kind == "lesson":
        source = root / raw.get("file", "")
    else:
        source = root / raw.get("dir", "") / "README.md"
    if not source.is_file():
        raise CatalogError(f"{kind} {raw['id']!r}: {source} does not exist")
    if kind == "exercise":
        _check_module_exists(raw)
    return Item(
        id=raw["id"], kind=kind, title=raw["title"], source=source,
        views=tuple(raw.get("views", ())), templates=tuple(raw.get("templates", ())),
        optional=bool(raw.get("optional", False)), dir=raw.get("dir", ""), checks=raw.get("checks", ""),
    )


def _check_module_exists(raw: dict) -> None:
    """An exercise names its checks module, and it exists. Cheap: found, not imported (the app
    starts without importing any check); `tui.checks.contract.load_checks` checks the rest on use."""
    import importlib.util

    name = raw.get("checks")
    if not isinstance(name, str) or not name:
        raise CatalogError(f"exercise {raw['id']!r} names no checks module (checks = \"tui.checks.exNN\")")
    try:
        found = importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        found = False
    if not found:
        raise CatalogError(f"exercise {raw['id']!r}: its checks module {name} does not exist")


def load_catalog(path: Path | None = None) -> Catalog:
    """Load and validate the catalog (default: the bundled `exercises/info.toml`)."""
    path = path or exercises_dir() / "info.toml"
    try:
        raw = tomlio.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomlio.TOMLDecodeError) as exc:
        raise CatalogError(f"cannot read the course catalog {path}: {exc}") from exc
    lessons = tuple(_item(r, "lesson", path.parent) for r in raw.get("lessons", []))
    exercises = tuple(_item(r, "exercise", path.parent) for r in raw.get("exercises", []))
    by_id: dict[str, Item] = {}
    for item in lessons + exercises:
        if item.id in by_id:
            raise CatalogError(f"the catalog uses the id {item.id!r} twice")
        by_id[item.id] = item
    return Catalog(lessons, exercises, by_id)


@lru_cache(maxsize=1)
def bundled_catalog() -> Catalog:
    return load_catalog()
