"""moto's own server (werkzeug, moto's request handler), minus two costs of the stand-in itself.

``python -m moto.server`` spends most of its CPU per request outside the emulated
service: for every request its dispatcher re-derives the backend from the host by
listing moto's package directory (a stat per service) and trying every service's URL
regexes, under one global lock; and it logs every request line. On a 2-core machine
that CPU is taken from the scan being measured. This launcher memoises the
host -> backend lookup (a pure function of the host) and silences the request log;
everything else (routing, the emulated services, the HTTP server) is moto's.

    python benchmarks/moto_server.py PORT
"""

from __future__ import annotations

import functools
import logging
import sys
from typing import Any


def main() -> None:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from werkzeug.serving import run_simple

    class MemoDispatcher(DomainDispatcherApplication):
        @functools.lru_cache(maxsize=4096)  # noqa: B019 - one instance for the life of the process
        def get_backend_for_host(self, host: str | None) -> Any:
            return super().get_backend_for_host(host)

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    run_simple("127.0.0.1", int(sys.argv[1]), MemoDispatcher(create_backend_app), threaded=True,
               request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
