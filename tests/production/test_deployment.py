"""The Docker files describe a working deployment: what they name (commands, routes) exists.

There is no Docker engine in CI, so these tests read the files and check them against the code.
"""

from __future__ import annotations

import asyncio
import json
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.cli import build_parser
from bot.emulator import BotApiEmulator
from bot.settings import Settings
from tests.production.support import AiohttpClient, free_port, start_replica, webhook_settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_ONLY = {"POSTGRES_PASSWORD", "PISHRAN_DOMAIN"}


def dockerfile_stages() -> list[list[tuple[str, str]]]:
    """The Dockerfile as stages of (INSTRUCTION, arguments), continuation lines joined."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    stages: list[list[tuple[str, str]]] = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        instruction, _, arguments = line.strip().partition(" ")
        if instruction.upper() == "FROM":
            stages.append([])
        stages[-1].append((instruction.upper(), arguments.strip()))
    return stages


def compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return document


def env_example_names() -> set[str]:
    """Every variable .env.example mentions, set or commented out."""
    text = (ROOT / ".env.example").read_text()
    return set(re.findall(r"^#? ?([A-Z][A-Z0-9_]*)=", text, flags=re.M))


def pishran_command(command: list[str]) -> list[str]:
    """The arguments of a `pishran ...` command, checked against the real parser."""
    assert command[0] == "pishran", command
    build_parser().parse_args(command[1:])  # exits (fails the test) on an unknown command
    return command[1:]


def test_the_final_image_is_slim_non_root_and_without_build_tools() -> None:
    *_, final = dockerfile_stages()
    instructions = dict(final)
    assert instructions["FROM"] == "python:3.11-slim"
    user = instructions["USER"]
    assert user not in {"root", "0"}
    run_lines = " ".join(arguments for name, arguments in final if name == "RUN")
    assert not re.search(r"apk |gcc|g\+\+|build-essential|-dev\b|pip install", run_lines)
    # The one system install is the PDF report's runtime libraries (Pango, HarfBuzz), without
    # recommended extras, and the package lists are removed in the same layer.
    installed = re.findall(r"apt-get install -y --no-install-recommends ([^&]+)", run_lines)
    assert [set(packages.split()) for packages in installed] == [
        {"libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0"}
    ]
    assert "rm -rf /var/lib/apt/lists/*" in run_lines
    assert "COPY" in instructions and "--from=build" in instructions["COPY"]


def test_the_image_contains_every_package_of_the_project() -> None:
    build, _ = dockerfile_stages()
    copied = {args.split()[0] for name, args in build if name == "COPY"}
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    found = pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = {pattern.rstrip("*") for pattern in found}
    assert packages <= copied
    assert pyproject["project"]["scripts"]["pishran"] == "bot.cli:main"


def test_the_image_runs_the_webhook_server_and_checks_its_health() -> None:
    *_, final = dockerfile_stages()
    instructions = dict(final)
    assert pishran_command(json.loads(instructions["CMD"])) == ["run", "--webhook"]
    assert "HOST=0.0.0.0" in instructions["ENV"] and "PORT=8080" in instructions["ENV"]
    assert instructions["EXPOSE"] == "8080"
    options, _, check = instructions["HEALTHCHECK"].partition("CMD ")
    assert "--start-period" in options
    command = json.loads(check)
    assert command[:2] == ["python", "-c"] and "/healthz" in command[2]


def healthcheck_script() -> str:
    *_, final = dockerfile_stages()
    return str(json.loads(dict(final)["HEALTHCHECK"].partition("CMD ")[2])[2])


def run_healthcheck(port: int) -> int:
    environ = {"PORT": str(port), "PATH": "/usr/bin:/bin"}
    command = [sys.executable, "-c", healthcheck_script()]
    return subprocess.run(command, env=environ, capture_output=True).returncode


async def test_the_healthcheck_passes_on_a_healthy_server_and_fails_without_one(
    emulator: BotApiEmulator,
    emulator_url: str,
    database_url: str,
    aiohttp_client: AiohttpClient,
) -> None:
    settings = webhook_settings(emulator, emulator_url, database_url)
    replica = await start_replica("A", settings, aiohttp_client)
    try:
        assert replica.client.server.port is not None
        assert await asyncio.to_thread(run_healthcheck, replica.client.server.port) == 0
    finally:
        await replica.stop()
    assert await asyncio.to_thread(run_healthcheck, free_port()) != 0


def test_compose_runs_postgres_a_migration_two_replicas_and_a_proxy() -> None:
    services = compose()["services"]
    assert set(services) == {"db", "migrate", "bot", "proxy"}

    db = services["db"]
    assert db["image"] == "postgres:15"
    assert any(v.endswith(":/var/lib/postgresql/data") for v in db["volumes"])
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])

    migrate = services["migrate"]
    assert pishran_command(migrate["command"]) == ["db", "upgrade"]
    assert migrate["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert migrate["restart"] == "no"

    bot = services["bot"]
    assert pishran_command(bot["command"]) == ["run", "--webhook"]
    assert bot["deploy"]["replicas"] == 2
    assert bot["depends_on"] == {"migrate": {"condition": "service_completed_successfully"}}
    assert "container_name" not in bot and "ports" not in bot  # replicas share no host port
    for service in (migrate, bot):
        assert service["env_file"] == ".env"
        assert service["environment"]["DATABASE_URL"].startswith("postgresql+asyncpg://")
        assert "@db:5432/" in service["environment"]["DATABASE_URL"]
    assert bot["environment"]["HOST"] == "0.0.0.0"
    assert bot["environment"]["WEBHOOK_URL"].endswith("/telegram")

    proxy = services["proxy"]
    assert {"80:80", "443:443"} <= set(proxy["ports"])
    assert proxy["depends_on"] == {"bot": {"condition": "service_healthy"}}


def test_the_proxy_balances_the_bot_replicas_and_hides_metrics() -> None:
    proxy = compose()["services"]["proxy"]
    (mount,) = [v for v in proxy["volumes"] if v.endswith(":/etc/caddy/Caddyfile:ro")]
    caddyfile = (ROOT / mount.split(":")[0]).read_text()
    port = compose()["services"]["bot"]["environment"]["PORT"]
    assert re.search(rf"dynamic a bot {port}\b", caddyfile)
    assert "lb_policy round_robin" in caddyfile
    assert re.search(r"@metrics path /metrics", caddyfile) and "respond @metrics 404" in caddyfile
    assert caddyfile.lstrip("# \n").count("{$PISHRAN_DOMAIN}") == 1


def test_the_replicas_together_keep_to_telegrams_flood_limit() -> None:
    # Each replica limits its own Bot API calls; Telegram's ~30 per second is the whole bot's.
    bot = compose()["services"]["bot"]
    per_replica = float(bot["environment"]["FLOOD_LIMIT_PER_SECOND"])
    assert 0 < per_replica * bot["deploy"]["replicas"] <= 30


def test_every_variable_compose_needs_is_documented_in_env_example() -> None:
    text = (ROOT / "docker-compose.yml").read_text()
    needed = set(re.findall(r"\$\{([A-Z_]+)", text))
    assert needed == COMPOSE_ONLY
    assert needed <= env_example_names()


def test_env_example_documents_every_setting_and_nothing_else() -> None:
    settings = {name.upper() for name in Settings.model_fields}
    assert env_example_names() == settings | COMPOSE_ONLY


@pytest.mark.parametrize("line", ["pishran db upgrade", "pishran run --webhook"])
def test_the_commands_the_readme_gives_for_deploying_exist(line: str) -> None:
    readme = (ROOT / "README.md").read_text()
    assert line in readme
    pishran_command(shlex.split(line))
