"""What the job form saved, so that reopening it shows the learner's script, not the defaults.

When the form saves a script it notes the template, the field values and the hash of the text
in `<workspace>/.hptune/forms/<hash of the path>.json`. Reopening the form on that path:
- the note matches the file: the form shows the saved values;
- the file is the exercise's untouched starter: the form takes the starter's #SBATCH values and
  the template's for what the starter leaves to the learner (its TODOs);
- the file was edited by hand: the form reads the `#SBATCH` lines of the file (the one reader,
  as sbatch does) into its resource fields and keeps the template's values for the rest, and
  says so.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from tui.fsutil import atomic_write_json
from tui.jobscript.spec import DIRECTIVE_FIELDS, JobSpec

FORMS_DIR = ".hptune/forms"
MAX_SCRIPT_BYTES = 1 << 20  # a job script larger than this is not read into the form


@dataclass(frozen=True)
class Remembered:
    template: str
    spec: JobSpec
    how: str  # "saved" (the form's own values), "starter" or "directives" (read from a hand-edited file)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _note_path(workspace: Path, script: Path) -> Path:
    key = hashlib.sha256(str(Path(script).resolve()).encode("utf-8")).hexdigest()[:16]
    return Path(workspace) / FORMS_DIR / f"{key}.json"


def remember(workspace: Path, script: Path, template: str, spec: JobSpec, text: str) -> None:
    """Note what the form wrote to `script` (best effort: a note that cannot be written is skipped)."""
    try:
        atomic_write_json(_note_path(workspace, script), {"path": str(Path(script).resolve()),
                                                          "template": template, "sha256": _digest(text),
                                                          "spec": spec.to_dict()})
    except OSError:
        pass


def recall(workspace: Path, script: Path, default_template: str) -> Remembered | None:
    """The form values for `script`: the saved ones, or its #SBATCH lines; None when there is no file."""
    text = _read(Path(script))
    if text is None:
        return None
    note = _read_note(_note_path(workspace, script))
    if note and note.get("sha256") == _digest(text) and isinstance(note.get("spec"), dict):
        return Remembered(str(note.get("template") or default_template), JobSpec.from_dict(note["spec"]), "saved")
    if _is_untouched_starter(Path(workspace), Path(script), text):  # the exercise's values, defaults for its TODOs
        return Remembered(default_template, directives_spec(text, default_template, keep_defaults=True), "starter")
    return Remembered(default_template, directives_spec(text, default_template), "directives")


def overwrite_needs_asking(workspace: Path, script: Path, template: str, text: str) -> bool:
    """Whether saving `text` over `script` should ask first: not when there is no file, when it
    holds this very text, or when it holds what the form saved there; yes for anything else."""
    if not Path(script).exists() or _read(Path(script)) == text:
        return False
    found = recall(workspace, script, template)
    return found is None or found.how != "saved"


def _is_untouched_starter(workspace: Path, script: Path, text: str) -> bool:
    """Whether `script` is a starter file exactly as `init` copied it (the manifest holds its hash)."""
    try:
        manifest = json.loads((workspace / ".hptune" / "manifest.json").read_text(encoding="utf-8"))
        rel = Path(script).resolve().relative_to(workspace.resolve()).as_posix()
    except (OSError, ValueError):
        return False
    return isinstance(manifest, dict) and manifest.get(rel) == _digest(text)


def directives_spec(text: str, template: str, keep_defaults: bool = False) -> JobSpec:
    """The template's starting values with the resource fields read from the script's #SBATCH lines
    (a field the script leaves out is empty, or keeps the template's value with `keep_defaults`)."""
    from tui.jobscript.parser import parse_script
    from tui.jobscript.templates import template_info

    spec = template_info(template).default_spec()
    parsed = parse_script(text)
    for name, option in DIRECTIVE_FIELDS.items():
        value = parsed.value(option)
        if isinstance(value, str) or not keep_defaults:
            setattr(spec, name, value if isinstance(value, str) else "")
    return spec


def _read(path: Path) -> str | None:
    try:
        if not path.is_file() or path.stat().st_size > MAX_SCRIPT_BYTES:
            return None
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _read_note(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
