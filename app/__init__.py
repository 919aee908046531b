"""PySide6 GUI: staff window, customer display, kiosk. Imports backend; never the reverse."""
