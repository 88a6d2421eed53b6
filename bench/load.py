"""Load generators: wrk for throughput, a paced Python client for latency at a set rate."""

import http.client
import json
import os
import resource
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

LUA = Path(__file__).parent / "lua"


def cpu_seconds_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def wrk(base_url: str, script: str, seconds: float, connections: int, env: dict[str, str]) -> dict[str, Any]:
    """Run wrk with one of bench/lua's scripts; its figures, and its own share of the machine's CPU."""
    cpu_before = cpu_seconds_of_children()
    started = time.monotonic()
    result = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(LUA / script),
            base_url,
        ],
        env={**os.environ, "BENCH_LUA": str(LUA), **env},  # the scripts read their settings from here
        capture_output=True,
        text=True,
        check=True,
    )
    wall = time.monotonic() - started
    line = next(line for line in result.stdout.splitlines() if line.startswith("BENCH_JSON "))
    figures: dict[str, Any] = json.loads(line.removeprefix("BENCH_JSON "))
    statuses = {int(code): count for code, count in figures["statuses"].items()}
    errors = sum(figures["errors"].values()) - figures["errors"]["status"]
    failed = sum(count for code, count in statuses.items() if code >= 400)
    duration = figures["duration_us"] / 1e6
    return {
        "requests": figures["requests"],
        "per_s": round(figures["requests"] / duration, 1),
        "p50_ms": figures["latency_us"]["p50"] / 1000,
        "p90_ms": figures["latency_us"]["p90"] / 1000,
        "p99_ms": figures["latency_us"]["p99"] / 1000,
        "max_ms": figures["latency_us"]["max"] / 1000,
        "statuses": statuses,
        "errors": errors + failed,
        "connections": connections,
        "seconds": round(duration, 1),
        "generator_cpu_share": round((cpu_seconds_of_children() - cpu_before) / (wall * (os.cpu_count() or 1)), 3),
        "per_second": sorted((int(second), count) for second, count in figures["per_second"].items()),
    }


@dataclass
class Request:
    method: str
    path: str
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    tag: str = ""


@dataclass
class Outcome:
    scheduled: float  # seconds after the start
    latency: float  # seconds from when it was due, so a stall counts against the server
    status: int  # 0: no answer (connection refused or reset)
    tag: str


def paced(base_url: str, rate: float, seconds: float, make: Any, connections: int = 24) -> list[Outcome]:
    """Send make(i) at `rate` per second for `seconds`, on an open loop.

    Latency is measured from when each request was due, not when a free
    connection sent it, so a server that stalls cannot hide it by slowing
    the client down (no coordinated omission).
    """
    target = urlsplit(base_url)
    total = int(rate * seconds)
    start = time.monotonic() + 0.2
    lock = threading.Lock()
    next_index = [0]
    outcomes: list[Outcome] = []

    def connect() -> http.client.HTTPConnection:
        return http.client.HTTPConnection(target.hostname or "127.0.0.1", target.port, timeout=10)

    def run() -> None:
        connection = connect()
        while True:
            with lock:
                index = next_index[0]
                next_index[0] += 1
            if index >= total:
                break
            due = start + index / rate
            time.sleep(max(0.0, due - time.monotonic()))
            request: Request = make(index)
            try:
                connection.request(request.method, request.path, body=request.body, headers=request.headers)
                response = connection.getresponse()
                response.read()
                status = response.status
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
                    connection = connect()
            except (OSError, http.client.HTTPException):
                status = 0
                connection.close()
                connection = connect()
            outcome = Outcome(due - start, time.monotonic() - due, status, request.tag)
            with lock:
                outcomes.append(outcome)
        connection.close()

    workers = [threading.Thread(target=run) for _ in range(connections)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sorted(outcomes, key=lambda outcome: outcome.scheduled)


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def summarize(outcomes: list[Outcome]) -> dict[str, Any]:
    latencies = [o.latency * 1000 for o in outcomes if o.status]
    return {
        "requests": len(outcomes),
        "p50_ms": round(percentile(latencies, 0.50), 1),
        "p99_ms": round(percentile(latencies, 0.99), 1),
        "max_ms": round(max(latencies, default=0), 1),
        "errors": sum(1 for o in outcomes if o.status == 0 or o.status >= 400),
    }
