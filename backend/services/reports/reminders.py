"""Trial reminders: 7, 3 and 1 days before a trial ends, and on expiry.

Every reminder is a row in ``trial_reminders`` (one per customer and stage, by a UNIQUE
key), shown in-app to staff until someone acts on it (called, upgraded, dismissed), and
emailed when mail is configured and the customer has an address. ``send_due`` is safe
to run from cron as often as wanted, and by two processes at once.

Exactly-once, honestly: SMTP cannot be part of a database transaction, so an email is
sent **at most once**. The row is *claimed* (``pending`` → ``sending``, in a transaction
only one process can win), then the message is sent, then the row is recorded ``sent``.
A crash between claim and record leaves ``sending``; after ``STALE_CLAIM`` such a row
turns ``unknown`` and is never re-sent automatically (the message may or may not have
left). Staff see ``unknown`` in the in-app list, which always exists, and can follow up.
The Message-ID is derived from the row, so a mail client also folds any duplicate.

If the runner was not run for a while, only the latest due stage of a trial is sent;
earlier ones are recorded as ``superseded`` (a "7 days left" mail on the last day would
mislead). Expiry notices are sent for trials that ended within ``EXPIRED_WINDOW``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from backend.clock import parse_iso, to_iso
from backend.context import Context
from backend.domain.renewals import TRIAL_REMINDER_STAGES, days_before, days_left, stages_reached
from backend.errors import (
    CheckoutError,
    ConfigError,
    NotFound,
    StateError,
    TransientError,
    ValidationError,
)
from backend.store import audit

#: stage -> days before the trial's end
STAGES: dict[str, int] = TRIAL_REMINDER_STAGES
STAGE_ORDER = tuple(STAGES)
STALE_CLAIM = timedelta(minutes=15)
EXPIRED_WINDOW = timedelta(days=7)
MAX_ATTEMPTS = 5
ACTIONS = ("called", "upgraded", "dismissed")


def due_reminders(ctx: Context) -> list[dict[str, Any]]:
    """Reminders whose time has come and that have no row yet (latest stage per trial).

    Each item: customer_id, stage, trial_ends_at, due_at, and ``superseded``: earlier
    stages that were never recorded and will be closed without being sent.
    """
    now = ctx.clock.now()
    rows = ctx.store.query(
        "SELECT t.customer_id, t.ends_at, "
        "(SELECT group_concat(stage) FROM trial_reminders r "
        " WHERE r.customer_id = t.customer_id) AS done "
        "FROM trials t WHERE t.status IN ('active', 'expired') AND t.ends_at > ? "
        "AND t.ends_at <= ? ORDER BY t.ends_at, t.customer_id",
        (to_iso(now - EXPIRED_WINDOW), to_iso(now + timedelta(days=max(STAGES.values())))),
    )
    due = []
    for row in rows:
        ends = parse_iso(row["ends_at"])
        recorded = set((row["done"] or "").split(","))
        reached = stages_reached(ends, now, STAGES)
        if not reached or reached[-1] in recorded:
            continue
        latest = reached[-1]
        due.append(
            {
                "customer_id": row["customer_id"],
                "stage": latest,
                "trial_ends_at": row["ends_at"],
                "due_at": to_iso(days_before(ends, STAGES[latest])),
                "superseded": [s for s in reached[:-1] if s not in recorded],
            }
        )
    return due


def _create_due(ctx: Context, actor: str, mail_on: bool) -> int:
    created = 0
    now = ctx.now_iso()
    with ctx.store.transaction():
        for item in due_reminders(ctx):
            cid = item["customer_id"]
            email = ctx.store.scalar("SELECT email FROM customers WHERE id=?", (cid,))
            for stage in item["superseded"]:
                ctx.store.execute(
                    "INSERT INTO trial_reminders (customer_id, stage, trial_ends_at, "
                    "due_at, created_at, email_status, done_at, done_by, done_action) "
                    "VALUES (?, ?, ?, ?, ?, 'skipped', ?, ?, 'superseded') ON CONFLICT DO NOTHING",
                    (cid, stage, item["trial_ends_at"], _due_at(item, stage), now, now, actor),
                )
            # an older reminder still open for this trial is replaced by the new one
            ctx.store.execute(
                "UPDATE trial_reminders SET done_at=?, done_by=?, done_action='superseded', "
                "email_status=CASE WHEN email_status='pending' THEN 'skipped' "
                "ELSE email_status END WHERE customer_id=? AND done_at IS NULL",
                (now, actor, cid),
            )
            inserted = ctx.store.fetchone(
                "INSERT INTO trial_reminders (customer_id, stage, trial_ends_at, "
                "due_at, created_at, email_status, email_to) VALUES (?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT DO NOTHING RETURNING id",
                (
                    cid,
                    item["stage"],
                    item["trial_ends_at"],
                    item["due_at"],
                    now,
                    "pending" if mail_on and email else "skipped",
                    email,
                ),
            )
            if inserted is not None:
                created += 1
                audit.record(
                    ctx, actor, "reminder.create", "trial_reminder", inserted[0],
                    customer_id=cid, stage=item["stage"],
                )  # fmt: skip
    return created


def _due_at(item: dict[str, Any], stage: str) -> str:
    return to_iso(days_before(parse_iso(item["trial_ends_at"]), STAGES[stage]))


def _expire_stale_claims(ctx: Context, actor: str) -> int:
    cutoff = to_iso(ctx.clock.now() - STALE_CLAIM)
    with ctx.store.transaction():
        stale = ctx.store.query(
            "SELECT id FROM trial_reminders WHERE email_status='sending' AND email_claimed_at<?",
            (cutoff,),
        )
        for row in stale:
            ctx.store.execute(
                "UPDATE trial_reminders SET email_status='unknown', email_error=? WHERE id=?",
                ("Interrupted while sending: the email may or may not have gone out.", row["id"]),
            )
            audit.record(ctx, actor, "reminder.email_unknown", "trial_reminder", row["id"])
    return len(stale)


def _claim(ctx: Context, reminder_id: int) -> bool:
    """Take the right to send this reminder's email; only one process wins."""
    with ctx.store.transaction():
        cur = ctx.store.execute(
            "UPDATE trial_reminders SET email_status='sending', email_claimed_at=?, "
            "email_attempts=email_attempts+1 WHERE id=? AND email_status='pending'",
            (ctx.now_iso(), reminder_id),
        )
        return cur.rowcount == 1


def _message(ctx: Context, row: dict[str, Any]) -> tuple[str, str]:
    shop = ctx.settings.shop.name
    ends = parse_iso(row["trial_ends_at"]).strftime("%d %B %Y")
    name = row["name"]
    if row["stage"] == "expired":
        subject = f"Your {shop} free trial has ended"
        lead = f"your {shop} free trial ended on {ends}."
    else:
        days = STAGES[row["stage"]]
        left = "1 day" if days == 1 else f"{days} days"
        subject = f"{left} left in your {shop} free trial"
        lead = f"your {shop} free trial ends in {left}, on {ends}."
    body = (
        f"Dear {name},\n\n{lead}\n"
        "Choose a plan to keep your workflows and agents running: Student, Employee or "
        "Professional, monthly or yearly, paid by UPI or card.\n\n"
        f"Reply to this email or visit us, and we will help you pick.\n\n{shop}\n"
    )
    return subject, body


def send_due(ctx: Context, *, actor: str) -> dict[str, Any]:
    """Record what is due (in-app) and email it once; for cron, a timer or the CLI."""
    if not ctx.settings.features.trial_reminders:
        return {"enabled": False, "created": 0, "emailed": 0, "failed": 0, "retry": 0}
    mailer = ctx.adapters.get("mail")
    created = _create_due(ctx, actor, mailer is not None)
    unknown = _expire_stale_claims(ctx, actor)
    result = {"enabled": True, "created": created, "emailed": 0, "failed": 0, "retry": 0}
    result["unknown"] = unknown
    if mailer is None:
        return result
    pending = ctx.store.query(
        "SELECT r.*, c.name FROM trial_reminders r JOIN customers c ON c.id = r.customer_id "
        "WHERE r.email_status='pending' ORDER BY r.id"
    )
    for row in pending:
        if not _claim(ctx, row["id"]):
            continue  # another run took it
        subject, body = _message(ctx, row)
        try:
            mailer.send(
                to=row["email_to"],
                subject=subject,
                body=body,
                message_id=f"<trial-reminder-{row['id']}@autoos-checkout>",
                date=ctx.clock.now(),
            )
        except ConfigError:
            # the shop's mail settings, not this message: give the claim back untouched
            # and stop, so the run fails loudly and every reminder goes out once fixed
            with ctx.store.transaction():
                ctx.store.execute(
                    "UPDATE trial_reminders SET email_status='pending', email_claimed_at=NULL, "
                    "email_attempts=email_attempts-1 WHERE id=? AND email_status='sending'",
                    (row["id"],),
                )
            raise
        except CheckoutError as exc:
            retry = isinstance(exc, TransientError) and row["email_attempts"] + 1 < MAX_ATTEMPTS
            with ctx.store.transaction():
                ctx.store.execute(
                    "UPDATE trial_reminders SET email_status=?, email_error=? WHERE id=?",
                    ("pending" if retry else "failed", str(exc), row["id"]),
                )
                audit.record(
                    ctx, actor, "reminder.email_failed", "trial_reminder", row["id"],
                    error=str(exc), retry=retry,
                )  # fmt: skip
            result["retry" if retry else "failed"] += 1
            continue
        with ctx.store.transaction():
            ctx.store.execute(
                "UPDATE trial_reminders SET email_status='sent', email_sent_at=?, "
                "email_error=NULL WHERE id=?",
                (ctx.now_iso(), row["id"]),
            )
            audit.record(
                ctx, actor, "reminder.email", "trial_reminder", row["id"], to=row["email_to"]
            )
        result["emailed"] += 1
    return result


def in_app_reminders(ctx: Context) -> list[dict[str, Any]]:
    """Open reminders for staff to act on, soonest trial end first."""
    now = ctx.clock.now()
    rows = ctx.store.query(
        "SELECT r.id, r.customer_id, r.stage, r.trial_ends_at, r.due_at, r.email_status, "
        "r.email_error, c.name, c.email, c.phone FROM trial_reminders r "
        "JOIN customers c ON c.id = r.customer_id "
        "JOIN trials t ON t.customer_id = r.customer_id "
        "WHERE r.done_at IS NULL AND t.status != 'converted' "
        "ORDER BY r.trial_ends_at, r.id"
    )
    for row in rows:
        row["days_left"] = days_left(parse_iso(row["trial_ends_at"]), now)
    return rows


def mark_done(ctx: Context, reminder_id: int, *, action: str, actor: str) -> dict[str, Any]:
    """Close a reminder after staff acted on it (``called``, ``upgraded``, ``dismissed``)."""
    if action not in ACTIONS:
        raise ValidationError(f"Choose one of: {', '.join(ACTIONS)}.", field="action")
    with ctx.store.transaction():
        row = ctx.store.one("SELECT * FROM trial_reminders WHERE id=?", (reminder_id,))
        if row is None:
            raise NotFound(f"There is no reminder number {reminder_id}.")
        if row["done_at"]:
            if row["done_action"] == action:
                return row
            raise StateError(
                f"This reminder was already closed ({row['done_action']} by {row['done_by']})."
            )
        ctx.store.execute(
            "UPDATE trial_reminders SET done_at=?, done_by=?, done_action=? WHERE id=?",
            (ctx.now_iso(), actor, action, reminder_id),
        )
        audit.record(ctx, actor, "reminder.done", "trial_reminder", reminder_id, outcome=action)
        done = ctx.store.one("SELECT * FROM trial_reminders WHERE id=?", (reminder_id,))
    assert done is not None
    return done
