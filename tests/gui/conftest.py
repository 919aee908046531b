"""What every GUI test shares: garbage collected on the GUI thread (as in the app) and
one task runner, shut down after the test's windows have closed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.runtime.lifecycle import install_collector
from app.runtime.tasks import TaskRunner


@pytest.fixture(autouse=True)
def collect_on_gui_thread(qapp) -> Iterator[None]:
    """As ``app.gui_main`` does: no widget is ever freed by a collection that happened
    to start on a worker thread. Afterwards, collect here and give collection back."""
    collector = install_collector(qapp)
    yield
    collector.stop()


@pytest.fixture
def runner(qtbot) -> Iterator[TaskRunner]:
    task_runner = TaskRunner()
    yield task_runner
    task_runner.shutdown()
