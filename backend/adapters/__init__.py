"""Adapters to the outside world (Stripe, UPI PSPs, mail, printing), built by bootstrap."""
