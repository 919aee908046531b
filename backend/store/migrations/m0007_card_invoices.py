"""Card invoices as payments: each Stripe invoice that was paid is one local payment.

Renewals and upgrade prorations are billed by Stripe without a checkout here; they are
recorded from Stripe's invoice events. The unique index makes ``invoice.paid`` and
``invoice.payment_succeeded`` for one invoice (by webhook and by polling) record it once;
failed attempts (one row per ``invoice.payment_failed`` event) are outside it.
"""

from backend.store.migrations import MIGRATIONS, run_script

CARD_INVOICES = """
CREATE UNIQUE INDEX payments_stripe_invoice ON payments(stripe_invoice_id)
    WHERE stripe_invoice_id IS NOT NULL AND status <> 'failed';
"""


@MIGRATIONS(name="0007_card_invoices")
def card_invoices(store) -> None:
    run_script(store, CARD_INVOICES)
