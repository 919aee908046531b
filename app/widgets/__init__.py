"""Widgets shared by the till, the kiosk and the customer display, and the one look."""
