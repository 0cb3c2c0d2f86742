"""Long-lived services the app makes once and owns (the job service); Textual-free."""
