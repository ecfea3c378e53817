"""Typed settings from the environment and a `.env` file, built in the entrypoint."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from storage.audit import actor_key
from storage.db import redact_database_url

__all__ = ["DEFAULT_DATABASE_URL", "Settings", "load_settings"]

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///pishran.sqlite3"
_PLACEHOLDERS = {"changethis", "changeme", "secret", "token", "xxx"}
# The admin token is a password typed into a web page: too short to guess, it is refused.
ADMIN_TOKEN_MIN_LENGTH = 16
# The audit key hides Telegram ids behind an HMAC: as long a secret as the admin token.
AUDIT_KEY_MIN_LENGTH = 16


class Settings(BaseSettings):
    """Everything Pishran reads from its environment; secrets have no defaults."""

    # hide_input_in_errors: a refused setting must not print the others (tokens, passwords).
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", hide_input_in_errors=True
    )

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
    log_format: Literal["text", "json"] = "text"
    kb_refresh_seconds: float = Field(default=2.0, gt=0)
    reminder_delay_hours: float = Field(default=24.0, ge=0)
    reminder_interval_seconds: float = Field(default=300.0, gt=0)
    # Statistics: groups of fewer than k assessments (or people) are suppressed, and every
    # published figure is perturbed (docs/privacy.md); the API at /api/stats answers only
    # when a token is set. Answer counts and reliability are published per release: at most
    # one cut per STATS_RELEASE_HOURS, and only once k new people completed.
    stats_k: int = Field(default=5, ge=1)
    stats_release_hours: float = Field(default=24.0, ge=0)
    # The sector's means beside a respondent's results are read at most once per this many
    # seconds in each process (0: at every results screen); reading them sums the sector.
    stats_sector_means_seconds: float = Field(default=60.0, ge=0)
    stats_api_token: SecretStr | None = None
    # The web admin panel at /admin: signed in with this token; 404 while it is unset. The
    # session cookie's key is derived from it, so changing it signs everyone out.
    admin_token: SecretStr | None = None
    # Mark the panel's cookie Secure even when the request reached us over plain HTTP (behind
    # a proxy that terminates TLS); it is always Secure on an https request.
    admin_cookie_secure: bool = False
    # The web server sits behind one reverse proxy (Caddy in docker-compose.yml) that sets
    # X-Forwarded-For and X-Forwarded-Proto: trust them for the client's address and https.
    # Leave it off when clients reach the server directly, or they could forge both.
    behind_proxy: bool = False
    # The key of the audit log's pseudonyms for Telegram users (an HMAC of the id, which
    # nobody can reverse without the key). Unset, it is derived from BOT_TOKEN: then a new
    # token gives everyone new pseudonyms, and /forget no longer finds the older rows.
    audit_key: SecretStr | None = None
    # Updates handled at once; one person's always one after another, in order
    # (bot/update_order.py). 4 was the faster here: on PostgreSQL 1.7 x the updates/s of 1;
    # on SQLite, whose writers take turns, about the same or a little faster (bench/README.md).
    update_concurrency: int = Field(default=4, ge=1, le=256)
    # Worker processes that draw the result charts (each holds matplotlib, about 100 MB; they
    # start with the first chart). Drawing is CPU-bound: more than the cores is no faster.
    chart_workers: int = Field(default=1, ge=1, le=16)
    # Seconds to wait for the Bot API's answer to one call (python-telegram-bot's default).
    bot_api_read_timeout: float = Field(default=5.0, gt=0)
    # Bot API calls into chats per second from this process (Telegram's flood limit for bulk
    # sending is about 30 for the whole bot: with several replicas, give each 30 divided by
    # their number); 0 turns the limit off, e.g. against a Bot API emulator.
    flood_limit_per_second: float = Field(default=30.0, ge=0)
    # Seconds before repeating a Bot API call that was certainly not carried out (a 5xx, a
    # refused connection), doubled for each further try up to the maximum; tests shorten them.
    bot_api_retry_backoff: float = Field(default=0.5, gt=0)
    bot_api_retry_max_backoff: float = Field(default=4.0, gt=0)
    # The HTTP client under python-telegram-bot: aiohttp (a quarter of httpx's CPU per call,
    # see bench/README.md) or python-telegram-bot's own default, httpx (proxies, HTTP/2).
    bot_api_client: Literal["httpx", "aiohttp"] = "aiohttp"

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(int(part) for part in value.replace(";", ",").split(",") if part.strip())
        return value

    @model_validator(mode="after")
    def _enforce_real_secrets(self) -> Settings:
        secrets = ("bot_token", "webhook_secret", "stats_api_token", "admin_token", "audit_key")
        for name in secrets:
            secret = getattr(self, name)
            if secret is not None and secret.get_secret_value().lower() in _PLACEHOLDERS:
                raise ValueError(f"{name.upper()} is a placeholder; set a real value")
        admin_token = self.admin_token.get_secret_value() if self.admin_token else None
        if admin_token is not None and len(admin_token) < ADMIN_TOKEN_MIN_LENGTH:
            raise ValueError(f"ADMIN_TOKEN is too short; use {ADMIN_TOKEN_MIN_LENGTH}+ characters")
        audit_key = self.audit_key.get_secret_value() if self.audit_key else None
        if audit_key is not None and len(audit_key) < AUDIT_KEY_MIN_LENGTH:
            raise ValueError(f"AUDIT_KEY is too short; use {AUDIT_KEY_MIN_LENGTH}+ characters")
        if self.environment == "production" and self.webhook_url and not self.webhook_secret:
            raise ValueError("WEBHOOK_SECRET is required for a webhook in production")
        return self

    @property
    def audit_actor_key(self) -> bytes | None:
        """The key of the audit actors: from AUDIT_KEY, else from BOT_TOKEN, else none."""
        secret = self.audit_key or self.bot_token
        return actor_key(secret.get_secret_value()) if secret is not None else None

    @property
    def redacted_database_url(self) -> str:
        """The database URL with any password hidden, for logs and messages."""
        return redact_database_url(self.database_url)


def load_settings(
    environ: Mapping[str, str] | None = None, *, env_file: str | None = ".env"
) -> Settings:
    """Settings from `environ` (default: the process environment) and `env_file`."""
    if environ is None:
        return Settings(_env_file=env_file)  # type: ignore[call-arg]
    # Strings, as in the environment; pydantic validates and converts each field.
    values: dict[str, Any] = {key.lower(): value for key, value in environ.items()}
    return Settings(_env_file=env_file, **values)  # type: ignore[call-arg]
