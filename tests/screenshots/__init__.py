"""``make screenshots`` (``python -m tests.screenshots``): every screen into
``docs/screenshots/`` — developer tooling, not shipped with the application.

The staff screens at 1366×768 and page 1 of a GST invoice (:mod:`.staff_screens`); the
customer display and the kiosk at 1920×1080 (:mod:`.customer_screens`). The screens are
reached the way people reach them — signing in, clicking, typing — against data made
through the real services under a manual clock (:mod:`.demo_data`), so the pictures are
the same on every run. Run with ``QT_QPA_PLATFORM=offscreen``.
"""
