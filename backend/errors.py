"""The one error hierarchy of AUTOOS Checkout.

Every error a person can meet derives from :class:`CheckoutError` and carries a message
written for a cashier (``str(err)``), never a secret or a traceback. Callers catch the
narrowest branch they can act on::

    CheckoutError
    ├── ValidationError          bad input at a boundary (form, CLI, API, CSV, webhook)
    │   ├── FieldsInvalid        several fields refused at once, each with its reason
    │   └── SignatureError       a webhook signature that does not verify
    ├── NotFound                 no such customer, payment, staff member, ...
    ├── Conflict                 the change contradicts what is stored
    │   ├── DuplicateError       e.g. a customer with that email already exists
    │   ├── IdempotencyConflict  a reused idempotency key / event id with other content
    │   └── StateError           e.g. confirming a cancelled payment
    ├── AuthError                who you are or what you may do
    │   ├── WrongPin
    │   ├── AccountLocked
    │   └── PermissionDenied
    ├── ConfigError              a malformed catalog or settings file
    │   └── NotConfigured        a feature whose keys/settings are absent
    ├── ExternalError            Stripe, a PSP or SMTP answered badly
    │   ├── TransientError       worth retrying: offline, timeout, 409, 429, 5xx
    │   │   └── ProviderBusy     it answered, with an error worth retrying (429, 5xx)
    │   └── RejectedError        refused for good (other 4xx); retrying will not help
    └── StoreError               the database could not be opened or written
"""

from __future__ import annotations


class CheckoutError(Exception):
    """Base of every error meant for a person. ``code`` is stable, for the API and CLI."""

    code = "error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message


class ValidationError(CheckoutError):
    code = "invalid"


class FieldsInvalid(ValidationError):
    """Several inputs refused at once: ``problems`` maps each field to its reason, so a
    form marks every wrong field together (the message lists them all; ``field`` is the
    first, for a screen to focus)."""

    def __init__(self, problems: dict[str, str], what: str = "details") -> None:
        self.problems = dict(problems)
        reasons = list(self.problems.values())
        message = (
            reasons[0]
            if len(reasons) == 1
            else f"{len(reasons)} {what} need fixing: " + " · ".join(reasons)
        )
        super().__init__(message, field=next(iter(self.problems)))


class SignatureError(ValidationError):
    code = "bad_signature"


class NotFound(CheckoutError):
    code = "not_found"


class Conflict(CheckoutError):
    code = "conflict"


class DuplicateError(Conflict):
    code = "duplicate"


class IdempotencyConflict(Conflict):
    code = "idempotency_conflict"


class StateError(Conflict):
    code = "wrong_state"


class AuthError(CheckoutError):
    code = "auth"


class WrongPin(AuthError):
    code = "wrong_pin"


class AccountLocked(AuthError):
    code = "locked"


class PermissionDenied(AuthError):
    code = "forbidden"


class ConfigError(CheckoutError):
    code = "config"


class NotConfigured(ConfigError):
    code = "not_configured"


class ExternalError(CheckoutError):
    code = "external"


class TransientError(ExternalError):
    code = "unavailable"


class ProviderBusy(TransientError):
    """The provider answered — it is reachable — but with an error worth retrying. Not
    "offline": the request may even have been carried out (retry with its key)."""


class RejectedError(ExternalError):
    code = "rejected"


class StoreError(CheckoutError):
    code = "store"


class ConstraintViolation(StoreError):
    """A write broke a rule the schema enforces, on either engine. ``kind`` says which:
    "unique", "foreign_key", "check", "not_null", or "rule" (a guard trigger such as
    "credit balance would go below zero" or "audit_log is append-only")."""

    code = "constraint"

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class StoreClosed(StoreError):
    """The store was closed while someone still read from it (a window or feed that
    outlived its process's store): the reader stops quietly."""
