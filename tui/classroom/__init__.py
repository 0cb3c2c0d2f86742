"""The teacher's side: learners publish a small summary to a shared class folder, the teacher reads them.

`summary` builds a learner's summary from their workspace, `publish` writes it safely (opt-in:
only when the `class_dir` setting names a folder), `model` is the summary's schema and its
strict reader, `collect` reads a class folder (bounded, skipping anything odd) and `report`
turns the summaries into the class view's tables. Textual-free.
"""
