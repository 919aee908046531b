"""Service functions: each state change runs in one SQLite transaction.

Every function takes a :class:`~backend.context.Context` first and an
``actor`` (who asked: ``staff:3``, ``cli``, ``api:kiosk-1``, ``system``) where it changes
something, so the audit log can say who did what.
"""
