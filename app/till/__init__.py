"""The staff till: PIN login, the checkout, customers, payments, receipts and the sync
state (the staff window; its admin pages are in :mod:`app.admin`)."""
