"""Settings: from the environment and `.env`, secrets checked, passwords kept out of logs."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.settings import DEFAULT_DATABASE_URL, load_settings

REAL_TOKEN = "7000000001:AAH-real-looking-token_0123456789abcdef"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("", ()),
        ("11111111", (11111111,)),
        ("11111111,22222222", (11111111, 22222222)),
        (" 11111111 ; 22222222 ,33333333, ", (11111111, 22222222, 33333333)),
    ],
)
def test_admin_ids_are_read_as_a_list_of_numbers(given: str, expected: tuple[int, ...]) -> None:
    assert load_settings({"ADMIN_IDS": given}, env_file=None).admin_ids == expected


def test_admin_ids_come_from_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADMIN_IDS", "5,6")
    assert load_settings(env_file=None).admin_ids == (5, 6)


@pytest.mark.parametrize("given", ["alice", "12,bob", "[1, 2]"])
def test_admin_ids_that_are_not_numbers_are_refused(given: str) -> None:
    with pytest.raises(ValidationError):
        load_settings({"ADMIN_IDS": given}, env_file=None)


@pytest.mark.parametrize("name", ["BOT_TOKEN", "WEBHOOK_SECRET"])
@pytest.mark.parametrize("value", ["changethis", "CHANGEME", "secret", "token", "xxx"])
def test_placeholder_secrets_are_refused(name: str, value: str) -> None:
    with pytest.raises(ValidationError, match=f"{name} is a placeholder"):
        load_settings({name: value}, env_file=None)


def test_a_refused_setting_does_not_print_the_other_secrets() -> None:
    values = {
        "BOT_TOKEN": REAL_TOKEN,
        "WEBHOOK_SECRET": "changethis",
        "DATABASE_URL": "postgresql+asyncpg://pishran:hunter2@db/pishran",
    }
    with pytest.raises(ValidationError) as refused:
        load_settings(values, env_file=None)
    message = str(refused.value)
    assert "WEBHOOK_SECRET is a placeholder" in message
    for secret in ("7000000001", "AAH-real", "hunter2"):
        assert secret not in message


def test_secrets_are_hidden_in_the_settings_repr() -> None:
    settings = load_settings(
        {"BOT_TOKEN": REAL_TOKEN, "WEBHOOK_SECRET": "s3cr3t-value"}, env_file=None
    )
    assert settings.bot_token is not None
    assert settings.bot_token.get_secret_value() == REAL_TOKEN
    assert REAL_TOKEN not in repr(settings)
    assert "s3cr3t-value" not in repr(settings)


def test_a_production_webhook_needs_a_secret() -> None:
    production = {"ENVIRONMENT": "production", "WEBHOOK_URL": "https://bot.example.org/telegram"}
    with pytest.raises(ValidationError, match="WEBHOOK_SECRET is required"):
        load_settings(production, env_file=None)

    settings = load_settings(
        {**production, "WEBHOOK_SECRET": "a-long-random-string"}, env_file=None
    )
    assert settings.webhook_secret is not None
    development = {**production, "ENVIRONMENT": "development"}
    assert load_settings(development, env_file=None).webhook_secret is None


def test_the_env_file_is_read(tmp_path: Path) -> None:
    env_file = tmp_path / "pishran.env"
    env_file.write_text(
        f"BOT_TOKEN={REAL_TOKEN}\nADMIN_IDS=7,8\nDEFAULT_LANGUAGE=en\n"
        "# a comment\nLOG_LEVEL=DEBUG\nUNRELATED=ignored\n",
        encoding="utf-8",
    )

    settings = load_settings(env_file=str(env_file))

    assert settings.bot_token is not None
    assert settings.bot_token.get_secret_value() == REAL_TOKEN
    assert settings.admin_ids == (7, 8)
    assert (settings.default_language, settings.log_level) == ("en", "DEBUG")


def test_dot_env_in_the_working_directory_is_read_and_the_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".env").write_text("ADMIN_IDS=1\nLOG_LEVEL=DEBUG\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LOG_LEVEL", "WARNING")

    settings = load_settings()

    assert settings.admin_ids == (1,)
    assert settings.log_level == "WARNING"


def test_without_an_env_file_the_defaults_apply() -> None:
    settings = load_settings(env_file=None)
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.bot_token is None
    assert settings.default_language == "fa"
    # A call the Bot API did not carry out is repeated after 0.5 s, 1 s, 2 s (at most 4 s).
    assert (settings.bot_api_retry_backoff, settings.bot_api_retry_max_backoff) == (0.5, 4.0)


@pytest.mark.parametrize(
    ("url", "password", "shown"),
    [
        (
            "postgresql+asyncpg://pishran:hunter2@db:5432/pishran",
            "hunter2",
            "postgresql+asyncpg://pishran:***@db:5432/pishran",
        ),
        (
            "postgresql+asyncpg://pishran:p%40ss%3Aw%2Frd@db/pishran",
            "p%40ss",
            "postgresql+asyncpg://pishran:***@db/pishran",
        ),
        ("sqlite+aiosqlite:///pishran.sqlite3", None, "sqlite+aiosqlite:///pishran.sqlite3"),
    ],
)
def test_the_redacted_database_url_hides_the_password(
    url: str, password: str | None, shown: str
) -> None:
    settings = load_settings({"DATABASE_URL": url}, env_file=None)
    assert settings.redacted_database_url == shown
    if password is not None:
        assert password not in settings.redacted_database_url


@pytest.mark.parametrize("value", ["changethis", "secret", "short-key"])
def test_a_placeholder_or_short_audit_key_is_refused(value: str) -> None:
    with pytest.raises(ValidationError, match="AUDIT_KEY is"):
        load_settings({"AUDIT_KEY": value}, env_file=None)


def test_the_audit_key_comes_from_audit_key_else_from_the_bot_token() -> None:
    own = load_settings(
        {"AUDIT_KEY": "a-long-random-audit-key", "BOT_TOKEN": REAL_TOKEN}, env_file=None
    )
    same = load_settings({"AUDIT_KEY": "a-long-random-audit-key"}, env_file=None)
    from_token = load_settings({"BOT_TOKEN": REAL_TOKEN}, env_file=None)
    assert own.audit_actor_key == same.audit_actor_key  # a new BOT_TOKEN changes nothing
    assert from_token.audit_actor_key not in (None, own.audit_actor_key)
    assert load_settings({}, env_file=None).audit_actor_key is None
    assert from_token.audit_actor_key is not None
    assert REAL_TOKEN.encode() not in from_token.audit_actor_key
