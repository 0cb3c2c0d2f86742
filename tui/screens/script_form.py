"""The job-script form: fields on the left, the live script on the right, errors under each field.

Every keystroke rebuilds the JobSpec, validates it (against the cached cluster limits, when
discovery has run) and re-renders the preview. The line under the preview explains the focused
directive. `ctrl+s` saves, asking before it overwrites. Checking on the cluster (`sbatch
--test-only`) and submitting go through the backend in workers: see `action_test_on_cluster`
and `action_submit`.
"""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Input, Label, Select, Static

from tui.jobscript.explain import field_help
from tui.jobscript.limits import ClusterLimits, site_limits
from tui.jobscript.spec import JobSpec
from tui.jobscript.templates import TEMPLATES, TemplateInfo, template_info, validate_for
from tui.screens.base import CourseScreen
from tui.screens.script_form_actions import FormActions

# (field, label); the label column is 9 wide so that a field row fits 36 columns.
DIRECTIVE_ROWS = [("job_name", "name"), ("account", "account"), ("partition", "partition"), ("time", "time"),
                  ("nodes", "nodes"), ("cpus_per_task", "cpus"), ("mem", "memory"), ("gpus_per_node", "gpus/node"),
                  ("array", "array"), ("output", "output"), ("error", "error"), ("workdir", "workdir")]
ENV_ROWS = [("modules", "modules"), ("image", "image"), ("venv", "venv")]
ENV_KINDS = ("none", "modules", "apptainer", "venv")
ENV_FIELD = {"modules": "modules", "apptainer": "image", "venv": "venv"}


# The label column is 9 characters wide: short words for the extras whose names are longer
# (the full name and its help show below the form when the field has the focus).
EXTRA_LABELS = {"study_name": "study", "server_dir": "server", "idle_timeout": "idle stop",
                "workers_by": "start by", "worker_script": "worker sh", "alloc_time": "job limit",
                "alloc_args": "job opts"}


def extra_label(key: str) -> str:
    """The form's label for a template extra (at most 9 characters)."""
    return EXTRA_LABELS.get(key, key.replace("_", " "))[:9]


def _row(key: str, label: str, value: str) -> ComposeResult:
    with Horizontal(classes="field-row", id=f"row-{key}"):
        yield Label(label, classes="field-label")
        yield Input(value, id=f"f-{key}", compact=True, select_on_focus=False)
    yield Static("", id=f"e-{key}", classes="field-error")


class ScriptFormScreen(FormActions, CourseScreen):
    """Build a job script from a template with a form; `ctrl+s` saves it."""

    BACK_KEYS = "escape"
    BINDINGS = [
        Binding("ctrl+s", "save", "Save"),
        Binding("ctrl+t", "test_on_cluster", "Test on cluster"),
        Binding("ctrl+r", "submit", "Submit"),
    ]

    def __init__(self, template: str = "array.sh.j2", exercise: str | None = None) -> None:
        super().__init__()
        self.info: TemplateInfo = template_info(template)
        self.exercise = exercise  # an exercise id: the script is saved as that exercise's job.sh
        self.limits = ClusterLimits()
        self.errors: dict[str, str] = {}
        self.script_text = ""
        self.origin = ""  # where the values came from: the saved form, or a hand-edited file's #SBATCH lines

    @classmethod
    def from_arg(cls, arg: str | None) -> "ScriptFormScreen":
        """`script:TEMPLATE` (array by default) or `script:TEMPLATE@EXERCISE` (saves EXERCISE's job.sh)."""
        template, _, exercise = (arg or "array.sh.j2").partition("@")
        if exercise:
            from tui.course.catalog import bundled_catalog

            exercise = bundled_catalog().exercise(exercise).id  # KeyError names the valid ones
        return cls(template or "array.sh.j2", exercise or None)

    # ---- layout -------------------------------------------------------------------------------
    def compose_body(self) -> ComposeResult:
        spec = self.info.default_spec()
        with Horizontal(id="script-body"):
            with VerticalScroll(id="script-fields"):
                with Horizontal(classes="field-row"):
                    yield Label("template", classes="field-label")
                    yield Select([(name[:-6], name) for name in TEMPLATES], value=self.info.name,
                                 allow_blank=False, compact=True, id="f-template")
                for key, label in DIRECTIVE_ROWS:
                    yield from _row(key, label, getattr(spec, key))
                with Horizontal(classes="field-row"):
                    yield Label("software", classes="field-label")
                    yield Select([(kind, kind) for kind in ENV_KINDS], value=spec.env, allow_blank=False,
                                 compact=True, id="f-env")
                yield from _row("modules", "modules", " ".join(spec.modules))
                yield from _row("image", "image", spec.image)
                yield from _row("venv", "venv", spec.venv)
                yield from _row("command", "command", spec.command)
                yield Vertical(id="script-extras")
                yield from _row("save", "save as", str(self._default_path()))
            with Vertical(id="script-side"):
                with VerticalScroll(id="script-preview-scroll"):
                    yield Static(id="script-preview")
                yield Static(id="script-result")
                yield Static(id="script-explain")
                yield Static(id="script-status")

    def _default_path(self) -> Path:
        workspace = getattr(getattr(self.app, "settings", None), "workspace", None) if self.is_attached else None
        if self.exercise and workspace:
            return Path(workspace) / self.app.catalog.exercise(self.exercise).dir / "job.sh"
        return Path(workspace or Path.cwd()) / (self.info.name[:-len(".j2")])

    async def on_mount(self) -> None:
        self.sub_title = f"job script: {self.info.title}"
        self.limits = self._cached_limits()
        self.query_one("#f-save", Input).value = str(self._default_path())
        spec = self._recall()
        await self._mount_extras(spec)
        self._show_env_rows(spec.env)
        self._show_directive_rows()
        self.query_one("#f-job_name" if self.info.batch else "#f-command", Input).focus()
        self.refresh_preview()

    def _recall(self) -> JobSpec:
        """The values of the script already at the save path (what this form saved, or the #SBATCH
        lines of a file edited by hand), filled into the fields; else the template's defaults."""
        from tui.jobscript.form_memory import recall

        workspace = getattr(self.app.settings, "workspace", None)
        found = recall(workspace, self._default_path(), self.info.name) if workspace else None
        if found is None:
            return self.info.default_spec()
        if found.template != self.info.name and found.template in TEMPLATES:
            self.info = template_info(found.template)
            self.sub_title = f"job script: {self.info.title}"
            with self.prevent(Select.Changed):
                self.query_one("#f-template", Select).value = self.info.name
        name = self._default_path().name
        self.origin = {"saved": f"your saved {name}", "starter": f"starter {name}"}.get(
            found.how, f"#SBATCH of your {name}")
        self._fill(found.spec)
        return found.spec

    def _fill(self, spec: JobSpec) -> None:
        with self.prevent(Input.Changed, Select.Changed):
            for key, _ in DIRECTIVE_ROWS:
                self.query_one(f"#f-{key}", Input).value = getattr(spec, key)
            self.query_one("#f-env", Select).value = spec.env if spec.env in ENV_KINDS else "none"
            self.query_one("#f-modules", Input).value = " ".join(spec.modules)
            self.query_one("#f-image", Input).value = spec.image
            self.query_one("#f-venv", Input).value = spec.venv
            self.query_one("#f-command", Input).value = spec.command

    def _cached_limits(self) -> ClusterLimits:
        """The limits `doctor` recorded (`site_limits`, as lint and submit use); never runs a command here."""
        return site_limits(getattr(getattr(self.app, "settings", None), "workspace", None))

    async def _mount_extras(self, spec: JobSpec) -> None:
        box = self.query_one("#script-extras", Vertical)
        await box.remove_children()
        widgets = []
        for key in self.info.extras:
            row = Horizontal(Label(extra_label(key), classes="field-label"),
                             Input(spec.extras.get(key, ""), id=f"f-extras-{key}", compact=True),
                             classes="field-row", id=f"row-extras-{key}")
            widgets += [row, Static("", id=f"e-extras-{key}", classes="field-error")]
        await box.mount_all(widgets)

    def _show_directive_rows(self) -> None:
        # A login-node helper has no #SBATCH lines, so its form has no resource fields.
        for key, _ in DIRECTIVE_ROWS:
            self.query_one(f"#row-{key}").display = self.info.batch

    def _show_env_rows(self, env: str) -> None:
        for kind, field in ENV_FIELD.items():
            self.query_one(f"#row-{field}").display = env == kind
            self.query_one(f"#e-{field}").display = env == kind and bool(self.errors.get(field))

    # ---- the model ----------------------------------------------------------------------------
    def current_spec(self) -> JobSpec:
        """The JobSpec the fields describe right now."""
        def value(key: str) -> str:
            return self.query_one(f"#f-{key}", Input).value

        spec = JobSpec(**{key: value(key) for key, _ in DIRECTIVE_ROWS}) if self.info.batch else JobSpec()
        env = self.query_one("#f-env", Select).value
        spec.env = env if isinstance(env, str) else "none"
        # Only the set-up chosen counts: a hidden field must not block the script.
        if spec.env == "modules":
            spec.modules = value("modules").replace(",", " ").split()
        spec.image = value("image") if spec.env == "apptainer" else ""
        spec.venv = value("venv") if spec.env == "venv" else ""
        spec.command = value("command")
        spec.extras = {key: value(f"extras-{key}") for key in self.info.extras
                       if self.query(f"#f-extras-{key}")}
        return spec

    def refresh_preview(self) -> None:
        """Validate, show each field's error beside it, and re-render the preview when valid."""
        spec = self.current_spec()
        if set(spec.extras) != set(self.info.extras):
            return  # the extras of a new template are still being mounted
        self.errors = validate_for(self.info, spec, self.limits)
        for error in self.query(".field-error").results(Static):
            suffix = (error.id or "")[2:]
            message = self.errors.get(suffix.replace("extras-", "extras.", 1), "")
            error.update(message)
            error.display = bool(message) and self.query_one(f"#row-{suffix}").display
        self._render_preview(spec)
        self._explain(self.focused)

    def _render_preview(self, spec: JobSpec) -> None:
        from rich.syntax import Syntax

        from tui.jobscript.render import render

        status = self.query_one("#script-status", Static)
        if self.errors:
            count = len(self.errors)
            status.update(f"{count} field{'s' * (count != 1)} to fix (preview: last valid script)")
            status.set_class(True, "-bad")
            return
        self.script_text = render(self.info.name, spec, self.limits)
        self.query_one("#script-preview", Static).update(
            Syntax(self.script_text, "bash", theme="ansi_dark", word_wrap=False, background_color="default"))
        status.update(f"valid script ({self.origin})" if self.origin else "valid script")
        status.set_class(False, "-bad")
        self._warn_software()

    def _warn_software(self) -> None:
        """Over ssh the compute nodes' software is the cluster's: say so when the script sets none up."""
        from tui.cluster.factory import chosen
        from tui.jobscript.parser import parse_script
        from tui.jobscript.software import software_finding

        try:
            remote = chosen(self.app.settings) == "ssh"
        except Exception:  # noqa: BLE001 - an unknown backend is reported elsewhere
            remote = False
        finding = software_finding(parse_script(self.script_text), remote=True) if remote else None
        if finding is not None:
            self._show_result(f"software: line {finding[1]} runs python with nothing set up; on the cluster "
                              "choose software = modules, venv or apptainer", ok=False)
        elif str(self.query_one("#script-result", Static).render()).startswith("software:"):
            self._show_result("")

    # ---- events -------------------------------------------------------------------------------
    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        if event.input.id != "f-save":
            self.refresh_preview()

    @on(Select.Changed, "#f-env")
    def _env_changed(self, event: Select.Changed) -> None:
        self._show_env_rows(str(event.value))
        self.refresh_preview()

    @on(Select.Changed, "#f-template")
    async def _template_changed(self, event: Select.Changed) -> None:
        if event.value == self.info.name:
            return
        self.info = template_info(str(event.value))
        self.sub_title = f"job script: {self.info.title}"
        spec = self.info.default_spec()
        for key, _ in DIRECTIVE_ROWS + [("command", "")]:
            self.query_one(f"#f-{key}", Input).value = getattr(spec, key)
        self.query_one("#f-save", Input).value = str(self._default_path())
        await self._mount_extras(spec)
        self._show_directive_rows()
        self.refresh_preview()

    def on_descendant_focus(self, event) -> None:
        self._explain(event.widget)

    def _explain(self, widget) -> None:
        key = (getattr(widget, "id", None) or "")[2:].replace("extras-", "extras.", 1)
        text = field_help(key, self.current_spec(), self.info, self.limits)
        self.query_one("#script-explain", Static).update(text)
