"""``python -m tests.screenshots [--out DIR] [--size WxH]``: every screen, as PNG files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.screenshots.shooting import OUT


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.screenshots")
    parser.add_argument("--out", type=Path, default=OUT, help="folder for the PNG files")
    parser.add_argument("--size", default="1366x768", help="staff window size, e.g. 1920x1080")
    args = parser.parse_args(argv)
    width, _, height = args.size.partition("x")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setAttribute(Qt.ApplicationAttribute.AA_DontUseNativeDialogs)
    from tests.screenshots import customer_screens, staff_screens

    staff_screens.render_all(args.out, (int(width), int(height)))  # names each as it goes
    for path in customer_screens.render_all(args.out):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
