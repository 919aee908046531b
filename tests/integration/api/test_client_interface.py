"""RemoteCheckoutService offers every CheckoutService method, with the same parameters,
so a window cannot tell which one it was given."""

from __future__ import annotations

import inspect

from backend.api.client import RemoteCheckoutService
from backend.facade import CheckoutService, LocalCheckoutService


def public_methods(cls: type) -> dict[str, inspect.Signature]:
    return {
        name: inspect.signature(member)
        for name, member in inspect.getmembers(cls, inspect.isfunction)
        if not name.startswith("_")
    }


def parameters(sig: inspect.Signature) -> list[tuple[str, object, object]]:
    return [(p.name, p.kind, p.default) for p in sig.parameters.values()]


def test_remote_service_has_the_whole_interface():
    wanted = public_methods(CheckoutService)
    remote = public_methods(RemoteCheckoutService)
    assert set(wanted) <= set(remote)
    for name, sig in wanted.items():
        assert parameters(remote[name]) == parameters(sig), name


def test_local_and_remote_agree():
    local = public_methods(LocalCheckoutService)
    remote = public_methods(RemoteCheckoutService)
    for name in public_methods(CheckoutService):
        assert parameters(local[name]) == parameters(remote[name]), name
