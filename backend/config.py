"""Settings: a TOML file plus environment variables; secrets only from env or keyring.

Order of precedence, lowest first: defaults, the settings file, environment variables.
The settings file lives in the user's config directory (``platformdirs``), or where
``AUTOOS_CHECKOUT_CONFIG`` points. Secrets (Stripe, PSP, webhook, SMTP) are never part
of :class:`Settings`: :class:`Secrets` reads them when needed and nothing writes them.
See docs/configuration.md for every key.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from backend.errors import ConfigError

APP_NAME = "autoos-checkout"
KEYRING_SERVICE = "autoos-checkout"

#: the only names that are ever read as secrets
SECRET_NAMES = (
    "STRIPE_SECRET_KEY",
    "STRIPE_WEBHOOK_SECRET",
    "RAZORPAY_KEY_SECRET",
    "RAZORPAY_WEBHOOK_SECRET",
    "SMTP_PASSWORD",
)


@dataclass
class FeatureFlags:
    free_trial: bool = True
    upi_payments: bool = True
    card_payments: bool = True
    annual_billing: bool = True
    proration: bool = True
    trial_reminders: bool = True
    #: UPI plans that renew themselves (a UPI AutoPay mandate, through Stripe or Razorpay)
    upi_autopay: bool = False


@dataclass
class ShopSettings:
    name: str = "AUTOOS"
    address: str = ""
    gstin: str = ""
    state: str = ""
    sac_code: str = "998314"
    default_currency: str = "INR"


@dataclass
class UpiSettings:
    vpa: str = ""
    payee_name: str = ""
    mcc: str = ""
    merchant_id: str = ""
    expiry_minutes: int = 15
    max_amount_inr: int = 100000  # major units (₹1,00,000)
    psp: str = ""  # "" or "razorpay"
    razorpay_key_id: str = ""
    razorpay_api_base: str = "https://api.razorpay.com"
    #: who sets up and debits UPI AutoPay mandates: "stripe" or "razorpay"
    autopay_provider: str = "stripe"


@dataclass
class StripeSettings:
    api_base: str = ""
    publishable_key: str = ""
    checkout_success_url: str = "https://autoos.example/thanks"
    checkout_cancel_url: str = "https://autoos.example/cancelled"
    checkout_expiry_minutes: int = 30
    max_network_retries: int = 2  # the SDK's own quick retries, before the outbox's backoff
    network_retry_max_delay_ms: int = 5000  # cap on the SDK's sleep between those retries
    timeout_ms: int = 30000  # one HTTP request to Stripe
    sync_concurrency: int = 4  # outbox requests in flight at once (one per customer)


@dataclass
class MailSettings:
    host: str = ""
    port: int = 587
    username: str = ""
    sender: str = ""
    starttls: bool = True


@dataclass
class UiSettings:
    kiosk_idle_seconds: int = 60
    display_screen: str = "auto"  # "auto" (a non-primary screen), "primary", or a screen name
    language: str = "en"
    #: this machine's till or kiosk: shown in its title, on its receipts, and recorded
    #: with each payment it takes (a customer display shows that till's payments)
    terminal_name: str = "Till 1"
    #: a stand-alone customer display: the till whose payments it shows ("" = not paired)
    display_pairs_with: str = ""


@dataclass
class Settings:
    #: a SQLite file, or a ``postgresql://`` URL
    db_path: Path | str | None = None
    catalog_path: Path | None = None
    features: FeatureFlags = field(default_factory=FeatureFlags)
    shop: ShopSettings = field(default_factory=ShopSettings)
    upi: UpiSettings = field(default_factory=UpiSettings)
    stripe: StripeSettings = field(default_factory=StripeSettings)
    mail: MailSettings = field(default_factory=MailSettings)
    ui: UiSettings = field(default_factory=UiSettings)
    source: str = "<defaults>"
    #: the file an admin's changes are saved to (the one read, or where it would be)
    path: Path | None = None


#: environment variable -> (section, key); the names the original payment service used
ENV_MAP: dict[str, tuple[str | None, str]] = {
    "AUTOOS_CHECKOUT_DB": (None, "db_path"),
    "AUTOOS_CHECKOUT_CATALOG": (None, "catalog_path"),
    "UPI_DEFAULT_VPA": ("upi", "vpa"),
    "UPI_MERCHANT_ID": ("upi", "merchant_id"),
    "UPI_PAYEE_NAME": ("upi", "payee_name"),
    "UPI_MCC": ("upi", "mcc"),
    "RAZORPAY_KEY_ID": ("upi", "razorpay_key_id"),
    "RAZORPAY_API_BASE": ("upi", "razorpay_api_base"),
    "STRIPE_PUBLISHABLE_KEY": ("stripe", "publishable_key"),
    "STRIPE_API_BASE": ("stripe", "api_base"),
    "ENABLE_FREE_TRIAL": ("features", "free_trial"),
    "ENABLE_UPI_PAYMENTS": ("features", "upi_payments"),
    "ENABLE_CARD_PAYMENTS": ("features", "card_payments"),
    "ENABLE_ANNUAL_BILLING": ("features", "annual_billing"),
    "ENABLE_PRORATION": ("features", "proration"),
    "ENABLE_TRIAL_REMINDERS": ("features", "trial_reminders"),
    "ENABLE_UPI_AUTOPAY": ("features", "upi_autopay"),
    "UPI_AUTOPAY_PROVIDER": ("upi", "autopay_provider"),
    "SMTP_HOST": ("mail", "host"),
    "SMTP_PORT": ("mail", "port"),
    "SMTP_USERNAME": ("mail", "username"),
    "SMTP_FROM": ("mail", "sender"),
    "AUTOOS_CHECKOUT_TERMINAL": ("ui", "terminal_name"),
    "AUTOOS_CHECKOUT_PAIR": ("ui", "display_pairs_with"),
}


def default_config_path() -> Path:
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP_NAME)) / "settings.toml"


def default_data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME))


def _coerce(value: object, target: object, where: str) -> object:
    """Convert a TOML or env value to the type of the default it replaces."""
    if isinstance(target, bool):
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("1", "true", "yes", "on"):
            return True
        if text in ("0", "false", "no", "off", ""):
            return False
        raise ConfigError(f"{where}: {value!r} is not true/false.")
    if isinstance(target, int):
        try:
            return int(value)  # type: ignore[call-overload]
        except (TypeError, ValueError):
            raise ConfigError(f"{where}: {value!r} is not a whole number.") from None
    if target is None or isinstance(target, Path):
        if value in (None, ""):
            return None
        text = str(value)
        return text if "://" in text else Path(os.path.expanduser(text))  # a server URL stays
    return str(value)


def _apply(settings: Settings, section: str | None, key: str, value: object, where: str) -> None:
    holder: object = settings if section is None else getattr(settings, section)
    names = {f.name for f in dataclasses.fields(holder)}  # type: ignore[arg-type]
    if key not in names:
        raise ConfigError(f"{where}: unknown setting {key!r}.")
    if section is None and key in {"features", "shop", "upi", "stripe", "mail", "ui"}:
        raise ConfigError(f"{where}: {key!r} must be a [table].")
    setattr(holder, key, _coerce(value, getattr(holder, key), where))


def load_settings(path: Path | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Build :class:`Settings` from defaults, the TOML file (if present) and ``env``."""
    env = os.environ if env is None else env
    settings = Settings()
    if path is None:
        path = Path(env["AUTOOS_CHECKOUT_CONFIG"]) if env.get("AUTOOS_CHECKOUT_CONFIG") else None
        if path is None:
            candidate = default_config_path()
            settings.path = candidate  # a new till: the first change made in the GUI creates it
            path = candidate if candidate.exists() else None
    if path is not None:
        settings.path = Path(path)
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"{path}: settings file not found.") from None
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read the settings file ({exc.strerror}).") from None
        except UnicodeDecodeError:
            raise ConfigError(f"{path}: the settings file must be saved as UTF-8 text.") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: {exc}") from None
        for key, value in data.items():
            if isinstance(value, dict):
                if key not in {"features", "shop", "upi", "stripe", "mail", "ui"}:
                    raise ConfigError(f"{path}: unknown section [{key}].")
                for sub, subval in value.items():
                    if sub in SECRET_NAMES or "secret" in sub or "password" in sub:
                        raise ConfigError(
                            f"{path}: secrets ({sub}) do not belong in the settings file; "
                            "set them in the environment or the OS keyring."
                        )
                    _apply(settings, key, sub, subval, f"{path} [{key}]")
            else:
                _apply(settings, None, key, value, str(path))
        settings.source = str(path)
    for name, (section, key) in ENV_MAP.items():
        if name in env:
            _apply(settings, section, key, env[name], f"environment variable {name}")
    return settings


class Secrets:
    """Reads secrets from the environment, then the OS keyring; never stores them.

    ``repr`` never shows a value, so a Secrets object in a log or traceback leaks nothing.
    """

    def __init__(self, env: Mapping[str, str] | None = None, use_keyring: bool = True) -> None:
        self._env = os.environ if env is None else env
        self._use_keyring = use_keyring

    def get(self, name: str) -> str | None:
        if name not in SECRET_NAMES:
            raise KeyError(f"{name} is not a known secret")
        value = self._env.get(name)
        if value:
            return value
        if not self._use_keyring:
            return None
        try:
            import keyring

            return keyring.get_password(KEYRING_SERVICE, name) or None
        except Exception:  # no keyring backend on this machine: treat as unset
            return None

    def has(self, name: str) -> bool:
        return self.get(name) is not None

    def __repr__(self) -> str:
        return "Secrets(<hidden>)"
