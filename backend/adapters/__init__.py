"""Adapters to the outside world (UPI URIs and QR codes, payment service providers, mail,
printing), built by bootstrap."""
