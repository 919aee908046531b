"""UPI AutoPay: plans paid by a UPI mandate that renew themselves.

- :mod:`.sales` — the front door: what a plan's mandate would be, starting a sale,
  following it, cancelling, and plan changes — whatever the provider;
- :mod:`.stripe_autopay` — Stripe: a Checkout Session in subscription mode paid by UPI
  (its lifecycle is a card checkout's), the mandate revoked by detaching its payment
  method, an overdue invoice marked paid out of band — every write through the outbox;
- :mod:`.razorpay_autopay` — Razorpay Subscriptions: a plan, a subscription whose
  authorisation link sets up the mandate, and its signed webhooks, each applied once;
- :mod:`.dunning` — a failed renewal: a notice for staff ("needs attention"), one email
  to the customer, a one-time UPI QR for the overdue period, or a new mandate;
- :mod:`.mandates` — the mandate's terms on a subscription, for screens and receipts.
"""
