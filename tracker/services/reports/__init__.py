"""Read sides and jobs of reporting: the period report, the weekly list, the dashboard, reminders."""
