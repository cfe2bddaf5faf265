"""Where credentials and defaults come from: the environment, the OS keychain, a config file.

The API key is a payment credential. It is read, in this order, from ``WACHECK_API_KEY``,
the OS keychain (``keyring``; ``xl-wacheck login`` puts it there), or a key file the user
chose explicitly (``WACHECK_KEY_FILE`` or ``key_file`` in the config file), with a warning
when other users could read that file. It is never written anywhere by this module except
the keychain. The user ID, API URL and default region come from ``WACHECK_USER_ID``,
``WACHECK_API_URL``, ``WACHECK_REGION`` or the config file (``config.toml`` in the
platform's user config folder), environment first.
"""

from __future__ import annotations

import os
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_config_path

from .api import DEFAULT_API_URL
from .errors import ConfigError

KEYRING_SERVICE = "xl-wacheck"
DEFAULT_TIMEOUT = 120.0


@dataclass(frozen=True, slots=True)
class Settings:
    api_key: str | None
    user_id: str | None
    api_url: str = DEFAULT_API_URL
    region: str | None = None
    #: Seconds to wait for an answer before retrying (or reporting an uncertain upload).
    timeout: float = DEFAULT_TIMEOUT
    #: Largest result download accepted, in MB.
    max_download_mb: float = 512.0
    #: Sentences to show the user (e.g. a key file others can read).
    warnings: tuple[str, ...] = ()

    def __repr__(self) -> str:  # the key stays out of logs and tracebacks
        return f"Settings(user_id={self.user_id!r}, api_url={self.api_url!r})"

    def require(self) -> tuple[str, str]:
        if not self.api_key:
            raise ConfigError(
                "No API key: set WACHECK_API_KEY (or add --sandbox to try without one)."
            )
        if not self.user_id:
            raise ConfigError(
                f'No user ID: set WACHECK_USER_ID or put user_id = "…" in {config_file()}.'
            )
        return self.api_key, self.user_id


def config_file() -> Path:
    return user_config_path("xl-wacheck", appauthor=False) / "config.toml"


def load_settings(env: Mapping[str, str] | None = None, path: Path | None = None) -> Settings:
    env = os.environ if env is None else env
    path = path or config_file()
    file: dict[str, object] = {}
    if path.is_file():
        try:
            file = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, OSError, UnicodeDecodeError) as error:
            raise ConfigError(f"Cannot read {path}: {error}. Fix or delete it.") from error

    def pick(name: str, key: str) -> str | None:
        value = env.get(name) or file.get(key)
        return str(value).strip() if value else None

    user_id = pick("WACHECK_USER_ID", "user_id")
    warnings: list[str] = []
    key = env.get("WACHECK_API_KEY") or keychain_key(user_id)
    if not key:
        key_file = pick("WACHECK_KEY_FILE", "key_file")
        if key_file:
            key = _read_key_file(Path(key_file).expanduser(), warnings)
    return Settings(
        api_key=key or None,
        user_id=user_id,
        api_url=pick("WACHECK_API_URL", "api_url") or DEFAULT_API_URL,
        region=pick("WACHECK_REGION", "region"),
        timeout=_positive(pick("WACHECK_TIMEOUT", "timeout")),
        max_download_mb=_positive(pick("WACHECK_MAX_DOWNLOAD_MB", "max_download_mb"), 512.0),
        warnings=tuple(warnings),
    )


def _positive(text: str | None, default: float = DEFAULT_TIMEOUT) -> float:
    """A positive number from a setting (seconds, or MB for the download cap)."""
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise ConfigError(f"The setting '{text}' is not a number.") from None
    if value <= 0:
        raise ConfigError(f"The setting '{text}' must be more than 0.")
    return value


def keychain_key(user_id: str | None) -> str | None:
    """The key stored by ``xl-wacheck login``, or None when there is none (or no keychain)."""
    try:
        import keyring
        from keyring.errors import KeyringError

        try:
            return keyring.get_password(KEYRING_SERVICE, user_id or "default")
        except KeyringError:
            return None
    except Exception:  # a broken keychain backend must not stop a run that has a key elsewhere
        return None


def store_key(user_id: str, key: str) -> None:
    import keyring
    from keyring.errors import KeyringError

    try:
        keyring.set_password(KEYRING_SERVICE, user_id, key)
    except KeyringError as error:
        raise ConfigError(
            "This computer has no usable keychain; set WACHECK_API_KEY instead, or point "
            "WACHECK_KEY_FILE at a file only you can read."
        ) from error


def _read_key_file(path: Path, warnings: list[str]) -> str | None:
    try:
        if os.name == "posix" and path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            warnings.append(f"{path} can be read by other users; run 'chmod 600 {path}'.")
        return path.read_text(encoding="utf-8").strip() or None
    except OSError as error:
        raise ConfigError(f"Cannot read the key file {path} ({error.strerror}).") from error


def save_user_settings(values: dict[str, str], path: Path | None = None) -> Path:
    """Merge ``values`` into the config file (plain strings only; never the key)."""
    path = path or config_file()
    current: dict[str, object] = {}
    if path.is_file():
        current = tomllib.loads(path.read_text(encoding="utf-8"))
    current.update(values)
    lines = [
        f"{name} = {_toml_string(str(value))}"
        for name, value in current.items()
        if isinstance(value, str)
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _toml_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
