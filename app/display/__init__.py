"""The customer-facing display: the window, where it goes, what drives it (the staff
window's link, or a feed from the store when it runs stand-alone)."""
