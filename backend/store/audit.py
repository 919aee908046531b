"""The append-only audit log: who did what, when, to which record."""

from __future__ import annotations

import json
from typing import Any

from backend.context import Context


def record(
    ctx: Context,
    actor: str,
    action: str,
    entity: str,
    entity_id: object = None,
    **detail: Any,
) -> None:
    """Append one entry; call inside the transaction of the change it describes."""
    if not ctx.store.in_transaction:
        raise RuntimeError("audit.record must run inside the change's transaction")
    ctx.store.execute(
        "INSERT INTO audit_log (at, actor, action, entity, entity_id, detail) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (
            ctx.now_iso(),
            actor,
            action,
            entity,
            None if entity_id is None else str(entity_id),
            json.dumps(detail, sort_keys=True, default=str),
        ),
    )


def recent(ctx: Context, limit: int = 50) -> list[dict[str, Any]]:
    rows = ctx.store.query("SELECT * FROM audit_log ORDER BY id DESC LIMIT ?", (limit,))
    for row in rows:
        row["detail"] = json.loads(row["detail"])
    return rows
