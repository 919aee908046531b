"""The one declared application interface.

:class:`CheckoutApi` holds every operation, declared once (:func:`operation`) with its
argument and result types, the roles that may call it and its REST verb and path. The
GUI and the CLI call it in-process; ``backend.api`` generates the REST routes and the
remote client from the same declarations. Permissions are checked here, for every front
end; the rules themselves live in the services and the domain below.
"""

from backend.interface.checkout_api import CheckoutApi
from backend.interface.declare import (
    ADMIN,
    ALL_ROLES,
    AUTOOS,
    COUNTER,
    KIOSK,
    STAFF,
    Caller,
    Operation,
    operation,
    operation_of,
    operations,
)

__all__ = [
    "ADMIN",
    "ALL_ROLES",
    "AUTOOS",
    "COUNTER",
    "KIOSK",
    "STAFF",
    "Caller",
    "CheckoutApi",
    "Operation",
    "operation",
    "operation_of",
    "operations",
]
