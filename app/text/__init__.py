"""Words every screen shares: errors for a person, plans and prices, dates, time left."""
