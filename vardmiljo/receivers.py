"""A stand-in receiver that hangs, for the delivery measurement (`manage.py delivery_latency`)
and the tests of issue 13: it holds every request until released (or `hold` seconds pass),
then answers 200 with a receipt, and counts requests and how many were in flight at once."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class HangingReceiver:
    """An HTTP receiver that holds every request until released (or `hold` seconds pass), then
    answers 200 with a receipt. Counts requests and how many were in flight at once."""

    def __init__(self, hold: float = 60.0) -> None:
        self.hold = hold
        self.release = threading.Event()
        self.lock = threading.Lock()
        self.requests: list[str] = []
        self.in_flight = 0
        self.max_in_flight = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                key = self.headers.get("Idempotency-Key", "")
                with receiver.lock:
                    receiver.requests.append(key)
                    receiver.in_flight += 1
                    receiver.max_in_flight = max(receiver.max_in_flight, receiver.in_flight)
                try:
                    receiver.release.wait(receiver.hold)
                    out = json.dumps({"receipt_id": f"HANG-{key}", "receipt": f"HANG-{key}", "received": True}).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(out)))
                    self.end_headers()
                    self.wfile.write(out)
                except OSError:
                    pass  # the client gave up (its time-out): fine
                finally:
                    with receiver.lock:
                        receiver.in_flight -= 1

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
