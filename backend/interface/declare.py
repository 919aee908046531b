"""How an operation is declared: once, with who may call it and how it travels.

An operation is a method of :class:`~backend.interface.CheckoutApi` decorated with
:func:`operation`. The decorator records everything a front end needs to know — its REST
verb and path, the roles that may call it, whether it may wait on the network, how its
result is wrapped in JSON — and wraps the method so the caller's role is checked before
it runs. The in-process GUI and the CLI call the methods directly; the REST routes
(:mod:`backend.api.operations`) and the remote client (:mod:`backend.api.client`) are
generated from the same declarations. Adding an operation is one decorated method.
"""

from __future__ import annotations

import functools
import re
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from backend.errors import PermissionDenied

if TYPE_CHECKING:
    import inspect

KIOSK, STAFF, ADMIN, AUTOOS = "kiosk", "staff", "admin", "autoos"
ALL_ROLES = frozenset({KIOSK, STAFF, ADMIN, AUTOOS})
#: people at a till or a kiosk
COUNTER = frozenset({KIOSK, STAFF, ADMIN})
STAFF_ONLY = frozenset({STAFF, ADMIN})
ADMIN_ONLY = frozenset({ADMIN})
#: who may read a customer's money history
READERS = frozenset({STAFF, ADMIN, AUTOOS})

P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True)
class Caller:
    """Who is asking: their role (what they may do) and how the audit log names them."""

    role: str
    actor: str
    staff_id: int | None = None
    #: the till or kiosk asking (its payments are shown on the displays paired with it)
    terminal: str | None = None

    @classmethod
    def for_staff(cls, staff: typing.Mapping[str, Any], terminal: str | None = None) -> Caller:
        """A signed-in staff member or admin (the audit log names them ``staff:<id>``)."""
        return cls(str(staff["role"]), f"staff:{staff['id']}", int(staff["id"]), terminal)

    @classmethod
    def counter(cls, terminal: str) -> Caller:
        """A till before anyone signs in, a kiosk, or a customer display, by its name."""
        return cls(KIOSK, f"terminal:{terminal}", terminal=terminal)

    @classmethod
    def owner(cls, actor: str = "cli") -> Caller:
        """Whoever runs the command line on the store's own machine: an admin."""
        return cls(ADMIN, actor)

    def require(self, op: Operation) -> None:
        """Refuse the operation unless this caller's role may call it."""
        if op.roles is not None and self.role not in op.roles:
            raise PermissionDenied(
                f"A {self.role} may not do this ({op.summary.rstrip('.').lower()}); "
                f"it needs one of: {', '.join(sorted(op.roles))}."
            )


@dataclass(frozen=True)
class Operation:
    """One thing a person or program can do, as every front end needs to know it."""

    name: str
    summary: str
    roles: frozenset[str] | None  # None: anyone who can reach the server (health)
    #: REST verb and path; ``None`` for an operation that runs in-process only (it hands
    #: the caller a progress object or writes a local file)
    verb: str | None = None
    path: str | None = None
    description: str = ""
    status: int = 200
    errors: tuple[int, ...] = (404, 409, 503)
    #: may wait on Stripe, a PSP or SMTP: the GUI runs it on its network pool
    network: bool = False
    #: the REST answer is ``{<wrap>: result}`` (plus the ``echo`` arguments)
    wrap: str | None = None
    echo: tuple[str, ...] = ()
    #: the whole JSON request body is this one argument (a mapping)
    body: str | None = None
    #: the result is a :class:`~backend.domain.records.Document` of this type
    media_type: str | None = None
    tag: str = ""
    method: Callable[..., Any] = field(default=lambda: None, repr=False, compare=False)

    @property
    def changes(self) -> bool:
        """Whether it changes state (POST) or only reads (GET)."""
        return self.verb == "POST"

    @property
    def path_params(self) -> tuple[str, ...]:
        return tuple(re.findall(r"{(\w+)}", self.path or ""))

    @functools.cached_property
    def signature(self) -> inspect.Signature:
        """The parameters a caller passes (``self`` left out)."""
        import inspect  # on first use: the windows' start-up does not pay for it

        sig = inspect.signature(self.method)
        return sig.replace(parameters=list(sig.parameters.values())[1:])

    @functools.cached_property
    def hints(self) -> dict[str, Any]:
        """Parameter and result types, resolved (``Annotated`` metadata kept). An
        in-process operation may name types its module imports only for type checkers;
        those stay unresolved text (no front end generated from types needs them)."""
        try:
            return typing.get_type_hints(self.method, include_extras=True)
        except NameError:
            if self.verb is not None:
                raise
            return dict(self.method.__annotations__)


def operation(
    verb: str | None,
    path: str | None,
    *,
    roles: frozenset[str] | None,
    summary: str,
    **options: Any,
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Declare a method of the application interface as an operation."""

    def declare(method: Callable[P, R]) -> Callable[P, R]:
        op = Operation(
            name=method.__name__,
            summary=summary,
            roles=roles,
            verb=verb,
            path=path,
            method=method,
            **options,
        )

        @functools.wraps(method)
        def checked(*args: P.args, **kwargs: P.kwargs) -> R:
            args[0].caller.require(op)  # type: ignore[attr-defined]
            return method(*args, **kwargs)

        checked.operation = op  # type: ignore[attr-defined]
        return checked

    return declare


def operations(api: type) -> Iterator[Operation]:
    """Every operation declared on ``api``: its capability groups in the order it lists
    them, each in declaration order (a subclass's override shadows the original)."""
    seen: set[str] = set()
    for klass in api.__mro__:
        for name, member in vars(klass).items():
            op = getattr(member, "operation", None)
            if isinstance(op, Operation) and name not in seen:
                seen.add(name)
                yield op


def operation_of(bound: Callable[..., Any]) -> Operation | None:
    """The declaration behind a (bound) operation method, if it is one."""
    return getattr(bound, "operation", None)
