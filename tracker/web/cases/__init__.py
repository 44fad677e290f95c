"""Case pages (vụ việc): list by due date, case page with clocks, timeline and actions, "why this date?"."""
