"""hptune-tui: the terminal companion of a course on hyperparameter tuning on SLURM."""

__version__ = "0.1.0"
