"""Payments of every method: the payment-event ledger and the read-only lists."""
