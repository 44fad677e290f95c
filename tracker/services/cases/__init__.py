"""Use cases of cases: legal steps, clocks, instructions, mediation groups, the public status."""
