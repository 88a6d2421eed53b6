"""The site under test: the real `standwith` commands in subprocesses, as production runs them.

The tests reach it only from outside: over HTTP, through the mail files it
writes, and by reading its database directly (this process's own Django
connection points at the pytest test database, not the site's).
"""

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default as default_policy
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit
from uuid import uuid4

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

_T = TypeVar("_T")

POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql"}
UNREACHED_LIMITS = {
    **{f"STANDWITH_LIMIT_{name}": "1000000000/1m" for name in ("IP", "NETWORK", "DOMAIN", "PETITION")},
    # Shields that a test's own burst never raises: a test that wants them up says so on its petition.
    "STANDWITH_SHIELD_RATE": "1000000000",
    "STANDWITH_SHIELD_MIN_SIGNATURES": "1000000000",
}
SEND_SIGNATURE_MAIL = "standwith.signing.tasks.send_signature_mail"


def wait_until(check: Callable[[], _T | None], timeout: float, what: str, every: float = 0.1) -> _T:
    """Poll `check` until it returns something truthy, and return that; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}; last saw {value!r}")
        time.sleep(every)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def port_is_free(port: int) -> bool:
    """Nothing listens on the port and a new server could bind it."""
    with socket.socket() as probe:
        probe.settimeout(2)
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            return False
    with socket.socket() as server:
        # As gunicorn does: connections left in TIME_WAIT do not hold the port.
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            server.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _proc_stat(pid: int) -> tuple[int, int] | None:
    """(parent pid, start time) of a live process, or None if it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = stat.rsplit(")", 1)[1].split()
    if fields[0] == "Z":
        return None  # a zombie has exited; only its parent's bookkeeping is left
    return int(fields[1]), int(fields[19])


def descendants(pid: int) -> set[tuple[int, int]]:
    """The processes below `pid`, as (pid, start time) so a reused pid is not mistaken for one of them."""
    children: dict[int, list[tuple[int, int]]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _proc_stat(int(entry.name))):
            children.setdefault(stat[0], []).append((int(entry.name), stat[1]))
    found: set[tuple[int, int]] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child[0])
    return found


def _command_line(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")[:-1]
    except (FileNotFoundError, ProcessLookupError):
        return []


def task_workers(pid: int) -> set[tuple[int, int]]:
    """The `standwith worker` processes below `pid`."""
    return {process for process in descendants(pid) if _command_line(process[0])[1:] == ["-m", "standwith", "worker"]}


def still_running(processes: set[tuple[int, int]]) -> set[tuple[int, int]]:
    return {(pid, started) for pid, started in processes if (stat := _proc_stat(pid)) and stat[1] == started}


def run_command(env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "standwith", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def run_command_ok(env: dict[str, str], *args: str) -> str:
    result = run_command(env, *args)
    assert result.returncode == 0, f"`standwith {' '.join(args)}` failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def parse_mail(raw: bytes) -> EmailMessage:
    message = BytesParser(policy=default_policy).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    return message


def mails_in(directory: Path) -> list[EmailMessage]:
    """Every message the site wrote to `directory`, oldest first."""
    if not directory.exists():
        return []
    return [parse_mail(path.read_bytes()) for path in sorted(directory.glob("*.eml"))]


def mail_text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None, f"mail {message['Subject']!r} has no text part"
    return str(part.get_content())


@dataclass
class Database:
    """The site's own database, read directly."""

    url: str | None  # PostgreSQL; None for the embedded SQLite file
    sqlite_path: Path

    def query(self, statement: str, *params: object) -> list[tuple[Any, ...]]:
        """Run one SELECT written with %s placeholders and return its rows."""
        if self.url:
            with psycopg.connect(self.url, autocommit=True) as connection:
                return connection.execute(statement, params).fetchall()
        embedded = sqlite3.connect(self.sqlite_path, timeout=20)
        try:
            return embedded.execute(statement.replace("%s", "?"), params).fetchall()
        finally:
            embedded.close()

    def value(self, statement: str, *params: object) -> Any:
        rows = self.query(statement, *params)
        assert len(rows) == 1, f"expected one row from {statement!r}, got {rows!r}"
        return rows[0][0]

    def count(self, table: str, where: str = "", *params: object) -> int:
        return int(self.value(f'SELECT COUNT(*) FROM "{table}"' + (f" WHERE {where}" if where else ""), *params))  # noqa: S608

    def tables(self) -> list[str]:
        if self.url:
            rows = self.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        else:
            rows = self.query(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%%' ORDER BY name"
            )
        return [row[0] for row in rows]

    def row_counts(self) -> dict[str, int]:
        return {table: self.count(table) for table in self.tables()}

    def pending_mail_tasks(self) -> int:
        return self.count(
            "django_tasks_database_dbtaskresult",
            "task_path = %s AND status IN ('READY', 'RUNNING')",
            SEND_SIGNATURE_MAIL,
        )


@contextmanager
def postgres_database(server_url: str) -> Iterator[str]:
    """A fresh, empty database on the server `server_url` names; dropped afterwards. Yields its URL."""
    name = f"standwith_e2e_{uuid4().hex[:12]}"
    admin = make_conninfo(server_url, dbname="postgres")
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield urlunsplit(urlsplit(server_url)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def site_env(data_dir: Path, port: int) -> dict[str, str]:
    """The environment of a production run, on the test keys the pytest plugin put in os.environ."""
    env = dict(os.environ)
    for name in ("EMAIL_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "PYTEST_CURRENT_TEST"):
        env.pop(name, None)
    env.update(
        DEBUG="0",
        STANDWITH_DATA_DIR=str(data_dir),
        PORT=str(port),
        STANDWITH_SITE_URL=f"http://127.0.0.1:{port}",
        # Every visitor here signs from 127.0.0.1: limits high enough never to refuse, still checked on each sign.
        **UNREACHED_LIMITS,
        # As behind nginx on the same machine: a test may say which address a signer comes from.
        STANDWITH_TRUSTED_PROXIES="127.0.0.1/32",
    )
    if env.get("REDIS_URL"):
        env["STANDWITH_CACHE_PREFIX"] = f"sw-e2e-{uuid4().hex[:12]}"
    return env


@contextmanager
def provisioned(data_dir: Path) -> Iterator[tuple[dict[str, str], Database]]:
    """The environment of a new site with a migrated database of its own, and that database.

    The database is a new one on the PostgreSQL server DATABASE_URL names, if
    it names one, or else the embedded SQLite file under `data_dir`.
    """
    env = site_env(data_dir, free_port())
    with ExitStack() as cleanup:
        server_url = env.pop("DATABASE_URL", "")
        if urlsplit(server_url).scheme in POSTGRES_SCHEMES:
            env["DATABASE_URL"] = cleanup.enter_context(postgres_database(server_url))
        database = Database(url=env.get("DATABASE_URL"), sqlite_path=data_dir / "standwith.sqlite3")
        run_command_ok(env, "migrate", "--noinput", "-v", "0")
        yield env, database


@dataclass
class Server:
    """A running `standwith serve`: gunicorn and the task worker under one command."""

    process: subprocess.Popen[bytes]
    port: int
    log_path: Path
    processes: set[tuple[int, int]] = field(default_factory=set)  # what it started, seen while it ran

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self, *, whole_group: bool = False, timeout: float = 20) -> int:
        """Press Ctrl-C: SIGINT to the serve process, or to its whole process group as a terminal does."""
        self.processes |= descendants(self.process.pid)
        if whole_group:
            os.killpg(self.process.pid, signal.SIGINT)
        else:
            self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            for pid, _ in still_running(self.processes):
                os.kill(pid, signal.SIGKILL)
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"serve did not stop within {timeout} s of Ctrl-C:\n{self.output()}") from None


def _answers(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (a local http URL)
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


def start_server(
    env: dict[str, str], log_path: Path, *, workers: int = 2, task_workers: int = 2, own_group: bool = False
) -> Server:
    """Start `standwith serve` and wait until its home page answers 200."""
    log = log_path.open("ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "standwith", "serve", "--workers", str(workers), "--task-workers", str(task_workers)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        process_group=0 if own_group else None,
    )
    log.close()
    server = Server(process=process, port=int(env["PORT"]), log_path=log_path)
    deadline = time.monotonic() + 30
    while _answers(server.base_url + "/") != 200:
        if process.poll() is not None:
            raise AssertionError(f"serve exited with {process.returncode} before answering:\n{server.output()}")
        if time.monotonic() > deadline:
            for pid, _ in descendants(process.pid):
                os.kill(pid, signal.SIGKILL)
            process.kill()
            process.wait()
            raise AssertionError(f"serve did not answer 200 on / within 30 s:\n{server.output()}")
        time.sleep(0.1)

    # gunicorn's master, its workers and the task worker, while they run.
    def all_started() -> set[tuple[int, int]] | None:
        found = descendants(process.pid)
        return found if len(found) >= 2 + workers else None

    server.processes = wait_until(all_started, 10, "serve's processes")
    # The task worker handles Ctrl-C once it says it runs; before that it is still starting Django.
    wait_until(lambda: "Worker running" in server.output(), 20, "the task worker to start")
    return server


@dataclass
class Site:
    """The site the e2e tests talk to, and what they can observe of it."""

    server: Server
    env: dict[str, str]
    data_dir: Path
    database: Database
    demo_row_counts: list[dict[str, int]]  # every table's row count after each `standwith demo`

    @property
    def base_url(self) -> str:
        return self.server.base_url

    @property
    def origin(self) -> str:
        return self.server.base_url

    @property
    def mail_dir(self) -> Path:
        return self.data_dir / "mail"

    @property
    def process(self) -> subprocess.Popen[bytes]:
        return self.server.process

    def mails(self) -> list[EmailMessage]:
        return mails_in(self.mail_dir)

    def mails_to(self, *addresses: str) -> list[EmailMessage]:
        wanted = set(addresses)
        return [message for message in self.mails() if str(message["To"]) in wanted]

    def petition_id(self, slug: str) -> int:
        return int(self.database.value("SELECT id FROM campaigns_petition WHERE slug = %s", slug))

    def signatures(self, slug: str) -> int:
        return self.database.count(
            "signing_signature", "petition_id = (SELECT id FROM campaigns_petition WHERE slug = %s)", slug
        )

    def wait_for_mail_queue(self, timeout: float = 20) -> None:
        """Wait until the worker has run every queued signature mail."""
        wait_until(lambda: self.database.pending_mail_tasks() == 0, timeout, "the worker to send the queued mail")
