"""Adapters to the world outside the store: Stripe, UPI PSPs, mail, printing."""
