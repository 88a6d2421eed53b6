"""A real HTTP server on loopback standing in for an organisation's system: it keeps what it is sent."""

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """Answers each POST as `mode` says: "ok" (200), "fail" (500), "hang", "close" (no answer), "redirect"."""

    url: str = ""
    mode: str = "ok"
    hang_seconds: float = 3.0
    requests: list[Received] = field(default_factory=list)


def start(receiver: Receiver) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            receiver.requests.append(Received(self.path, dict(self.headers.items()), body))
            if receiver.mode == "close":
                self.close_connection = True
                self.connection.close()
                return
            if receiver.mode == "hang":
                time.sleep(receiver.hang_seconds)
            status = {"ok": 200, "fail": 500, "redirect": 302, "hang": 200}[receiver.mode]
            self.send_response(status)
            if status == 302:
                self.send_header("Location", "/elsewhere")
            answer = b"thanks " + b"x" * 2000 if status == 200 else b"something broke"
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/standwith"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
