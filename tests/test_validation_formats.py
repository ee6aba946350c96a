"""Our format checks' shortcuts accept exactly what the full checks accept."""

from __future__ import annotations

import pathlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rfc3339_validator import validate_rfc3339

from contentlint import validation
from contentlint.document import load
from tests.conftest import CORPUS, needs_corpus


def _reference(value) -> bool:
    """What `date-time` meant before the shortcut: rfc3339-validator on the upper-cased text."""
    return not isinstance(value, str) or bool(validate_rfc3339(value.upper()))


EDGES = [
    "2021-12-08T16:33:00Z", "2021-12-08t16:33:00z", "2021-12-08T16:33:00.123456+02:00",
    "2021-12-08T16:33:00-23:59", "2021-12-08T16:33:00+24:00", "2021-12-08T24:00:00Z",
    "2021-12-08T16:60:00Z", "2021-12-08T16:33:60Z", "2021-12-08T16:33:00", "2021-12-08 16:33:00Z",
    "2021-12-08T16:33:00.Z", "2021-12-08T16:33Z", "2021-12-8T16:33:00Z", "21-12-08T16:33:00Z",
    "0000-01-01T00:00:00Z", "0001-01-01T00:00:00Z", "2021-00-10T00:00:00Z", "2021-13-10T00:00:00Z",
    "2021-01-00T00:00:00Z", "2021-01-28T00:00:00Z", "2021-01-31T00:00:00Z", "2021-04-31T00:00:00Z",
    "2021-02-29T00:00:00Z", "2020-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2000-02-29T00:00:00Z",
    "2021-12-08T16:33:00Z\n", "2021-12-08T16:33:00Z\n\n", " 2021-12-08T16:33:00Z", "2021-12-08T16:33:00ZZ",
    "２０２１-12-08T16:33:00Z", "2021-12-08T16:33:00.１Z", "2021-12-08T16:33:00\u017a", "", "Z", 20211208, None,
]


@pytest.mark.parametrize("value", EDGES)
def test_date_time_agrees_with_rfc3339_validator_on_edges(value):
    assert validation._is_datetime(value) == _reference(value)


_PIECES = st.sampled_from(["0", "1", "2", "3", "5", "9", "-", ":", "T", "t", "Z", "z", ".", "+", " ", "\n", "0000",
                           "2021-", "02-29", "12-31", "04-31", "T23:59:59", "+23:59", "-00:00", "Z\n", "٣", "\u212a"])


@settings(max_examples=3000, deadline=None)
@given(st.one_of(
    st.from_regex(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{0,3})?([Zz]|[+-][0-9]{2}:[0-9]{2})?\n?\Z"),
    st.lists(_PIECES, max_size=12).map("".join),
    st.text(max_size=30),
))
def test_date_time_agrees_with_rfc3339_validator(value):
    assert validation._is_datetime(value) == _reference(value)


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


@needs_corpus
def test_date_time_agrees_with_rfc3339_validator_on_every_corpus_string():
    values = set()
    for path in pathlib.Path(CORPUS).rglob("*"):
        if path.is_file():
            values.update(_strings(load(str(path), path.read_bytes()).data))
    dates = [v for v in values if v[:4].isdigit()]
    assert len(dates) > 1000  # the corpus's publishedDateTime values are among them
    for value in values:
        assert validation._is_datetime(value) == _reference(value), value


def test_a_common_date_time_needs_no_calendar(monkeypatch):
    """The usual date-time is proven by one regex; the full check (and its
    calendar) runs only for what the regex cannot prove."""
    asked = []
    monkeypatch.setattr(validation, "_rfc3339", lambda: lambda text: asked.append(text) or validate_rfc3339(text))
    for value in ("2021-12-08T16:33:00Z", "2019-01-28t00:00:00.5+05:30"):
        assert validation._is_datetime(value)
    assert asked == []
    assert validation._is_datetime("2020-02-29T00:00:00Z") and not validation._is_datetime("2021-02-29T00:00:00Z")
    assert asked == ["2020-02-29T00:00:00Z", "2021-02-29T00:00:00Z"]
