import os
import signal
import subprocess
import sys
import time
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

# A task worker that dies (killed, out of memory) is started again, after a
# pause that grows if it keeps dying, so that tasks go on without anyone.
RESTART_PAUSES = [0.5, 1, 2, 5, 10, 30]


class Command(BaseCommand):
    help = "Serve the site (gunicorn) and run the task worker beside it; Ctrl-C stops both."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=settings.PORT)
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY") or 2 * (os.cpu_count() or 1) + 1)
        )
        parser.add_argument(
            "--task-workers",
            type=int,
            default=int(os.environ.get("STANDWITH_TASK_WORKERS") or 2),
            help="task worker processes beside the web server; 0 to run `standwith worker` elsewhere",
        )

    def handle(self, *args: Any, host: str, port: int, workers: int, task_workers: int, **options: Any) -> None:
        stopping = False

        def stop(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)

        web = subprocess.Popen(self.gunicorn_command(host, port, workers))
        task_runners = [self.start_worker() for _ in range(task_workers)]
        deaths: list[float] = []
        self.stdout.write(f"standwith is serving at http://{host}:{port}/ (Ctrl-C to stop)")
        while not stopping and web.poll() is None:
            for index, worker in enumerate(task_runners):
                if worker.poll() is None:
                    continue
                now = time.monotonic()
                deaths = [t for t in deaths if now - t < 300] + [now]
                pause = RESTART_PAUSES[min(len(deaths), len(RESTART_PAUSES)) - 1]
                self.stderr.write(f"task worker exited ({worker.returncode}); starting it again in {pause}s")
                # Waits in short steps: Ctrl-C during a long pause must not wait it out.
                restart_at = now + pause
                while not stopping and time.monotonic() < restart_at:
                    time.sleep(0.2)
                if stopping:
                    break
                task_runners[index] = self.start_worker()
            time.sleep(0.2)

        web_died = web.poll() is not None and not stopping
        children = [web, *task_runners]
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        if web_died:
            raise SystemExit(f"the web server stopped unexpectedly (exit {web.returncode}); stopped the worker too")

    @staticmethod
    def gunicorn_command(host: str, port: int, workers: int) -> list[str]:
        return [
            sys.executable, "-m", "gunicorn", "standwith.wsgi",
            "--bind", f"{host}:{port}",
            "--workers", str(workers),
            "--timeout", "30",
            "--graceful-timeout", "10",
            "--no-control-socket",
            "--max-requests", "20000",
            "--max-requests-jitter", "2000",
        ]  # fmt: skip

    @staticmethod
    def start_worker() -> subprocess.Popen[bytes]:
        # Task workers run only on processor time the web server leaves: in a
        # spike, answering signers comes first and the mail queue catches up after.
        return subprocess.Popen([sys.executable, "-m", "standwith", "worker"], preexec_fn=lambda: os.nice(19))
