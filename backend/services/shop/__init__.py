"""The shop itself: customers, staff, API tokens and the editable settings."""
