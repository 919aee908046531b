"""Settings an admin changes from the staff window: each value checked the way the
feature that uses it checks it, saved to the settings file (its comments and every other
key kept, the file replaced in one step), applied to the running till, and audited.

What is not here stays in the file or the environment on purpose: paths, the Stripe
and Razorpay set-up, and every secret (those are never written anywhere by the app).
A key that an environment variable sets is shown locked: the file would not win.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from backend.adapters.upi.uri import MAX_EXPIRY_MINUTES, check_mcc, check_payee_name, check_vpa
from backend.config import ENV_MAP, Settings, load_settings
from backend.context import Context
from backend.domain.gst import STATE_CODES, check_gstin, check_gstin_state, check_state
from backend.domain.identity import normalize_email
from backend.domain.money import CURRENCIES
from backend.errors import ConfigError, FieldsInvalid, NotConfigured, ValidationError
from backend.store import audit


@dataclass(frozen=True)
class Field:
    """One editable setting: its words on screen, its kind of input, and its check."""

    label: str
    kind: str  # "text" | "bool" | "int" | "choice"
    check: Callable[[Any], Any]
    choices: tuple[str, ...] = ()
    hint: str = ""


def _text(
    max_len: int, *, required: bool = False, what: str = "", plain: bool = False
) -> Callable[[Any], str]:
    """One line of text; ``plain``: also without ``<`` or ``>`` (a name the screens show
    as it is, never read as markup)."""

    def check(value: Any) -> str:
        text = " ".join(str(value or "").split())
        if required and not text:
            raise ValidationError(f"Enter the {what}.")
        if len(text) > max_len:
            raise ValidationError(f"The {what} is too long (at most {max_len} characters).")
        if any(
            ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 or 0x202A <= ord(ch) <= 0x202E for ch in text
        ):
            raise ValidationError(f"The {what} contains control characters: type it again.")
        if plain and ("<" in text or ">" in text):
            raise ValidationError(f"The {what} cannot contain < or >.")
        return text

    return check


def _optional(check: Callable[[str], str]) -> Callable[[Any], str]:
    """Empty means "not set"; anything else must pass ``check``."""

    def run(value: Any) -> str:
        text = str(value or "").strip()
        return check(text) if text else ""

    return run


def _whole(low: int, high: int, what: str) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        try:
            number = int(str(value).strip())
        except ValueError:
            raise ValidationError(f"The {what} must be a whole number.") from None
        if not low <= number <= high:
            raise ValidationError(f"The {what} must be from {low} to {high}.")
        return number

    return check


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise ValidationError(f"{value!r} is not on or off.")


def _choice(options: tuple[str, ...], what: str) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        text = str(value or "").strip()
        if text not in options:
            raise ValidationError(f"The {what} must be one of {', '.join(options)}.")
        return text

    return check


def _host(value: Any) -> str:
    text = str(value or "").strip()
    if text and (len(text) > 253 or any(ch.isspace() or ch in "/:@" for ch in text)):
        raise ValidationError(f"{text!r} is not a server name (like smtp.example.com).")
    return text


def _screen(value: Any) -> str:
    text = str(value or "").strip() or "auto"
    if len(text) > 64 or any(ord(ch) < 32 for ch in text):
        raise ValidationError("The display screen is auto, primary, or a screen's name.")
    return text


CURRENCY_CODES = tuple(CURRENCIES)
AUTOPAY_PROVIDERS = ("stripe", "razorpay")
EDITABLE: dict[str, dict[str, Field]] = {
    "shop": {
        "name": Field("Shop name", "text", _text(60, required=True, what="shop name", plain=True)),
        "address": Field("Address (on invoices)", "text", _text(200, what="address")),
        "gstin": Field(
            "GSTIN", "text", _optional(check_gstin), hint="15 characters; empty if unregistered"
        ),
        "state": Field("State (for GST)", "choice", _optional(check_state), ("", *STATE_CODES)),
        "default_currency": Field(
            "Default currency", "choice", _choice(CURRENCY_CODES, "currency"), CURRENCY_CODES
        ),
    },
    "upi": {
        "vpa": Field("UPI ID (VPA)", "text", _optional(check_vpa), hint="e.g. shop@okaxis"),
        "payee_name": Field("Payee name", "text", _optional(check_payee_name)),
        "mcc": Field("Merchant category code", "text", _optional(check_mcc), hint="4 digits"),
        "merchant_id": Field("Merchant ID", "text", _text(35, what="merchant ID")),
        "expiry_minutes": Field(
            "QR valid for (minutes)", "int", _whole(1, MAX_EXPIRY_MINUTES, "QR validity")
        ),
        "autopay_provider": Field(
            "UPI AutoPay through",
            "choice",
            _choice(AUTOPAY_PROVIDERS, "AutoPay provider"),
            AUTOPAY_PROVIDERS,
            hint="the account that holds the mandates",
        ),
    },
    "features": {
        "free_trial": Field("Free trials", "bool", _flag),
        "upi_payments": Field("UPI payments", "bool", _flag),
        "card_payments": Field("Card payments", "bool", _flag),
        "annual_billing": Field("Yearly billing", "bool", _flag),
        "upi_autopay": Field("UPI AutoPay (plans that renew themselves)", "bool", _flag),
        "proration": Field("Proration on upgrade", "bool", _flag),
        "trial_reminders": Field("Trial reminders", "bool", _flag),
    },
    "mail": {
        "host": Field("Mail server", "text", _host, hint="empty: receipts are not emailed"),
        "port": Field("Port", "int", _whole(1, 65535, "port")),
        "username": Field("User name", "text", _text(254, what="user name")),
        "sender": Field("Send as", "text", _optional(normalize_email), hint="shop@example.com"),
        "starttls": Field("Use STARTTLS", "bool", _flag),
    },
    "ui": {
        "kiosk_idle_seconds": Field(
            "Kiosk resets after (seconds)", "int", _whole(15, 3600, "kiosk idle time")
        ),
        "display_screen": Field(
            "Customer display screen", "text", _screen, hint="auto, primary or a screen name"
        ),
        "terminal_name": Field(
            "This till's name",
            "text",
            _text(40, required=True, what="till name", plain=True),
            hint="e.g. Counter 1: on receipts and its customer display",
        ),
        "display_pairs_with": Field(
            "A stand-alone display shows",
            "text",
            _text(40, what="till name", plain=True),
            hint="the till's name; empty: not paired",
        ),
    },
}
#: (section, key) -> the environment variable that sets it
LOCKED_BY = {place: name for name, place in ENV_MAP.items() if place[0] is not None}


def editable_settings(ctx: Context, env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Every editable setting with its value, and the variable that locks it, if any."""
    env = os.environ if env is None else env
    fields = []
    for section, keys in EDITABLE.items():
        holder = getattr(ctx.settings, section)
        for key, spec in keys.items():
            variable = LOCKED_BY.get((section, key))
            fields.append(
                {
                    "section": section,
                    "key": key,
                    "label": spec.label,
                    "kind": spec.kind,
                    "choices": list(spec.choices),
                    "hint": spec.hint,
                    "value": getattr(holder, key),
                    "locked_by": variable if variable and variable in env else None,
                }
            )
    path = ctx.settings.path
    return {"path": str(path) if path else None, "fields": fields}


def update_settings(
    ctx: Context,
    changes: Mapping[str, Mapping[str, Any]],
    *,
    actor: str,
    env: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Check ``changes`` ({section: {key: value}}), save them, apply them; all or none.

    The first bad value is a :class:`ValidationError` whose ``field`` is
    ``section.key``; nothing is written then. The file is replaced in one step only
    after the new file has loaded cleanly, so a failure leaves the old one in place."""
    env = os.environ if env is None else env
    path = ctx.settings.path
    if path is None:
        raise NotConfigured(
            "This till was started without a settings file, so changes cannot be saved."
        )
    clean = _checked(ctx.settings, changes, env)
    if clean:
        new = _save(Path(path), clean, env)
        _apply(ctx, new)
        with ctx.store.transaction():
            audit.record(ctx, actor, "settings.update", "settings", str(path), keys=sorted(clean))
    return editable_settings(ctx, env)


def _checked(
    settings: Settings, changes: Mapping[str, Mapping[str, Any]], env: Mapping[str, str]
) -> dict[str, tuple[str, str, Any]]:
    """``{"section.key": (section, key, clean value)}`` for the values that change, or
    :class:`~backend.errors.FieldsInvalid` naming every refused one (by ``section.key``)."""
    if not isinstance(changes, Mapping):
        raise ValidationError("Changes are given as {section: {key: value}}.")
    clean: dict[str, tuple[str, str, Any]] = {}
    problems: dict[str, str] = {}
    for section, values in changes.items():
        if section not in EDITABLE or not isinstance(values, Mapping):
            raise ValidationError(f"There is no settings section {section!r} to change.")
        for key, value in values.items():
            name = f"{section}.{key}"
            spec = EDITABLE[section].get(key)
            if spec is None:
                problems[name] = f"{name} cannot be changed here."
                continue
            variable = LOCKED_BY.get((section, key))
            if variable and variable in env:
                problems[name] = (
                    f"{spec.label} is set by the environment variable {variable}; change it there."
                )
                continue
            try:
                cleaned = spec.check(value)
            except ValidationError as exc:
                said = exc.message
                problems[name] = (
                    said if spec.label.lower() in said.lower() else (f"{spec.label}: {said}")
                )
                continue
            if cleaned != getattr(getattr(settings, section), key):
                clean[name] = (section, key, cleaned)
    if not problems:
        problems = _together(settings, clean)
    if problems:
        raise FieldsInvalid(problems, "settings")
    return clean


def _together(settings: Settings, clean: Mapping[str, tuple[str, str, Any]]) -> dict[str, str]:
    """Values that are each fine but do not work together (checked when one of them
    changes): a GSTIN from another state, mail without a sender, UPI without a payee."""

    def value(name: str) -> Any:
        section, key = name.split(".")
        return clean[name][2] if name in clean else getattr(getattr(settings, section), key)

    problems: dict[str, str] = {}
    if {"shop.gstin", "shop.state"} & clean.keys() and value("shop.gstin"):
        if not value("shop.state"):
            problems["shop.state"] = "Choose the shop's state: GST invoices need it."
        else:
            try:
                check_gstin_state(value("shop.gstin"), value("shop.state"))
            except ValidationError as exc:
                where = "shop.gstin" if "shop.gstin" in clean else "shop.state"
                problems[where] = exc.message
    mail = {"mail.host", "mail.sender"} & clean.keys()
    if mail and value("mail.host") and not value("mail.sender"):
        problems["mail.sender"] = (
            "Enter the address receipts are sent from (Send as), or clear the mail server."
        )
    upi = {"upi.vpa", "upi.payee_name"} & clean.keys()
    if upi and value("upi.vpa") and not value("upi.payee_name"):
        problems["upi.payee_name"] = (
            "Enter the payee name customers see in their UPI app, or clear the UPI ID."
        )
    return problems


def _save(
    path: Path, clean: Mapping[str, tuple[str, str, Any]], env: Mapping[str, str]
) -> Settings:
    """Write the new file beside the old one, load it, then put it in the old one's place."""
    import tomlkit
    from tomlkit.exceptions import ParseError

    try:
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        document = tomlkit.parse(text)
    except (OSError, UnicodeDecodeError, ParseError) as exc:
        raise ConfigError(f"{path}: cannot read the settings file to update it ({exc}).") from None
    for section, key, value in clean.values():
        if section not in document:
            document.add(section, tomlkit.table())
        document[section][key] = value
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
        handle, temp = tempfile.mkstemp(prefix=".settings-", suffix=".toml", dir=path.parent)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write the settings file ({exc.strerror}).") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(tomlkit.dumps(document))
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, mode)
        new = load_settings(Path(temp), env)  # the whole file must still load
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    new.path, new.source = path, str(path)
    return new


def _apply(ctx: Context, new: Settings) -> None:
    """Copy the edited sections into the running settings (objects others hold stay the
    same objects), and rebuild the mailer, which is made from ``[mail]``."""
    for section in EDITABLE:
        current = getattr(ctx.settings, section)
        for spec in dataclasses.fields(current):
            setattr(current, spec.name, getattr(getattr(new, section), spec.name))
    ctx.settings.source = new.source
    from backend.adapters.mail import build_mailer

    mailer = build_mailer(ctx.settings.mail, ctx.secrets)
    if mailer is None:
        ctx.adapters.pop("mail", None)
    else:
        ctx.adapters["mail"] = mailer
