import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections
from django_tasks_db.management.commands.db_worker import Worker

from standwith import scheduler


class Command(BaseCommand):
    help = "Run background tasks (emails, counts, clean-ups) and the periodic schedule."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=0.5, help="seconds between polls when idle")
        parser.add_argument("--tick", type=float, default=5.0, help="seconds between schedule checks")

    def handle(self, *args: Any, interval: float, tick: float, **options: Any) -> None:
        stop = threading.Event()

        def run_schedule() -> None:
            while not stop.wait(tick):
                try:
                    scheduler.tick()
                except Exception:  # the schedule must outlive a database blip
                    self.stderr.write("schedule tick failed; trying again next tick")
                finally:
                    close_old_connections()

        thread = threading.Thread(target=run_schedule, name="schedule", daemon=True)
        thread.start()
        worker = Worker(
            queue_names=["default"],
            interval=interval,
            batch=False,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=f"standwith-{threading.get_native_id()}",
            excluded_queue_names=[],
        )
        worker.configure_signals()
        self.stdout.write("Worker running; Ctrl-C stops it after the task in hand.")
        try:
            worker.run()
        finally:
            # Stopping already: under `standwith serve`, Ctrl-C reaches this process from the terminal and
            # then again as serve's SIGTERM; a second signal while Python exits would print a traceback.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            stop.set()
