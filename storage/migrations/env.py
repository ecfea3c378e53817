"""Alembic environment for Pishran's tables.

Three ways in: storage.db.upgrade_database hands over an open connection in
`config.attributes["connection"]`; the `alembic` command line connects to `-x url=...`,
DATABASE_URL or the default SQLite file; `--sql` (offline mode) only prints the SQL.
"""

import asyncio
import os
from logging.config import fileConfig
from typing import Any

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel
from sqlmodel.sql.sqltypes import AutoString

import storage.admin_sessions  # noqa: F401  (registers the tables on SQLModel.metadata)
import storage.handled_updates  # noqa: F401
import storage.models  # noqa: F401
import storage.plan_notes  # noqa: F401
import storage.plans  # noqa: F401
import storage.rechecks  # noqa: F401
from storage.db import build_engine, default_database_url, normalise_database_url
from storage.models import UtcDateTime

config = context.config
target_metadata = SQLModel.metadata


def get_url() -> str:
    url = (
        context.get_x_argument(as_dictionary=True).get("url")
        or os.environ.get("DATABASE_URL")
        or default_database_url()
    )
    return normalise_database_url(url)


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | bool:
    # Keep generated migrations free of storage/sqlmodel imports: they must stay valid
    # when the models change later.
    if type_ == "type" and isinstance(obj, AutoString):
        return "sa.String()"
    if type_ == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def configure_options(dialect_name: str) -> dict[str, Any]:
    return {
        "target_metadata": target_metadata,
        "compare_type": True,
        "render_item": render_item,
        # SQLite can ALTER little; batch mode copies the table instead.
        "render_as_batch": dialect_name == "sqlite",
    }


def run_migrations_offline() -> None:
    url = get_url()
    context.configure(
        url=url,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        **configure_options(url.split(":", 1)[0].split("+", 1)[0]),
    )
    with context.begin_transaction():
        context.run_migrations()


def do_run_migrations(connection: Connection) -> None:
    context.configure(connection=connection, **configure_options(connection.dialect.name))
    with context.begin_transaction():
        context.run_migrations()


async def run_async_migrations() -> None:
    engine = build_engine(get_url())
    try:
        async with engine.begin() as connection:
            await connection.run_sync(do_run_migrations)
    finally:
        await engine.dispose()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        do_run_migrations(connection)
        return
    if config.config_file_name is not None:
        # Only the command line configures logging; the application owns its own.
        fileConfig(config.config_file_name, disable_existing_loggers=False)
    asyncio.run(run_async_migrations())


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
