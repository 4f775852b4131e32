"""moto's own server (werkzeug, moto's request handler) for the AWS benchmark, with two changes.

``python -m moto.server`` spends most of its CPU per request outside the emulated
service, and on a 2-core machine that CPU is taken from the scan being measured;
and moto 5.2 answers one call less faithfully than S3, which costs the scan one
request per bucket that a real account does not. This launcher

* memoises the dispatcher's host -> backend lookup (a pure function of the host:
  stock moto re-lists its package directory, a stat per service, and tries every
  service's URL regexes, under one global lock, for every request) and silences
  the request log;
* answers ListBuckets with each bucket's ``BucketRegion`` when the request carries
  a parameter, as S3 does (botocore's model: "If the request contains at least one
  valid parameter, it is included in the response"). The scanner then needs no
  GetBucketLocation per bucket, exactly as against AWS;
* speaks HTTP/1.1 with keep-alive, as AWS endpoints do, through a small WSGI server on
  the standard library's ``http.server`` (:class:`KeepAliveHandler`). Werkzeug's
  development server closes every connection on purpose ("keep-alive connections
  aren't handled well by Python's http.server"; it cannot drain a request body it did
  not read, which is not a concern for moto, which reads every body), so each request
  cost both sides a new TCP connection and the server a new thread, and botocore's
  connection pool, which AWS lets it reuse, was never used.
  ``python benchmarks/moto_server.py PORT --werkzeug`` serves with werkzeug instead.

Optionally (never by default: the targets are measured without it) the server stands in for
the network too: ``POST /_bench/latency?ms=30`` holds every later response back 30 ms after
moto computed it, as an AWS endpoint's round trip and processing would, without using CPU
(the connection's thread sleeps). ``benchmarks/aws_scan.py --latency-ms`` sets it after
seeding, so only the scans wait.

Everything else (routing, the emulated services, the HTTP server) is moto's.
``benchmarks/aws_scan.py --stock-moto`` measures against the shipped server.

    python benchmarks/moto_server.py PORT [--werkzeug]
"""

from __future__ import annotations

import functools
import io
import logging
import socket
import sys
import time
from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote_to_bytes

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


LATENCY_PATH = "/_bench/latency"


def keep_alive_handler(app: WsgiApp, port: int) -> type[BaseHTTPRequestHandler]:
    """An HTTP/1.1 request handler that runs ``app`` (WSGI) and keeps the connection open."""
    latency = [0.0]  # seconds each response is held back (``POST /_bench/latency?ms=N``)

    class KeepAliveHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            path, _, query = self.path.partition("?")
            if path == LATENCY_PATH:
                latency[0] = float(dict(parse_qsl(query)).get("ms", "0")) / 1000
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            environ: dict[str, Any] = {
                "REQUEST_METHOD": self.command, "SCRIPT_NAME": "", "QUERY_STRING": query,
                # PEP 3333: PATH_INFO is the percent-decoded path, its bytes read as latin-1.
                "PATH_INFO": unquote_to_bytes(path).decode("latin-1"), "RAW_URI": self.path,
                "REQUEST_URI": self.path, "SERVER_NAME": "127.0.0.1", "SERVER_PORT": str(port),
                "SERVER_PROTOCOL": self.request_version, "REMOTE_ADDR": self.client_address[0],
                "CONTENT_TYPE": self.headers.get("Content-Type", ""), "CONTENT_LENGTH": str(length),
                "wsgi.version": (1, 0), "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body),
                "wsgi.errors": sys.stderr, "wsgi.multithread": True, "wsgi.multiprocess": False,
                "wsgi.run_once": False,
            }
            for name, value in self.headers.items():
                key = "HTTP_" + name.upper().replace("-", "_")
                if key not in ("HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"):
                    environ[key] = f"{environ[key]},{value}" if key in environ else value
            started: list[Any] = []

            def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
                started[:] = [status, headers]
                return chunks.append

            chunks: list[bytes] = []
            result = app(environ, start_response)
            try:
                chunks.extend(result)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
            payload = b"".join(chunks)
            if latency[0]:
                time.sleep(latency[0])
            code, _, reason = str(started[0]).partition(" ")
            self.send_response(int(code), reason)
            for name, value in started[1]:
                if name.lower() not in ("content-length", "connection", "transfer-encoding", "server", "date"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            # Headers and body in one write: two small writes on a kept-alive connection meet
            # the client's delayed ACK (Nagle), 40 ms a response.
            self._headers_buffer.append(b"\r\n")  # type: ignore[attr-defined]
            if self.command != "HEAD":
                self._headers_buffer.append(payload)  # type: ignore[attr-defined]
            self.flush_headers()

        def setup(self) -> None:
            super().setup()
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = serve

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return KeepAliveHandler


def _faithful_list_buckets() -> None:
    from moto.core.responses import ActionResult
    from moto.s3.responses import S3Response

    def all_buckets(self: Any) -> Any:
        self.data["Action"] = "ListAllMyBuckets"
        self._authenticate_and_authorize_s3_action()
        params = {p: self._get_param(p) for p in ("prefix", "bucket-region", "max-buckets", "continuation-token")}
        found = self.backend.list_buckets(prefix=params["prefix"], bucket_region=params["bucket-region"],
                                          max_buckets=params["max-buckets"])
        with_region = any(v is not None for v in params.values())
        buckets = [{"Name": b.name, "CreationDate": b.creation_date_ISO8601,
                    **({"BucketRegion": b.region_name} if with_region else {})} for b in found]
        self.data["Action"] = "ListBuckets"
        return self.serialized(ActionResult({"Owner": {"ID": "bcaf1ffd86f41161ca5fb16fd081034f", "DisplayName": "webfile"},
                                             "Buckets": buckets}))

    S3Response.all_buckets = all_buckets  # type: ignore[method-assign]


def main() -> None:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from werkzeug.serving import run_simple

    class MemoDispatcher(DomainDispatcherApplication):
        @functools.lru_cache(maxsize=4096)  # noqa: B019 - one instance for the life of the process
        def get_backend_for_host(self, host: str | None) -> Any:
            return super().get_backend_for_host(host)

    _faithful_list_buckets()
    port = int(sys.argv[1])
    app = MemoDispatcher(create_backend_app)
    if "--werkzeug" in sys.argv[2:]:
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        run_simple("127.0.0.1", port, app, threaded=True, request_handler=MotoRequestHandler)
        return
    server = ThreadingHTTPServer(("127.0.0.1", port), keep_alive_handler(app, port))
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    main()
