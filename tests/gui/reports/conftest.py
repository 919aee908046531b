"""The report fixtures (hand-built rows, a local SMTP server) for the GUI tests too."""

from tests.integration.reports.conftest import Rows, rows  # noqa: F401

__all__ = ["Rows"]
