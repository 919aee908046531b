"""Settings: defaults < file < environment; secrets never from the file, never shown."""

from pathlib import Path

import pytest

from backend.config import Secrets, load_settings
from backend.errors import ConfigError


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "settings.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_environment_overrides_the_file(tmp_path):
    path = _file(
        tmp_path,
        '[upi]\nvpa = "file@okaxis"\nexpiry_minutes = 20\n[features]\nfree_trial = true\n',
    )
    settings = load_settings(
        path, env={"UPI_DEFAULT_VPA": "env@okhdfc", "ENABLE_FREE_TRIAL": "off"}
    )
    assert settings.upi.vpa == "env@okhdfc"
    assert settings.features.free_trial is False
    assert settings.upi.expiry_minutes == 20  # from the file, no env for it
    assert settings.source == str(path)


def test_config_path_comes_from_the_environment(tmp_path):
    path = _file(tmp_path, '[shop]\nname = "AUTOOS Koramangala"\n')
    settings = load_settings(env={"AUTOOS_CHECKOUT_CONFIG": str(path)})
    assert settings.shop.name == "AUTOOS Koramangala"


@pytest.mark.parametrize(
    "line",
    ['STRIPE_SECRET_KEY = "sk_test_123"', 'smtp_password = "hunter2"', 'webhook_secret = "x"'],
)
def test_a_secret_in_the_settings_file_is_refused(tmp_path, line):
    path = _file(tmp_path, f"[stripe]\n{line}\n")
    with pytest.raises(ConfigError, match="do not belong in the settings file") as err:
        load_settings(path, env={})
    for value in ("sk_test_123", "hunter2"):
        assert value not in str(err.value)


def test_unknown_settings_and_bad_values_are_refused(tmp_path):
    with pytest.raises(ConfigError, match="unknown setting 'colour'"):
        load_settings(_file(tmp_path, '[ui]\ncolour = "red"\n'), env={})
    with pytest.raises(ConfigError, match=r"ENABLE_PRORATION.*not true/false"):
        load_settings(_file(tmp_path, ""), env={"ENABLE_PRORATION": "maybe"})
    with pytest.raises(ConfigError, match="not a whole number"):
        load_settings(_file(tmp_path, '[upi]\nexpiry_minutes = "soon"\n'), env={})


def test_secrets_come_from_env_and_repr_hides_them():
    secrets = Secrets(env={"STRIPE_SECRET_KEY": "rk_live_abc123"}, use_keyring=False)
    assert secrets.get("STRIPE_SECRET_KEY") == "rk_live_abc123"
    assert secrets.get("SMTP_PASSWORD") is None
    assert "rk_live_abc123" not in repr(secrets)
    assert "rk_live_abc123" not in str(secrets)
    with pytest.raises(KeyError):
        secrets.get("HOME")


def test_an_unreadable_settings_or_catalog_file_is_a_config_error(tmp_path):
    from backend.domain.catalog import load_catalog

    latin1 = tmp_path / "settings.toml"
    latin1.write_bytes(b'[shop]\nname = "Caf\xe9 Rao"\n')  # saved as Latin-1 by an editor
    with pytest.raises(ConfigError, match="UTF-8"):
        load_settings(latin1, env={})
    with pytest.raises(ConfigError, match="settings file"):
        load_settings(tmp_path, env={})  # a folder
    with pytest.raises(ConfigError, match="UTF-8"):
        load_catalog(latin1)
