"""Operations on the shop itself: what is sold, its settings, its staff and tokens."""

from __future__ import annotations

import dataclasses
from typing import Any

from backend.domain.money import CURRENCIES
from backend.domain.records import EditableSettings, Health, Pricing, StaffMember
from backend.domain.selling import offered_intervals, offered_tiers
from backend.interface.bound import Bound
from backend.interface.declare import ADMIN_ONLY, ALL_ROLES, COUNTER, Caller, operation
from backend.interface.types import (
    Name,
    NewPin,
    Pin,
    SettingsChanges,
    StaffId,
    StaffRole,
    TokenRef,
    TokenRole,
)

# the login screen's first question (who may sign in): imported with the interface, before
# the GUI loads Qt, whose import hook makes every later import slower (benchmarks/startup.py)
from backend.services.shop import staff as _staff  # noqa: F401


class ShopOps(Bound):
    @operation(
        "GET", "/health", roles=None, summary="Is the server up (no token needed)", tag="catalog"
    )
    def health(self) -> Health:
        return {"status": "ok", "time": self.ctx.now_iso()}

    @operation(
        "GET",
        "/payments/pricing",
        roles=ALL_ROLES,
        summary="The plans and their prices, as the shop offers them now",
        description="No free-trial plan while trials are off; no yearly prices while "
        "yearly billing is off.",
        tag="catalog",
    )
    def pricing(self) -> Pricing:
        features = self.ctx.settings.features
        return {
            "tiers": offered_tiers(
                self.ctx.catalog,
                free_trial=features.free_trial,
                annual_billing=features.annual_billing,
            ),
            "currencies": sorted(CURRENCIES),
            "intervals": list(offered_intervals(features.annual_billing)),
        }

    @operation(
        "GET",
        "/payments/settings",
        roles=COUNTER,
        summary="The store's settings a screen may show (never a secret)",
        tag="store",
    )
    def settings_view(self) -> dict[str, Any]:
        settings = self.ctx.settings
        return {
            "features": dataclasses.asdict(settings.features),
            "shop": dataclasses.asdict(settings.shop),
            "upi": {
                "vpa": settings.upi.vpa,
                "payee_name": settings.upi.payee_name,
                "mcc": settings.upi.mcc,
                "expiry_minutes": settings.upi.expiry_minutes,
                "psp": settings.upi.psp,
            },
            "stripe": {"api_base": settings.stripe.api_base},
            "mail": {
                "host": settings.mail.host,
                "port": settings.mail.port,
                "sender": settings.mail.sender,
            },
            "ui": dataclasses.asdict(settings.ui),
            "source": settings.source,
            "database": self.ctx.store.path,
            "catalog": self.ctx.catalog.source,
        }

    @operation(
        "GET",
        "/settings",
        roles=ADMIN_ONLY,
        summary="The settings an admin may change, with their values and what locks them",
        tag="store",
    )
    def editable_settings(self) -> EditableSettings:
        from backend.services.shop import settings_edit

        return settings_edit.editable_settings(self.ctx)  # type: ignore[return-value]

    @operation(
        "POST",
        "/settings",
        roles=ADMIN_ONLY,
        summary="Change settings: checked, saved to the settings file, applied",
        description="All or nothing: the first bad value is 422 naming `section.key`.",
        errors=(503,),
        body="changes",
        tag="store",
    )
    def update_settings(self, changes: SettingsChanges) -> EditableSettings:
        from backend.services.shop import settings_edit

        return settings_edit.update_settings(  # type: ignore[return-value]
            self.ctx, {str(k): v for k, v in changes.items()}, actor=self.actor
        )

    # staff ----------------------------------------------------------------------------
    @operation(
        "POST",
        "/staff/authenticate",
        roles=COUNTER,
        summary="Check a staff member's PIN (five wrong PINs lock the account for five minutes)",
        description="A wrong PIN is 401 with code `wrong_pin`, a locked account `locked`.",
        tag="staff",
    )
    def authenticate(self, name: Name, pin: Pin) -> StaffMember:
        from backend.services.shop import staff

        return staff.authenticate(self.ctx, name, pin)  # type: ignore[return-value]

    @operation(
        "GET",
        "/staff/names",
        roles=COUNTER,
        summary="Who may sign in here: active staff names and roles (for the sign-in list)",
        wrap="staff",
        tag="staff",
    )
    def staff_names(self) -> list[StaffMember]:
        from backend.services.shop import staff

        return [
            {"id": row["id"], "name": row["name"], "role": row["role"]}
            for row in staff.list_staff(self.ctx)
        ]

    @operation(
        "GET",
        "/staff",
        roles=ADMIN_ONLY,
        summary="Active staff accounts",
        wrap="staff",
        tag="staff",
    )
    def list_staff(self, include_inactive: bool = False) -> list[StaffMember]:
        from backend.services.shop import staff

        return staff.list_staff(self.ctx, include_inactive=include_inactive)  # type: ignore[return-value]

    @operation(
        "POST",
        "/staff/{staff_id}/deactivate",
        roles=ADMIN_ONLY,
        summary="Deactivate a person: they can no longer sign in (the last admin stays)",
        errors=(404, 409),
        tag="staff",
    )
    def deactivate_staff(self, staff_id: StaffId) -> StaffMember:
        from backend.services.shop import staff

        return staff.set_active(self.ctx, staff_id, False, actor=self.actor)  # type: ignore[return-value]

    @operation(
        "POST",
        "/staff/{staff_id}/activate",
        roles=ADMIN_ONLY,
        summary="Let a deactivated person sign in again",
        errors=(404,),
        tag="staff",
    )
    def activate_staff(self, staff_id: StaffId) -> StaffMember:
        from backend.services.shop import staff

        return staff.set_active(self.ctx, staff_id, True, actor=self.actor)  # type: ignore[return-value]

    @operation(
        "POST",
        "/staff/{staff_id}/reset-pin",
        roles=ADMIN_ONLY,
        summary="Give a person a new PIN (it also unlocks them)",
        errors=(404,),
        tag="staff",
    )
    def reset_pin(self, staff_id: StaffId, pin: NewPin) -> StaffMember:
        from backend.services.shop import staff

        return staff.reset_pin(self.ctx, staff_id, pin, actor=self.actor)  # type: ignore[return-value]

    @operation(
        "POST",
        "/staff/{staff_id}/unlock",
        roles=ADMIN_ONLY,
        summary="Unlock a person locked out by wrong PINs",
        errors=(404,),
        tag="staff",
    )
    def unlock_staff(self, staff_id: StaffId) -> StaffMember:
        from backend.services.shop import staff

        return staff.unlock(self.ctx, staff_id, actor=self.actor)  # type: ignore[return-value]

    @operation(
        "POST",
        "/staff",
        roles=ADMIN_ONLY,
        summary="Add a staff member or admin",
        status=201,
        errors=(409,),
        tag="staff",
    )
    def add_staff(self, name: Name, role: StaffRole, pin: NewPin) -> StaffMember:
        from backend.services.shop import staff

        return staff.add_staff(  # type: ignore[return-value]
            self.ctx, name=name, role=role, pin=pin, actor=self.actor
        )

    @operation(
        "POST",
        "/staff/first-admin",
        roles=COUNTER,
        summary="Create the shop's first admin (only while there is no staff account at all)",
        status=201,
        errors=(409,),
        tag="staff",
    )
    def create_first_admin(self, name: Name, pin: NewPin) -> StaffMember:
        from backend.services.shop import staff

        return staff.create_first_admin(  # type: ignore[return-value]
            self.ctx, name=name, pin=pin, actor=self.actor
        )

    def signed_in(self, person: StaffMember) -> Any:
        """The same interface, acting as ``person`` (who has just signed in)."""
        from backend.services.shop import staff

        row = staff.get_staff(self.ctx, int(person["id"]))
        return type(self)(self.ctx, Caller.for_staff(row, self.caller.terminal))

    # audit and tokens -----------------------------------------------------------------
    @operation(
        "GET",
        "/audit",
        roles=ADMIN_ONLY,
        summary="The latest audit log entries, newest first",
        wrap="entries",
        tag="store",
    )
    def audit_log(self, limit: int = 50) -> list[dict[str, Any]]:
        from backend.store import audit

        return audit.recent(self.ctx, max(1, min(int(limit), 1000)))

    @operation(
        "POST",
        "/tokens",
        roles=ADMIN_ONLY,
        summary="Create an API token (shown once; only its digest is stored)",
        status=201,
        tag="store",
    )
    def create_token(self, role: TokenRole, name: Name | None = None) -> dict[str, Any]:
        from backend.services.shop import api_tokens

        return api_tokens.create_token(self.ctx, role=role, name=name, actor=self.actor)

    @operation(
        "GET",
        "/tokens",
        roles=ADMIN_ONLY,
        summary="API tokens (never their values)",
        wrap="tokens",
        tag="store",
    )
    def list_tokens(self, include_revoked: bool = False) -> list[dict[str, Any]]:
        from backend.services.shop import api_tokens

        return api_tokens.list_tokens(self.ctx, include_revoked=include_revoked)

    @operation(
        "POST",
        "/tokens/{ref}/revoke",
        roles=ADMIN_ONLY,
        summary="Revoke a token by number or name (its next request is refused)",
        errors=(404, 409),
        tag="store",
    )
    def revoke_token(self, ref: TokenRef) -> dict[str, Any]:
        from backend.services.shop import api_tokens

        return api_tokens.revoke_token(self.ctx, ref, actor=self.actor)
