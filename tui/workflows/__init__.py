"""Workflows: the one Textual-free path for each job that both the CLI and the screens do.

`hptune-tui submit` and the form's Submit call `submit.submit_script`; `status` and the jobs screen
call `jobs`; `results` and the trials screen call `results`. So the two faces cannot disagree.
"""
