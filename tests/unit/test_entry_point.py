"""``autoos-checkout``: GUI modes open windows, everything else is the admin CLI."""

import pytest

from app.main import _opens_gui, _split


@pytest.mark.parametrize(
    ("argv", "gui"),
    [
        ([], True),
        (["--db", "x.db"], True),
        (["staff"], True),
        (["staff", "--db", "x.db"], True),
        (["kiosk", "--config", "s.toml"], True),
        (["staff", "add", "--name", "Meena", "--role", "staff", "--pin", "1234"], False),
        (["--db", "x.db", "staff", "list"], False),
        (["trial", "start", "--customer", "1"], False),
    ],
)
def test_staff_alone_opens_the_window_staff_add_is_the_cli(argv, gui):
    command, _ = _split(argv)
    assert _opens_gui(command, argv) is gui
