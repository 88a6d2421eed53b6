import os
import signal
import subprocess
import sys
import time
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve the site (gunicorn) and run the task worker beside it; Ctrl-C stops both."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=settings.PORT)
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY") or 2 * (os.cpu_count() or 1) + 1)
        )
        parser.add_argument("--no-worker", action="store_true", help="serve only; run `standwith worker` elsewhere")

    def handle(self, *args: Any, host: str, port: int, workers: int, no_worker: bool, **options: Any) -> None:
        web = [
            sys.executable, "-m", "gunicorn", "standwith.wsgi",
            "--bind", f"{host}:{port}",
            "--workers", str(workers),
            "--timeout", "30",
            "--graceful-timeout", "10",
            "--no-control-socket",
            "--max-requests", "20000",
            "--max-requests-jitter", "2000",
        ]  # fmt: skip
        children = [subprocess.Popen(web)]
        if not no_worker:
            children.append(subprocess.Popen([sys.executable, "-m", "standwith", "worker"]))
        self.stdout.write(f"standwith is serving at http://{host}:{port}/ (Ctrl-C to stop)")

        stopping = False

        def stop(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        while not stopping and all(child.poll() is None for child in children):
            time.sleep(0.2)
        failed = [child for child in children if child.poll() not in (None, 0)]
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
        if failed and not stopping:
            raise SystemExit(f"a process stopped unexpectedly (exit {failed[0].returncode}); stopped the rest")
