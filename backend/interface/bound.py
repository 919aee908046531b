"""What every group of operations shares: the context it runs in and who is asking."""

from __future__ import annotations

from typing import TYPE_CHECKING

from backend.interface.declare import Caller

if TYPE_CHECKING:
    from backend.context import Context


class Bound:
    """The application interface bound to a store (``ctx``) and a caller."""

    #: every call crosses a network (the remote client): a window runs it off its
    #: database thread, whatever the operation
    remote = False

    def __init__(self, ctx: Context, caller: Caller) -> None:
        self.ctx = ctx
        self.caller = caller

    def __repr__(self) -> str:
        return f"{type(self).__name__}(role={self.caller.role!r}, actor={self.caller.actor!r})"

    @property
    def actor(self) -> str:
        """How the audit log names whoever is asking."""
        return self.caller.actor
