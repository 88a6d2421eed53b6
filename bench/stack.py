"""The production stack on loopback, from scratch: PostgreSQL, Redis, an SMTP
sink, and the site (gunicorn + task worker via `standwith serve`)."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from standwith.cli import genkeys

PG_BIN = next(Path("/usr/lib/postgresql").glob("*/bin"), Path("/usr/lib/postgresql/15/bin"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def listening(port: int) -> bool:
    with socket.create_connection(("127.0.0.1", port), timeout=1):
        return True


def wait_for(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not come up within {timeout:.0f}s")


class Stack:
    def __init__(self, workdir: Path, web_workers: int) -> None:
        self.dir = workdir
        self.web_workers = web_workers
        self.pg_port, self.redis_port, self.smtp_port, self.web_port = (free_port() for _ in range(4))
        self.pg_data = self.dir / "pg"
        self.mail_log = self.dir / "mail.jsonl"
        self.redis: subprocess.Popen[bytes] | None = None
        self.smtp: subprocess.Popen[bytes] | None = None
        self.site: subprocess.Popen[bytes] | None = None
        keys = dict(line.split("=", 1) for line in genkeys().splitlines())
        self.env = {
            **os.environ,
            **keys,
            "DEBUG": "0",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{self.pg_port}/standwith",
            "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "EMAIL_URL": f"smtp://127.0.0.1:{self.smtp_port}",
            "STANDWITH_SITE_URL": f"http://127.0.0.1:{self.web_port}",
            "STANDWITH_DATA_DIR": str(self.dir / "data"),
            "STANDWITH_BENCH_VIEWS": "1",
            "STANDWITH_TASK_STALLED_SECONDS": "15",
            # The load comes from one address: limits it never reaches, so each sign still pays for the check.
            **{
                f"STANDWITH_LIMIT_{name}": "1000000000/1m"
                for name in ("IP", "NETWORK", "DOMAIN", "PETITION", "API_TOKEN")
            },
            # Nor may the shields rise on the load's own flood, which would ask it for proofs of work.
            "STANDWITH_SHIELD_RATE": "1000000000",
            "STANDWITH_SHIELD_MIN_SIGNATURES": "1000000000",
            "LOG_LEVEL": "WARNING",
        }

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def log(self, name: str) -> int:
        return os.open(self.dir / f"{name}.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)

    # PostgreSQL runs as its own user in a cluster made for this run.
    def start_postgres(self) -> None:
        self.dir.chmod(0o755)
        self.pg_data.mkdir()
        shutil.chown(self.pg_data, "postgres", "postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]
        subprocess.run(
            [*as_postgres, PG_BIN / "initdb", "-D", self.pg_data, "-A", "trust", "-U", "postgres", "--no-sync"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        self.pg_ctl("start")
        subprocess.run(
            [PG_BIN / "createdb", "-h", "127.0.0.1", "-p", str(self.pg_port), "-U", "postgres", "standwith"], check=True
        )

    def pg_ctl(self, action: str) -> None:
        options = (
            f"-p {self.pg_port} -c listen_addresses=127.0.0.1 -k {self.pg_data} "
            "-c shared_buffers=512MB -c max_connections=200 -c synchronous_commit=on"
        )
        subprocess.run(
            ["runuser", "-u", "postgres", "--", PG_BIN / "pg_ctl", "-D", self.pg_data, "-w", "-m", "fast",
             "-l", self.pg_data / "server.log", "-o", options, action],
            check=True,
            stdout=subprocess.DEVNULL,
        )  # fmt: skip

    def restart_postgres(self) -> None:
        self.pg_ctl("restart")

    def start_redis(self) -> None:
        self.redis = subprocess.Popen(
            ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=self.log("redis"),
            stderr=subprocess.STDOUT,
        )
        wait_for(lambda: listening(self.redis_port), 10, "Redis")

    def stop_redis(self) -> None:
        if self.redis is not None:
            self.redis.terminate()
            self.redis.wait(10)
            self.redis = None

    def start_smtp(self) -> None:
        self.smtp = subprocess.Popen(
            [sys.executable, "-m", "bench.smtp_sink", str(self.smtp_port), str(self.mail_log)],
            stdout=self.log("smtp"),
            stderr=subprocess.STDOUT,
        )
        wait_for(lambda: listening(self.smtp_port), 10, "SMTP sink")

    def standwith(self, *args: str) -> None:
        subprocess.run([sys.executable, "-m", "standwith", *args], env=self.env, check=True, stdout=subprocess.DEVNULL)

    def start_site(self) -> None:
        self.site = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "standwith",
                "serve",
                "--port",
                str(self.web_port),
                "--workers",
                str(self.web_workers),
            ],
            env=self.env,
            stdout=self.log("site"),
            stderr=subprocess.STDOUT,
        )
        wait_for(lambda: urllib.request.urlopen(self.base_url + "/_bench/hello", timeout=2).status == 200, 30, "site")

    def start(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        self.start_postgres()
        self.start_redis()
        self.start_smtp()
        self.standwith("migrate", "--noinput")
        self.standwith("demo")
        self.start_site()

    def children(self, parent: int) -> list[int]:
        found = subprocess.run(["pgrep", "-P", str(parent)], capture_output=True, text=True, check=False)
        return [int(pid) for pid in found.stdout.split()]

    def command_line(self, pid: int) -> str:
        try:
            return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            return ""

    def gunicorn_master(self) -> int:
        assert self.site is not None
        return next(pid for pid in self.children(self.site.pid) if "gunicorn" in self.command_line(pid))

    def kill_web_worker(self) -> int:
        victim = self.children(self.gunicorn_master())[0]
        os.kill(victim, signal.SIGKILL)
        return victim

    def kill_task_worker(self) -> int:
        assert self.site is not None
        victim = next(pid for pid in self.children(self.site.pid) if "standwith worker" in self.command_line(pid))
        os.kill(victim, signal.SIGKILL)
        return victim

    def stop(self) -> None:
        if self.site is not None and self.site.poll() is None:
            self.site.send_signal(signal.SIGINT)
            try:
                self.site.wait(30)
            except subprocess.TimeoutExpired:
                self.site.kill()
        for process in (self.smtp, self.redis):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(10)
        if self.pg_data.exists():
            subprocess.run(
                ["runuser", "-u", "postgres", "--", PG_BIN / "pg_ctl", "-D", self.pg_data, "-m", "immediate", "stop"],
                check=False,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
