"""Running the installation: users, units, tokens, mergers, backup, mail, inbox, demo data."""
