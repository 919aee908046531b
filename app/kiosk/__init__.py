"""Self-service kiosk (``autoos-checkout kiosk``): the window, its pages and its guards."""
