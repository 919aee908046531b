"""A queue for the SQLite file's one write lock, shared by every process on that file.

SQLite itself makes a writer that finds the file locked sleep and try again, on a
schedule of 1, 2, 5, 10, 15, 20, 25… ms: with several ``serve`` workers (or a till and
the REST server) writing at once, a waiter often sleeps long after the lock was freed
(measured: ``BEGIN IMMEDIATE`` waits of 3, 8, 18, 33, 53, 78 and 103 ms, the sums of
that schedule, and a p99 of 54 ms). Here each store first takes an exclusive ``flock``
on a small lock file beside the database (``<file>-writer``): a waiter blocks in the
kernel and is woken the moment the holder lets go, and the kernel frees the lock of a
process that dies, however it dies. SQLite's own lock is still taken inside
(``BEGIN IMMEDIATE``), so a program that does not use this queue stays safe.

``flock`` has no time-out, so a contended wait runs on a helper thread and the caller
waits at most ``timeout`` for it; a turn that comes after the caller gave up is handed
back at once.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from backend.errors import StoreClosed, StoreError


class WriterQueue:
    """Turns at writing the file at ``path``, one at a time across processes."""

    def __init__(self, path: str) -> None:
        self.path = path + "-writer"
        try:
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise StoreError(f"Cannot open {self.path}: {exc.strerror}") from None

    @contextmanager
    def turn(self, timeout: float) -> Iterator[None]:
        """Hold the file's write turn for the block; StoreError after ``timeout`` s."""
        fd = self._take(timeout)
        if fd is None:
            raise StoreError(
                f"The database is busy: another program has been writing to it for over "
                f"{timeout:.0f} s."
            )
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            if fd != self._fd:
                os.close(fd)

    def _take(self, timeout: float) -> int | None:
        """The descriptor that holds the turn, or None when ``timeout`` passed first."""
        if self._fd < 0:
            raise StoreClosed("Cannot operate on a closed database.")
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return self._fd  # free: the common case, no thread
        except BlockingIOError:
            pass
        # the helper opens the file again: a lock it takes after we gave up is its own
        # (one taken through our descriptor would be ours, and its release would end a
        # later turn of ours), and closing its descriptor hands the lock back
        fd = os.open(self.path, os.O_RDWR)
        guard = threading.Lock()
        taken, gave_up = threading.Event(), threading.Event()

        def wait_in_the_kernel() -> None:
            fcntl.flock(fd, fcntl.LOCK_EX)
            with guard:
                if gave_up.is_set():
                    os.close(fd)
                else:
                    taken.set()

        threading.Thread(target=wait_in_the_kernel, name="writer-queue", daemon=True).start()
        if taken.wait(timeout):
            return fd
        with guard:
            if taken.is_set():
                return fd
            gave_up.set()
            return None

    def close(self) -> None:
        """Close the lock file (again is harmless: the number may belong to another file
        by then, so it is closed only once)."""
        fd, self._fd = self._fd, -1
        if fd >= 0:
            os.close(fd)
