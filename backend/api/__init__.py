"""The local REST API: the original ``/payments/…`` service over the same backend
functions the GUI uses. Build it with :func:`backend.api.app.create_app`; nothing here
runs at import time."""

DEFAULT_HOST = "127.0.0.1"  # loopback unless told otherwise
DEFAULT_PORT = 8765
