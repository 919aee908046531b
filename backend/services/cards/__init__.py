"""Card payments through Stripe: Checkout, refunds, saved cards, and keeping the
local mirror in step with Stripe (catalog and customers pushed, events applied)."""
