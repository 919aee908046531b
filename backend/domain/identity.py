"""Normalising the ways people write emails and phone numbers.

Two forms each: the *contact* form we store and show (trimmed, lower-case email; E.164
phone), and the *identity* key used to allow one free trial per person, which also
folds tricks like ``name+1@…`` and dots in Gmail addresses.
"""

from __future__ import annotations

import re

from backend.errors import ValidationError

_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)
_GMAIL = {"gmail.com", "googlemail.com"}
NAME_MAX = 100


def normalize_name(name: str) -> str:
    cleaned = " ".join((name or "").split())
    if not cleaned:
        raise ValidationError("Enter the customer's name.", field="name")
    if len(cleaned) > NAME_MAX:
        raise ValidationError(f"The name is too long (at most {NAME_MAX} letters).", field="name")
    if any(ord(ch) < 32 for ch in cleaned):
        raise ValidationError("The name contains control characters.", field="name")
    return cleaned


def normalize_email(email: str) -> str:
    """Trim and lower-case; refuse what is not an email address."""
    cleaned = (email or "").strip().lower()
    if len(cleaned) > 254 or not _EMAIL.match(cleaned) or ".." in cleaned:
        raise ValidationError(
            f"{email.strip()!r} is not an email address (like name@example.com).", field="email"
        )
    return cleaned


def email_identity(email: str) -> str:
    """The person behind an address: ``A.B+x@gmail.com`` and ``ab@gmail.com`` are one."""
    local, _, domain = normalize_email(email).partition("@")
    local = local.split("+", 1)[0]
    if domain in _GMAIL:
        local = local.replace(".", "")
        domain = "gmail.com"
    return f"email:{local}@{domain}"


#: what may stand between the digits of a phone number as people write it
DIALABLE = frozenset(" +-().")


def normalize_phone(phone: str, default_region: str = "IN") -> str:
    """E.164 (``+919876543210``). Numbers without a country code are read as Indian."""
    import phonenumbers

    raw = (phone or "").strip()
    if not raw:
        raise ValidationError("Enter a phone number.", field="phone")
    stray = [ch for ch in raw if not (ch.isdigit() and ch.isascii()) and ch not in DIALABLE]
    if stray:
        # phonenumbers would read letters as keypad digits: 98765abc10 is not a typo to fix
        raise ValidationError(
            f"{raw!r} is not a phone number: it has {''.join(dict.fromkeys(stray))!r} in it. "
            "Type digits only (spaces, + and - are fine).",
            field="phone",
        )
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    try:
        parsed = phonenumbers.parse(raw, default_region)
    except phonenumbers.NumberParseException:
        raise ValidationError(f"{raw!r} is not a phone number.", field="phone") from None
    if not phonenumbers.is_valid_number(parsed):
        raise ValidationError(
            f"{raw!r} is not a valid phone number (Indian numbers have 10 digits; "
            "others need their +country code).",
            field="phone",
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def readable_phone(e164: str | None) -> str:
    """``+919876543210`` as people read it (``+91 98765 43210``): screens and invoices."""
    if not e164:
        return ""
    import phonenumbers

    try:
        number = phonenumbers.parse(e164)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def phone_identity(phone: str) -> str:
    return f"phone:{normalize_phone(phone)}"
