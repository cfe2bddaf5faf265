"""Where the key and the settings come from, and that the key goes nowhere else."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend

from xl_wacheck.cli import main
from xl_wacheck.errors import ConfigError
from xl_wacheck.settings import config_file, load_settings


class MemoryKeyring(KeyringBackend):
    """A real keyring backend that keeps passwords in a dict (the test's OS keychain)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.passwords.pop((service, username), None)


@pytest.fixture
def keychain() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    memory = MemoryKeyring()
    keyring.set_keyring(memory)
    yield memory
    keyring.set_keyring(previous)


def test_environment_comes_first(keychain: MemoryKeyring) -> None:
    keychain.set_password("xl-wacheck", "u", "from-keychain")
    settings = load_settings({"WACHECK_API_KEY": "from-env", "WACHECK_USER_ID": "u"})
    assert settings.api_key == "from-env"


def test_keychain_is_used_for_the_configured_user(keychain: MemoryKeyring) -> None:
    keychain.set_password("xl-wacheck", "u", "from-keychain")
    assert load_settings({"WACHECK_USER_ID": "u"}).api_key == "from-keychain"
    assert load_settings({"WACHECK_USER_ID": "other"}).api_key is None


def test_a_key_file_others_can_read_gets_a_warning(keychain: MemoryKeyring, tmp_path: Path) -> None:
    key_file = tmp_path / "key.txt"
    key_file.write_text("from-file\n")
    key_file.chmod(0o644)
    settings = load_settings({"WACHECK_KEY_FILE": str(key_file), "WACHECK_USER_ID": "u"})
    assert settings.api_key == "from-file"
    assert "chmod 600" in settings.warnings[0]
    key_file.chmod(0o600)
    assert load_settings({"WACHECK_KEY_FILE": str(key_file)}).warnings == ()


def test_config_file_supplies_user_region_and_url(keychain: MemoryKeyring, tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('user_id = "team"\nregion = "CH"\napi_url = "https://x.example"\n')
    settings = load_settings({}, path)
    assert (settings.user_id, settings.region, settings.api_url) == (
        "team",
        "CH",
        "https://x.example",
    )
    assert load_settings({"WACHECK_REGION": "DE"}, path).region == "DE"


def test_a_broken_config_file_is_one_sentence(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("user_id = ")
    with pytest.raises(ConfigError, match="Fix or delete it"):
        load_settings({}, path)


def test_missing_user_id_names_the_config_file(keychain: MemoryKeyring) -> None:
    with pytest.raises(ConfigError, match="WACHECK_USER_ID"):
        load_settings({"WACHECK_API_KEY": "k"}).require()


def test_repr_never_shows_the_key() -> None:
    assert "s3cr3t" not in repr(load_settings({"WACHECK_API_KEY": "s3cr3t"}))


def test_login_stores_the_key_in_the_keychain_and_only_there(
    keychain: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("the-new-key\n"))
    assert main(["login", "--user-id", "team"]) == 0
    assert keychain.passwords == {("xl-wacheck", "team"): "the-new-key"}
    assert "the-new-key" not in config_file().read_text()
    assert 'user_id = "team"' in config_file().read_text()
    assert "the-new-key" not in capsys.readouterr().out
    assert load_settings().api_key == "the-new-key"
