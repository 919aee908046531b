"""The Qt binding keeps Python's reference counts right.

PySide6 6.12.0 on Python 3.11 returns ``None`` from every void method (``update()``,
``setText()``, ``processEvents()``…) without taking a reference, so each call drops one
reference to ``None``; after a few thousand calls Python aborts with "deallocating
None". A kiosk or display ticking every second dies within hours. pyproject.toml
excludes that release; this test fails loudly on an environment that still has it.
(From Python 3.12 ``None`` is immortal and the mistake is harmless.)
"""

import sys

from PySide6.QtWidgets import QApplication, QLabel


def test_void_methods_do_not_drop_references_to_none(qtbot):
    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for i in range(200):
        label.setText(str(i))
        label.update()
        QApplication.processEvents()
    lost = before - sys.getrefcount(None)
    assert lost < 50, f"the Qt binding dropped {lost} references to None in 600 calls"
