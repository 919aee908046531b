"""AUTOOS Checkout backend: everything that is not GUI.

Nothing here connects, reads files or starts threads at import time; the composition
root is :mod:`backend.bootstrap`.
"""
