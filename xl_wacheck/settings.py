"""Where credentials and defaults come from: the environment, then the user's config file.

The API key is read from ``WACHECK_API_KEY``; the user ID, API URL and default region from
``WACHECK_USER_ID``, ``WACHECK_API_URL``, ``WACHECK_REGION`` or the config file
(``config.toml`` in the platform's user config folder), environment first.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_config_path

from .api import DEFAULT_API_URL
from .errors import ConfigError


@dataclass(frozen=True, slots=True)
class Settings:
    api_key: str | None
    user_id: str | None
    api_url: str = DEFAULT_API_URL
    region: str | None = None

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

    return Settings(
        api_key=env.get("WACHECK_API_KEY") or None,
        user_id=pick("WACHECK_USER_ID", "user_id"),
        api_url=pick("WACHECK_API_URL", "api_url") or DEFAULT_API_URL,
        region=pick("WACHECK_REGION", "region"),
    )
