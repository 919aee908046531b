"""Adapters to the outside world (Stripe, UPI URIs and QR codes, payment service providers,
mail, printing), built by bootstrap."""
