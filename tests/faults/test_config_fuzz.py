"""Every invalid configuration gives one ConfigError line, never a traceback.

Start from the documented example and break it at random: change a value
to one of another type or range, drop a key, add an unknown one, or feed
bytes that are not TOML at all.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.config.settings import parse_config
from kiosk.errors import ConfigError
from tests.counts import scaled, time_limit

EXAMPLE = tomllib.loads(
    (Path(__file__).parents[2] / "deploy" / "assettrack.example.toml").read_text()
)
EXAMPLES = scaled(200, 2000)


def _paths(table, prefix=()):
    for key, value in table.items():
        yield (*prefix, key)
        if isinstance(value, dict):
            yield from _paths(value, (*prefix, key))


PATHS = list(_paths(EXAMPLE))
SCALARS = st.one_of(
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True),
    st.booleans(),
    st.text(max_size=40),
    st.sampled_from(["", "0x3C", "CART-A:1", "(?P<x", "\x1b[2J", "-1"]),
)
VALUES = st.one_of(
    SCALARS,
    st.lists(SCALARS, max_size=3),
    st.dictionaries(st.text(min_size=1, max_size=8), SCALARS, max_size=3),
)


def _toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return (
            "nan"
            if v != v
            else ("inf" if v == float("inf") else "-inf" if v == float("-inf") else repr(v))
        )
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return json.dumps(v)  # JSON string escapes are valid TOML basic strings
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return "{" + ", ".join(f"{json.dumps(k)} = {_toml_value(x)}" for k, x in v.items()) + "}"


def _toml(table, prefix=()) -> str:
    scalars = [
        f"{json.dumps(k)} = {_toml_value(v)}" for k, v in table.items() if not isinstance(v, dict)
    ]
    out = []
    if prefix:
        out.append("[" + ".".join(json.dumps(p) for p in prefix) + "]")
    out += scalars
    for k, v in table.items():
        if isinstance(v, dict):
            out.append(_toml(v, (*prefix, k)))
    return "\n".join(out)


def _mutated(path, action, value):
    doc = json.loads(json.dumps(EXAMPLE))
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    if action == "drop":
        parent.pop(path[-1], None)
    elif action == "unknown":
        parent["no_such_key"] = value
    else:
        parent[path[-1]] = value
    return doc


def _loads_or_config_error(text: str) -> None:
    try:
        parse_config(text)
    except ConfigError as err:
        message = str(err)
        assert message and "\n" not in message and "Traceback" not in message


def test_example_is_valid():
    parse_config(_toml(EXAMPLE))


@pytest.mark.timeout(time_limit(EXAMPLES, 0.5))
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.sampled_from(PATHS), st.sampled_from(["set", "drop", "unknown"]), VALUES)
def test_mutated_example(path, action, value):
    _loads_or_config_error(_toml(_mutated(path, action, value)))


@pytest.mark.timeout(time_limit(EXAMPLES, 0.5))
@settings(max_examples=EXAMPLES, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_text(text):
    _loads_or_config_error(text)
