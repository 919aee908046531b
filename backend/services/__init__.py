"""Service functions: each state change runs in one SQLite transaction.

Every function takes a :class:`~backend.context.Context` first and an
``actor`` (who asked: ``staff:3``, ``cli``, ``api:kiosk-1``, ``system``) where it changes
something, so the audit log can say who did what.
"""

from backend.sync import outbox


def _load_stripe_writes() -> None:
    """Import the services whose Stripe writes the outbox sends (each registers its
    build and apply functions); the outbox asks before its first send."""
    from backend.services.autopay import stripe_autopay  # noqa: F401
    from backend.services.billing import card_subscriptions  # noqa: F401
    from backend.services.cards import (  # noqa: F401
        card_checkout,
        card_refunds,
        stripe_catalog,
        stripe_customers,
    )


outbox.set_loader(_load_stripe_writes)
