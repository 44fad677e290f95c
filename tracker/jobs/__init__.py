"""Scheduled jobs: declared as data, run exactly once per slot, catching up after downtime."""
