"""Guard against a reference-count bug of PySide6 6.12 on Python 3.11.

In PySide6/shiboken6 6.12.0 every call of a C++ method returning ``void`` (``setText``,
``show``, ``setEnabled``…) drops one reference to ``None`` that it never took, and every
``Signal.emit`` drops one to ``True``. On Python 3.12+ these objects are immortal and
nothing happens; on Python 3.11 the count reaches zero after some hundreds (``True``) or
thousands (``None``) of calls and the interpreter aborts ("Fatal Python error:
bool_dealloc / none_dealloc"). :func:`install` detects the bug and, only if present,
makes these singletons effectively immortal, as Python 3.12 does: it adds 2**40 to their
reference counts, which are never given back (references held in a list would be
released at exit, exactly when the missing ones make the count reach zero). The real
cure is a PySide6 without the bug or Python ≥ 3.12 (docs/decisions.md); then this is a
no-op.
"""

from __future__ import annotations

import ctypes
import sys

_PINNED: list[object] = []
PROBE_CALLS = 32
IMMORTAL = 2**40


def leaks() -> bool:
    """True when this PySide6 drops references to None or True (measured, not guessed)."""
    from PySide6.QtCore import QObject, Signal

    class _Probe(QObject):
        ping = Signal()

    probe = _Probe()
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(PROBE_CALLS):
        probe.setObjectName("probe")
        probe.ping.emit()
    lost_none = none_before - sys.getrefcount(None)
    lost_true = true_before - sys.getrefcount(True)
    # give back what the probe itself took, so measuring does no harm
    _PINNED.extend([None] * max(lost_none, 0) + [True] * max(lost_true, 0))
    return lost_none >= PROBE_CALLS or lost_true >= PROBE_CALLS


def install() -> bool:
    """Make None, True and False immortal if this PySide6 drops references to them."""
    if sys.version_info >= (3, 12) or not leaks():
        return False
    for singleton in (None, True, False):
        # CPython 3.11: ob_refcnt is the first field of every object
        ctypes.c_ssize_t.from_address(id(singleton)).value += IMMORTAL
    return True
