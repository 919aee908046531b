"""The customer-facing display: the window, where it goes, what drives it (the staff
window's checkout, or when it runs stand-alone the payments of the till it is paired
with)."""
