"""Pure computations behind the lessons: overhead/Gantt model, grid vs random, conjugate priors,
the method race and prior draws. Nothing here imports textual; optuna is imported lazily."""
