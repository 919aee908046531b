"""Payment service providers that confirm UPI payments (Razorpay first)."""
