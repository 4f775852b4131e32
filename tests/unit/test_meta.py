"""Meta-tests guarding the plugin contracts and the test harness itself."""

from __future__ import annotations

import socket

import pytest

from auditor.core.filters import filter_types
from auditor.core.resources import resource_types
from auditor.plugins import load_plugins


def test_network_guard_blocks_everything_but_loopback() -> None:
    with pytest.raises(AssertionError, match="only loopback"):
        socket.getaddrinfo("s3.amazonaws.com", 443)
    s = socket.socket()
    try:
        with pytest.raises(AssertionError, match="only loopback"):
            s.connect(("52.95.110.1", 443))
    finally:
        s.close()


def test_every_filter_type_has_schema_and_docs() -> None:
    load_plugins()
    for name, cls in filter_types.items():
        assert cls.schema.get("type") == "object", f"filter {name} has no object schema"
        assert (cls.__doc__ or "").strip(), f"filter {name} has no docstring (user docs)"
        assert "Example" in (cls.__doc__ or "") or "example" in (cls.__doc__ or ""), f"filter {name}: no example"


def test_every_resource_type_declares_attributes_and_docs() -> None:
    load_plugins()
    for name, cls in resource_types.items():
        if name.startswith("test."):
            continue
        assert (cls.__doc__ or "").strip(), f"resource type {name} has no docstring"
        assert cls.attributes, f"resource type {name} declares no attributes"
        if name.startswith("aws."):
            assert cls.permissions, f"AWS resource type {name} declares no IAM permissions"
