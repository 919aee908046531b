"""Billing and subscriptions: UPI and card plans, plan changes, GST invoices and
their gapless numbers."""
