"""The AWS session of one scan: credentials, retries, timeouts, one cached call path.

Every AWS call of a scan goes through :meth:`AwsSession.call` or
:meth:`AwsSession.paginate`, which

* honour the standard boto3 environment (``AWS_PROFILE``, ``AWS_ENDPOINT_URL``,
  ``AWS_DEFAULT_REGION``...), an optional profile and an assumed role;
* use botocore's *adaptive* retry mode with a configurable ``max_attempts`` and short
  connect timeouts, so an unreachable endpoint fails in seconds;
* cache every result for the run, so two collectors that need the same bucket's
  logging configuration share one call. The cache key is everything that selects the
  result: service, region, operation, parameters, the result key(s) a listing returns,
  whether it is one call or a listing, and the client it went through (endpoint and
  credentials). Two listings of one operation with the same parameters but different
  result keys (ListEntitiesForPolicy's ``PolicyUsers`` and ``PolicyGroups``) are two
  entries, never one answer served for both;
* turn a failure into :class:`ApiError` carrying ``"Operation: ErrorCode"`` that the
  collectors store on the resource (-> an ERROR finding naming both).

Other accounts (an organization scan) are reached with :meth:`AwsSession.assume`: the
session it returns has its own credentials, cache and call counts, but shares this
session's botocore loader, so the service models (several MB of JSON for EC2) are
parsed once per process rather than once per account. Code outside the scan that
calls AWS directly (``auditor baseline``) builds its clients with :func:`make_client`,
so every package gets the same retries, timeouts and endpoint handling.

boto3 is imported lazily: importing this module stays cheap.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

from auditor.aws.access import CONNECT_ERRORS, first_call, setup_error
from auditor.aws.attribution import current
from auditor.core.aws_clients import client_config, make_client
from auditor.core.errors import CollectionError


class ApiError(Exception):
    """One AWS call failed; ``reason`` is ``"Operation: ErrorCode"``."""

    def __init__(self, operation: str, code: str, message: str = "") -> None:
        self.operation, self.code, self.message = operation, code, message
        super().__init__(self.reason)

    @property
    def reason(self) -> str:
        return f"{self.operation}: {self.code}"


CacheKey = tuple[str, str, str, str, tuple[str, ...], Any, str]
"""(service, region, operation, shape, result keys, frozen parameters, client identity).

``shape`` is ``"call"`` (the whole response) or ``"pages"`` (lists gathered over every
page); ``result keys`` are the lists a listing returns (empty for a call).
"""

Observer = Callable[[str, str, str], None]
"""Called with (service, region, operation) before every request (instrumentation)."""


@dataclass
class SessionSettings:
    """How to reach AWS: profile, role, retries, timeouts, pool size."""

    profile: str | None = None
    role_arn: str | None = None
    external_id: str | None = None
    max_attempts: int = 5
    connect_timeout: float = 3.0
    read_timeout: float = 30.0
    max_workers: int = 8
    event_hooks: list[tuple[str, Callable[..., Any]]] = field(default_factory=list)


class AwsSession:
    """Clients, cache and error translation for one scan of one account (thread-safe)."""

    #: Instrumentation: every observer hears (service, region, operation) of every request any
    #: scan session sends, from botocore's ``before-call`` event (region is left empty).
    observers: ClassVar[list[Observer]] = []

    def __init__(self, settings: SessionSettings | None = None, *, _parent: AwsSession | None = None,
                 _credentials: dict[str, str] | None = None) -> None:
        self.settings = settings or SessionSettings()
        # A session for another account (see assume) shares its parent's boto3 session: one
        # botocore loader, so service models are parsed once per process, not once per account.
        self._boto: Any = _parent._boto if _parent is not None else self._base_session()
        # boto3 sessions are not thread-safe while they create clients: one lock per boto3 session.
        self._create_lock: threading.Lock = _parent._create_lock if _parent is not None else threading.Lock()
        self._credentials = dict(_credentials or {})
        self._clients: dict[tuple[str, str], Any] = {}
        self._client_ids: dict[tuple[str, str], str] = {}
        self._lock = threading.Lock()
        self._cache: dict[CacheKey, Any] = {}
        self._key_locks: dict[CacheKey, threading.Lock] = {}
        self.calls: dict[str, int] = {}
        self.calls_by_type: dict[str, int] = {}

    # ------------------------------------------------------------------ setup

    def _base_session(self) -> Any:
        import boto3

        with first_call():  # an unknown profile (--profile or AWS_PROFILE) fails here
            session = boto3.Session(profile_name=self.settings.profile)
        if self.settings.role_arn:
            session = self._assume(session)
        # botocore-level hooks: instrumentation sees every request really sent (pages included).
        session.events.register("before-call", self._before_call)
        for event, handler in self.settings.event_hooks:
            session.events.register_first(event, handler)
        return session

    def _before_call(self, model: Any, **_: Any) -> None:
        for obs in list(self.observers):
            obs(model.service_model.service_name, "", model.name)

    def _assume(self, session: Any) -> Any:
        import boto3
        from botocore.exceptions import BotoCoreError, ClientError

        kwargs: dict[str, Any] = {"RoleArn": self.settings.role_arn, "RoleSessionName": "auditor-scan"}
        if self.settings.external_id:
            kwargs["ExternalId"] = self.settings.external_id
        try:
            sts = session.client("sts", config=self._config(attempts=2))
            creds = sts.assume_role(**kwargs)["Credentials"]
        except (ClientError, BotoCoreError) as exc:
            raise (setup_error(exc) or CollectionError(f"cannot assume role {self.settings.role_arn}: "
                                                       f"{_describe(exc)}")) from None
        return boto3.Session(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                             aws_session_token=creds["SessionToken"], region_name=session.region_name)

    def _config(self, attempts: int | None = None) -> Any:
        return client_config(max_attempts=attempts or self.settings.max_attempts,
                             connect_timeout=self.settings.connect_timeout, read_timeout=self.settings.read_timeout,
                             max_pool_connections=max(10, self.settings.max_workers * 2))

    def _new_client(self, service: str, region: str, config: Any) -> Any:
        with self._create_lock:
            return make_client(self._boto, service, region, config, **self._credentials)

    def client(self, service: str, region: str) -> Any:
        """The (shared, thread-safe) client for a service in a region."""
        key = (service, region)
        with self._lock:
            c = self._clients.get(key)
            if c is None:
                c = self._new_client(service, region, self._config())
                self._clients[key] = c
                self._client_ids[key] = self._identity_of(c)
            return c

    def _identity_of(self, client: Any) -> str:
        """What, besides the request, selects a client's answers: endpoint, region, credentials."""
        s = self.settings
        return "|".join(str(v) for v in (client.meta.endpoint_url, client.meta.region_name, s.profile, s.role_arn,
                                          s.external_id, self._credentials.get("aws_access_key_id")))

    def sibling(self) -> AwsSession:
        """A session with the same credentials and a cache and call counts of its own."""
        return AwsSession(self.settings, _parent=self, _credentials=self._credentials)

    def assume(self, role_arn: str, external_id: str | None = None) -> AwsSession:
        """A session for the account of ``role_arn``, through STS AssumeRole with this session's credentials.

        The new session has its own cache and call counts (``calls``) and shares this one's
        botocore loader. A refused or failed AssumeRole raises :class:`ApiError`
        (``AssumeRole: AccessDenied``): for an organization scan that is one account's
        problem, reported as ERROR findings on that account.
        """
        params: dict[str, Any] = {"RoleArn": role_arn, "RoleSessionName": "auditor-scan"}
        if external_id:
            params["ExternalId"] = external_id
        creds = self.call_uncached("sts", self.default_region, "AssumeRole", **params)["Credentials"]
        settings = replace(self.settings, role_arn=role_arn, external_id=external_id)
        return AwsSession(settings, _parent=self, _credentials={
            "aws_access_key_id": creds["AccessKeyId"], "aws_secret_access_key": creds["SecretAccessKey"],
            "aws_session_token": creds["SessionToken"]})

    def client_identity(self, service: str, region: str) -> str:
        """The identity of the client a call to ``service`` in ``region`` goes through (part of its cache key)."""
        with self._lock:
            known = self._client_ids.get((service, region))
        if known is not None:
            return known
        self.client(service, region)
        with self._lock:
            return self._client_ids[(service, region)]

    @property
    def default_region(self) -> str:
        return str(self._boto.region_name or "us-east-1")

    # ------------------------------------------------------------------ identity

    def identity(self) -> dict[str, Any]:
        """STS GetCallerIdentity with one attempt: fails in seconds without credentials or endpoint.

        The scan's first call: missing, incomplete or rejected credentials and an unreachable
        endpoint raise :class:`AwsSetupError` (exit 2); any other failure ``CollectionError``.
        """
        from botocore.exceptions import BotoCoreError, ClientError

        self._observe("sts", self.default_region, "GetCallerIdentity")
        try:
            # Creating the client resolves the credentials: incomplete ones fail here.
            sts = self._new_client("sts", self.default_region, self._config(attempts=1))
            return dict(sts.get_caller_identity())
        except (ClientError, BotoCoreError) as exc:
            raise (setup_error(exc) or CollectionError(f"cannot identify the AWS account: GetCallerIdentity: "
                                                       f"{_describe(exc)}")) from None

    def caller(self) -> tuple[str, str]:
        """(account id, partition) of the credentials, from :meth:`identity` (same failures)."""
        identity = self.identity()
        return str(identity["Account"]), str(identity.get("Arn", "arn:aws:")).split(":")[1] or "aws"

    # ------------------------------------------------------------------ calls

    def _observe(self, service: str, region: str, operation: str) -> None:
        """Count a request (the scan statistics); observers hear it from botocore itself.

        ``calls_by_type`` counts them by the resource type being collected (a value several
        types share, such as the bucket listing, counts for the type that asked first).
        """
        made_for = (current() or ("", None))[0] or "(scan)"
        with self._lock:
            self.calls[f"{service}:{operation}"] = self.calls.get(f"{service}:{operation}", 0) + 1
            self.calls_by_type[made_for] = self.calls_by_type.get(made_for, 0) + 1

    def call(self, service: str, region: str, operation: str, **params: Any) -> dict[str, Any]:
        """One API call, cached for the run; raises :class:`ApiError` on failure."""
        key = _key(service, region, operation, "call", (), params, self.client_identity(service, region))
        return self._cached(key, lambda: self._invoke(service, region, operation, params))  # type: ignore[no-any-return]

    def call_uncached(self, service: str, region: str, operation: str, **params: Any) -> dict[str, Any]:
        """One API call that is never cached (polling, e.g. GenerateCredentialReport)."""
        return self._invoke(service, region, operation, params)

    def paginate(self, service: str, region: str, operation: str, result_key: str, **params: Any) -> list[Any]:
        """Every item of a paginated listing (cached); raises :class:`ApiError` on failure.

        ``result_key`` is part of the cache key: asking the same listing for another of
        its result lists makes its own request and gets its own list.
        """
        key = _key(service, region, operation, "pages", (result_key,), params, self.client_identity(service, region))
        found = self._cached(key, lambda: self._pages(service, region, operation, result_key, params))
        return list(found)  # a copy: a caller that edits its list never edits the cache

    def paginate_many(self, service: str, region: str, operation: str, result_keys: tuple[str, ...],
                      **params: Any) -> dict[str, list[Any]]:
        """Every item of a listing with several result lists (cached), by result key."""
        key = _key(service, region, operation, "pages", tuple(result_keys), params,
                   self.client_identity(service, region))
        found = self._cached(key, lambda: self._pages_by_key(service, region, operation, result_keys, params))
        return {k: list(v) for k, v in found.items()}

    def _cached(self, key: CacheKey, fn: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._cache:
                hit = self._cache[key]
                if isinstance(hit, ApiError):
                    raise hit
                return hit
            lock = self._key_locks.setdefault(key, threading.Lock())
        with lock:  # one request per key even when threads race for it
            with self._lock:
                if key in self._cache:
                    hit = self._cache[key]
                    if isinstance(hit, ApiError):
                        raise hit
                    return hit
            try:
                value = fn()
            except ApiError as exc:
                with self._lock:
                    self._cache[key] = exc
                raise
            with self._lock:
                self._cache[key] = value
            return value

    def _invoke(self, service: str, region: str, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        client = self.client(service, region)
        method = getattr(client, _snake(client, operation))
        self._observe(service, region, operation)
        with _translated(operation):
            out = dict(method(**params))
        out.pop("ResponseMetadata", None)
        return out

    def _pages(self, service: str, region: str, operation: str, result_key: str,
               params: dict[str, Any]) -> list[Any]:
        client = self.client(service, region)
        name = _snake(client, operation)
        if not client.can_paginate(name):
            self._observe(service, region, operation)
            with _translated(operation):
                return list(getattr(client, name)(**params).get(result_key, []))
        return self._pages_by_key(service, region, operation, (result_key,), params)[result_key]

    def _pages_by_key(self, service: str, region: str, operation: str, result_keys: tuple[str, ...],
                      params: dict[str, Any]) -> dict[str, list[Any]]:
        client = self.client(service, region)
        out: dict[str, list[Any]] = {k: [] for k in result_keys}
        with _translated(operation):
            paginator = client.get_paginator(_snake(client, operation))
            for page in _observed_pages(self, service, region, operation, paginator.paginate(**params)):
                for k in result_keys:
                    out[k].extend(page.get(k, []))
        return out


def _observed_pages(session: AwsSession, service: str, region: str, operation: str,
                    pages: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for page in pages:
        session._observe(service, region, operation)
        yield page


class _translated:
    """Context manager: botocore failures -> :class:`ApiError` with operation and code."""

    def __init__(self, operation: str) -> None:
        self.operation = operation

    def __enter__(self) -> None:
        return None

    def __exit__(self, et: Any, exc: BaseException | None, tb: Any) -> None:
        if exc is None or isinstance(exc, ApiError):
            return
        from botocore.exceptions import BotoCoreError, ClientError

        if isinstance(exc, ClientError):
            err = exc.response.get("Error", {})
            code, message = str(err.get("Code") or "Unknown"), str(err.get("Message", ""))
            if code == "404" and "not yet implemented" in message.lower():
                code = "NotImplemented"  # moto's answer for an operation it does not emulate
            raise ApiError(self.operation, code, message) from None
        if isinstance(exc, NotImplementedError):
            # moto (and some partitions) do not implement every operation.
            raise ApiError(self.operation, "NotImplemented", str(exc)) from None
        if isinstance(exc, BotoCoreError):
            raise ApiError(self.operation, type(exc).__name__, str(exc)) from None


def _describe(exc: BaseException) -> str:
    from botocore.exceptions import ClientError

    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code", "Unknown"))
    return f"{type(exc).__name__}: {exc}"


def _snake(client: Any, operation: str) -> str:
    return str((client.meta.method_to_api_mapping and _reverse(client).get(operation)) or operation)


_REVERSE: dict[str, dict[str, str]] = {}


def _reverse(client: Any) -> dict[str, str]:
    name = client.meta.service_model.service_name
    rev = _REVERSE.get(name)
    if rev is None:
        rev = {api: py for py, api in client.meta.method_to_api_mapping.items()}
        _REVERSE[name] = rev
    return rev


def _key(service: str, region: str, operation: str, shape: str, result_keys: tuple[str, ...],
         params: dict[str, Any], client: str) -> CacheKey:
    """The cache key of a call: flat parameters as a tuple (cheap: one per request), else JSON."""
    try:
        frozen: Any = tuple(sorted((k, type(v).__name__, v) for k, v in params.items()))
        hash(frozen)
    except TypeError:  # nested parameters (lists, dicts)
        frozen = json.dumps(params, sort_keys=True, default=str)
    return (service, region, operation, shape, result_keys, frozen, client)


def is_connect_failure(err: ApiError) -> bool:
    """Whether an :class:`ApiError` means the endpoint is unreachable."""
    return err.code in CONNECT_ERRORS
