"""Admin-only pages of the staff window: dashboard, settings, staff, reminders, exports."""
