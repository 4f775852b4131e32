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
  GetBucketLocation per bucket, exactly as against AWS.

Everything else (routing, the emulated services, the HTTP server) is moto's.
``benchmarks/aws_scan.py --stock-moto`` measures against the shipped server.

    python benchmarks/moto_server.py PORT
"""

from __future__ import annotations

import functools
import logging
import sys
from typing import Any


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

    S3Response.all_buckets = all_buckets


def main() -> None:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from werkzeug.serving import run_simple

    class MemoDispatcher(DomainDispatcherApplication):
        @functools.lru_cache(maxsize=4096)  # noqa: B019 - one instance for the life of the process
        def get_backend_for_host(self, host: str | None) -> Any:
            return super().get_backend_for_host(host)

    _faithful_list_buckets()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    run_simple("127.0.0.1", int(sys.argv[1]), MemoDispatcher(create_backend_app), threaded=True,
               request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
