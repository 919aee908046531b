"""Sending email through SMTP (receipts, trial reminders).

Settings come from ``[mail]`` (host, port, username, sender, starttls); the password only
from ``ctx.secrets`` (``SMTP_PASSWORD``). Port 465 means TLS from the first byte;
otherwise STARTTLS when ``starttls`` is on. SMTP failures become
:class:`~backend.errors.TransientError` (try again later: offline, timeouts, 4xx),
:class:`~backend.errors.RejectedError` (5xx: a bad address) or
:class:`~backend.errors.ConfigError` (a refused login: the settings need fixing). No
connection is made until :meth:`Mailer.send`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from backend.config import MailSettings, Secrets
from backend.errors import ConfigError, NotConfigured, RejectedError, TransientError

if TYPE_CHECKING:  # smtplib/ssl/email are imported on use: ~30 ms of every start-up
    from datetime import datetime
    from email.message import EmailMessage

TIMEOUT_SECONDS = 20


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str = "application/pdf"


class Mailer:
    """One SMTP conversation per :meth:`send` (reminders and receipts are few)."""

    def __init__(self, settings: MailSettings, secrets: Secrets) -> None:
        self.settings = settings
        self._secrets = secrets

    def __repr__(self) -> str:
        return f"Mailer({self.settings.host}:{self.settings.port})"

    def build(
        self,
        *,
        to: str,
        subject: str,
        body: str,
        attachments: Sequence[Attachment] = (),
        message_id: str | None = None,
        date: datetime | None = None,
    ) -> EmailMessage:
        """``date``: the sender's clock (``ctx.clock``); the wall clock only if none."""
        from email.message import EmailMessage
        from email.utils import formatdate, make_msgid

        msg = EmailMessage()
        msg["From"] = self.settings.sender
        msg["To"] = to
        msg["Subject"] = subject
        msg["Date"] = formatdate(date.timestamp() if date else None, usegmt=True)
        msg["Message-ID"] = message_id or make_msgid(domain="autoos-checkout")
        msg.set_content(body)
        for item in attachments:
            maintype, _, subtype = item.mimetype.partition("/")
            msg.add_attachment(
                item.content, maintype=maintype, subtype=subtype, filename=item.filename
            )
        return msg

    def send(
        self,
        *,
        to: str,
        subject: str,
        body: str,
        attachments: Sequence[Attachment] = (),
        message_id: str | None = None,
        date: datetime | None = None,
    ) -> str:
        """Send one message; return its Message-ID."""
        import smtplib
        import ssl

        msg = self.build(
            to=to,
            subject=subject,
            body=body,
            attachments=attachments,
            message_id=message_id,
            date=date,
        )
        cfg = self.settings
        try:
            if cfg.port == 465:
                client: smtplib.SMTP = smtplib.SMTP_SSL(
                    cfg.host, cfg.port, timeout=TIMEOUT_SECONDS,
                    context=ssl.create_default_context(),
                )  # fmt: skip
            else:
                client = smtplib.SMTP(cfg.host, cfg.port, timeout=TIMEOUT_SECONDS)
            with client:
                if cfg.port != 465 and cfg.starttls:
                    client.starttls(context=ssl.create_default_context())
                if cfg.username:
                    password = self._secrets.get("SMTP_PASSWORD")
                    if not password:
                        raise NotConfigured(
                            "The mail server needs a password: set SMTP_PASSWORD in the "
                            "environment or the OS keyring."
                        )
                    client.login(cfg.username, password)
                client.send_message(msg)
        except smtplib.SMTPAuthenticationError:
            # the shop's settings are wrong, not this message: a ConfigError, so callers
            # stop instead of giving every message up
            raise ConfigError(
                "The mail server refused the login: check the SMTP user name and password."
            ) from None
        except smtplib.SMTPRecipientsRefused:
            raise RejectedError(f"The mail server refused the address {to}.") from None
        except smtplib.SMTPResponseException as exc:
            if 400 <= exc.smtp_code < 500:
                raise TransientError(
                    f"The mail server is busy ({exc.smtp_code}); try again later."
                ) from None
            raise RejectedError(f"The mail server refused the message ({exc.smtp_code}).") from None
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            raise TransientError(
                f"Cannot reach the mail server {cfg.host}:{cfg.port} ({type(exc).__name__})."
            ) from None
        return str(msg["Message-ID"])


def build_mailer(settings: MailSettings, secrets: Secrets) -> Mailer | None:
    """A mailer when ``[mail]`` names a host and a sender; ``None`` when mail is off."""
    if not settings.host or not settings.sender:
        return None
    return Mailer(settings, secrets)
