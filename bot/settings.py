"""Typed settings from the environment and a `.env` file, built in the entrypoint."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url

__all__ = ["DEFAULT_DATABASE_URL", "Settings", "load_settings"]

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///pishran.sqlite3"
_PLACEHOLDERS = {"changethis", "changeme", "secret", "token", "xxx"}


class Settings(BaseSettings):
    """Everything Pishran reads from its environment; secrets have no defaults."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    environment: Literal["development", "production"] = "development"
    bot_token: SecretStr | None = None
    bot_api_base_url: str = "https://api.telegram.org/bot"
    bot_api_file_url: str = "https://api.telegram.org/file/bot"
    database_url: str = DEFAULT_DATABASE_URL
    admin_ids: Annotated[tuple[int, ...], NoDecode] = ()
    default_language: Literal["fa", "en"] = "fa"
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    log_level: str = "INFO"

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(int(part) for part in value.replace(";", ",").split(",") if part.strip())
        return value

    @model_validator(mode="after")
    def _enforce_real_secrets(self) -> Settings:
        for name in ("bot_token", "webhook_secret"):
            secret = getattr(self, name)
            if secret is not None and secret.get_secret_value().lower() in _PLACEHOLDERS:
                raise ValueError(f"{name.upper()} is a placeholder; set a real value")
        if self.environment == "production" and self.webhook_url and not self.webhook_secret:
            raise ValueError("WEBHOOK_SECRET is required for a webhook in production")
        return self

    @property
    def redacted_database_url(self) -> str:
        """The database URL with any password hidden, for logs and messages."""
        return make_url(self.database_url).render_as_string(hide_password=True)


def load_settings(
    environ: Mapping[str, str] | None = None, *, env_file: str | None = ".env"
) -> Settings:
    """Settings from `environ` (default: the process environment) and `env_file`."""
    if environ is None:
        return Settings(_env_file=env_file)  # type: ignore[call-arg]
    values = {key.lower(): value for key, value in environ.items()}
    return Settings(_env_file=env_file, **values)  # type: ignore[call-arg]
