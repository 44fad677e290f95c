"""Use cases: validate, load, call the rules, write and commit. Views and commands call these."""
