"""Starting and stopping the site as an operator does: keys, checks, demo data, Ctrl-C."""

import base64
import http.client
import os
import signal
from pathlib import Path
from urllib.parse import urlencode
from uuid import uuid4

import pytest

from standwith.e2e.site import (
    Server,
    Site,
    free_port,
    mails_in,
    port_is_free,
    provisioned,
    run_command,
    run_command_ok,
    start_server,
    still_running,
    task_workers,
    wait_until,
)
from standwith.settings import _DEV_DIGEST_KEY, _DEV_MASTER_KEY, _DEV_SECRET_KEY

pytestmark = pytest.mark.e2e

SECRETS = ("SECRET_KEY", "STANDWITH_MASTER_KEY", "STANDWITH_DIGEST_KEY")
DEVELOPMENT_DEFAULTS = {
    "SECRET_KEY": _DEV_SECRET_KEY,
    "STANDWITH_MASTER_KEY": base64.urlsafe_b64encode(_DEV_MASTER_KEY).decode(),
    "STANDWITH_DIGEST_KEY": base64.urlsafe_b64encode(_DEV_DIGEST_KEY).decode(),
}


def refusal(stderr: str) -> str:
    """The error a failed command ended with: the last line of its traceback."""
    return stderr.strip().splitlines()[-1] if stderr.strip() else ""


@pytest.fixture
def production_env(tmp_path: Path) -> dict[str, str]:
    """DEBUG off and every secret set, as the pytest plugin sets them."""
    env = {**os.environ, "DEBUG": "0", "STANDWITH_DATA_DIR": str(tmp_path)}
    assert all(env.get(name) for name in SECRETS)
    return env


def test_it_passes_its_checks_with_debug_off_and_every_secret_set(production_env: dict[str, str]):
    result = run_command(production_env, "check")

    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("name", SECRETS)
def test_it_refuses_to_start_with_debug_off_and_a_secret_missing(production_env: dict[str, str], name: str):
    del production_env[name]

    result = run_command(production_env, "check")

    assert result.returncode != 0
    assert refusal(result.stderr).startswith("django.core.exceptions.ImproperlyConfigured: " + name)


@pytest.mark.parametrize("name", SECRETS)
def test_it_refuses_to_start_with_debug_off_and_a_development_secret(production_env: dict[str, str], name: str):
    production_env[name] = DEVELOPMENT_DEFAULTS[name]

    result = run_command(production_env, "check")

    assert result.returncode != 0
    assert refusal(result.stderr).startswith("django.core.exceptions.ImproperlyConfigured: " + name)


def test_it_generates_three_distinct_keys_the_site_accepts(production_env: dict[str, str]):
    for name in SECRETS:
        del production_env[name]

    printed = run_command_ok(production_env, "genkeys")

    keys = dict(line.split("=", 1) for line in printed.splitlines())
    assert sorted(keys) == sorted(SECRETS)
    assert len(set(keys.values())) == 3
    assert keys != dict(line.split("=", 1) for line in run_command_ok(production_env, "genkeys").splitlines())
    result = run_command({**production_env, **keys}, "check")
    assert result.returncode == 0, result.stderr


def test_it_loads_the_demo_a_second_time_without_adding_a_row(site: Site):
    first, second = site.demo_row_counts

    assert first["campaigns_petition"] == 1
    assert first["campaigns_petition_targets"] == 2
    assert second == first


def second_server(site: Site, log: Path) -> Server:
    """Another `standwith serve` on the site's database and data folder, in its own process group."""
    port = free_port()
    env = {**site.env, "PORT": str(port), "STANDWITH_SITE_URL": f"http://127.0.0.1:{port}"}
    return start_server(env, log, workers=2, own_group=True)


def sign(server: Server, email: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        body = urlencode({"name": "Ruth Ginsburg", "email": email, "country": "US"})
        headers = {"Origin": server.base_url, "Content-Type": "application/x-www-form-urlencoded"}
        connection.request("POST", "/en/p/free-salekh-and-ismail/sign", body, headers)
        return connection.getresponse().status
    finally:
        connection.close()


@pytest.mark.parametrize("whole_group", [False, True], ids=["sigint-to-serve", "sigint-to-terminal-group"])
def test_it_stops_web_and_worker_cleanly_on_ctrl_c(site: Site, tmp_path: Path, whole_group: bool):
    server = second_server(site, tmp_path / "serve.log")
    assert len(server.processes) == 5  # gunicorn's master and two workers, and two task workers

    exit_code = server.stop(whole_group=whole_group)

    assert exit_code == 0, server.output()
    assert still_running(server.processes) == set()
    assert port_is_free(server.port)
    assert "Traceback" not in server.output()


def test_it_starts_the_task_worker_again_when_it_dies(tmp_path: Path):
    # A site of its own: no other worker may send the mail this test waits for.
    with provisioned(tmp_path) as (env, _):
        run_command_ok(env, "demo")
        server = start_server(env, tmp_path / "serve.log", workers=1, task_workers=1, own_group=True)
        try:
            [(first_worker, _)] = task_workers(server.process.pid)

            os.kill(first_worker, signal.SIGKILL)

            wait_until(
                lambda: {w for w in task_workers(server.process.pid) if w[0] != first_worker}, 10, "a new task worker"
            )
            email = f"ruth.{uuid4().hex[:8]}@example.org"
            assert sign(server, email) == 303
            wait_until(
                lambda: [m for m in mails_in(tmp_path / "mail") if m["To"] == email], 15, "the new worker's mail"
            )
        finally:
            assert server.stop() == 0, server.output()
        assert still_running(server.processes) == set()
