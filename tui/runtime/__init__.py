"""The job side: data, model, training loop and metric logger that run inside array tasks.

Importing this package is cheap on purpose (login nodes and the checks import it): torch and
scikit-learn are imported inside the functions that need them. Nothing here imports textual,
paramiko or tui.cluster.

Entry points:
    python -m tui.runtime.trial --run-dir DIR --trial ID --params-json '{...}'
    python -m tui.runtime.random_search --run-dir DIR --sampler sample.py --task-id N
"""
