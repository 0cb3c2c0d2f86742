"""Exercise checks: learner code runs in a subprocess with a timeout; each check has a stable
id, a message that says what was expected and what was found, and progressive hints."""
