"""The law as data: deadline rules, the calendar, rule values, legal updates and re-timing."""
