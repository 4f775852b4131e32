"""Test-wide guards and fixtures.

``--reverse-order`` runs the collected tests backwards: no test may depend on another
having run first. The network guard is autouse: any test that opens a socket to anything but
loopback fails loudly (a real AWS endpoint, PyPI, a model hub...). moto runs
in-process (``mock_aws``) or as a server on 127.0.0.1.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Iterator
from typing import Any

import pytest

# Never let boto3 find real credentials or a real endpoint from the developer's machine.
for _var in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
    os.environ.pop(_var, None)
os.environ.update({
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
    "TLDEXTRACT_CACHE": os.devnull,
    "HF_HUB_OFFLINE": "1",
})


class NetworkBlocked(AssertionError):
    """A test tried to reach something other than loopback."""


def _is_loopback(host: Any) -> bool:
    if host in ("localhost", "", None):
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def guard(address: Any) -> None:
        if isinstance(address, tuple) and not _is_loopback(address[0]):
            raise NetworkBlocked(f"test tried to reach {address!r}: only loopback is allowed in tests")

    def connect(self: socket.socket, address: Any) -> Any:
        guard(address)
        return real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> Any:
        guard(address)
        return real_connect_ex(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not _is_loopback(host) and not str(host).startswith("127."):
            raise NetworkBlocked(f"test tried to resolve {host!r}: only loopback is allowed in tests")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--reverse-order", action="store_true",
                     help="run the collected tests in reverse order (a test that needs another to run first fails)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # No test may depend on another having run before it (or on a file name's place in the
    # alphabet): `pytest --reverse-order tests/<dir>` shows it without a plugin.
    if config.getoption("--reverse-order"):
        items.reverse()
