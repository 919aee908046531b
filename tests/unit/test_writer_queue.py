"""The write turn on a SQLite file: one holder across stores and processes, a waiter
woken when the holder lets go, a clear error after the time-out, and the turn freed
when its holder dies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading

import pytest

from backend.errors import StoreError
from backend.store import open_store
from backend.store.writer_queue import WriterQueue
from tests.conftest import child_env


def test_a_second_store_writes_after_the_first_commits(tmp_path):
    first, second = open_store(tmp_path / "shop.db"), open_store(tmp_path / "shop.db")
    order: list[str] = []
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with first.transaction():
            first.execute("CREATE TABLE notes (text TEXT)")
            holding.set()
            release.wait(30)
            order.append("first commits")

    def write() -> None:
        with second.transaction():
            order.append("second writes")
            second.execute("INSERT INTO notes VALUES ('after')")

    holder = threading.Thread(target=hold)
    holder.start()
    assert holding.wait(30)
    writer = threading.Thread(target=write)
    writer.start()
    waiting_in_the_kernel()  # the second store waits for its turn, and has not failed
    assert writer.is_alive()
    assert order == []
    release.set()
    holder.join(30)
    writer.join(30)
    assert order == ["first commits", "second writes"]
    assert second.scalar("SELECT text FROM notes") == "after"
    first.close()
    second.close()


def waiting_in_the_kernel() -> None:
    """Wait (up to 30 s) until a store's turn is being waited for on a helper thread."""
    found = threading.Event()
    for _ in range(6000):
        if any(t.name == "writer-queue" for t in threading.enumerate()):
            return
        found.wait(0.005)
    pytest.fail("nobody waited for the write turn")


def test_a_waiter_that_gives_up_says_so_and_leaves_the_turn_free(tmp_path):
    holder, waiter = WriterQueue(str(tmp_path / "shop.db")), WriterQueue(str(tmp_path / "shop.db"))
    busy = pytest.raises(StoreError, match="busy: another program")
    with holder.turn(5), busy, waiter.turn(0.05):
        pass
    # the helper still waiting in the kernel gets the turn now, and hands it back
    with waiter.turn(30), pytest.raises(StoreError), holder.turn(0.05):
        pass
    holder.close()
    waiter.close()


def test_the_turn_of_a_killed_process_is_freed(tmp_path):
    path = str(tmp_path / "shop.db")
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from backend.store.writer_queue import WriterQueue\n"
            f"with WriterQueue({path!r}).turn(5):\n"
            "    print('holding', flush=True)\n"
            "    time.sleep(600)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
        env=child_env(),
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "holding"
        queue = WriterQueue(path)
        with pytest.raises(StoreError), queue.turn(0.05):
            pass
        os.kill(child.pid, signal.SIGKILL)
        with queue.turn(30):  # the kernel let go of the dead holder's lock
            pass
        queue.close()
    finally:
        child.kill()
        child.wait()
