"""Keeping the local store and Stripe in step: outbox (writes), events and webhooks (news)."""
