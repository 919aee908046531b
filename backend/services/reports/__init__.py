"""Reports: the dashboard, CSV exports and trial reminders."""
