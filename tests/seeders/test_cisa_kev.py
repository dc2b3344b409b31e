"""CISA KEV catalog JSON -> cyber:kev:v1 (seeders/cisa_kev.py), on the genuine 2025.08.25 sample."""

from __future__ import annotations

import json

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from parser_checks import parse_or_own_error, sample

from worldmonitor_mcp.seeders import FEEDS, FeedFormatError, ParsedFeed
from worldmonitor_mcp.seeders.cisa_kev import DATA_KEY, parse

SAMPLE = sample("cisa_kev.json")
_FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_FIELDS = {
    "cveID",
    "vendorProject",
    "product",
    "vulnerabilityName",
    "dateAdded",
    "shortDescription",
    "requiredAction",
    "dueDate",
    "knownRansomwareCampaignUse",
    "cwes",
}


def _catalog(**vulnerability_overrides: object) -> dict[str, object]:
    catalog = json.loads(SAMPLE)
    catalog["vulnerabilities"] = catalog["vulnerabilities"][:1]
    catalog["vulnerabilities"][0].update(vulnerability_overrides)
    return dict(catalog)


def test_sample_header_and_first_vulnerability() -> None:
    parsed = parse(SAMPLE)
    data = parsed.data
    assert isinstance(data, dict)
    assert data["catalogVersion"] == "2025.08.25"
    assert data["dateReleased"] == "2025-08-25T17:04:19.9796Z"
    first = data["vulnerabilities"][0]
    assert first["cveID"] == "CVE-2025-48384"
    assert first["vendorProject"] == "Git"
    assert first["product"] == "Git"
    assert first["vulnerabilityName"] == "Git Link Following Vulnerability"
    assert first["dateAdded"] == "2025-08-25"
    assert first["dueDate"] == "2025-09-15"
    assert first["knownRansomwareCampaignUse"] == "Unknown"
    assert first["cwes"] == ["CWE-59", "CWE-436"]
    assert first["shortDescription"].startswith("Git contains a link following vulnerability")
    assert set(first) == _FIELDS  # notes dropped, nothing added
    assert set(data) == {"catalogVersion", "dateReleased", "vulnerabilities"}


def test_sample_counts_and_times() -> None:
    parsed = parse(SAMPLE)
    # 100 of the catalog's 1,404 entries; the file's own "count" still says 1404 (SOURCES.md).
    assert parsed.record_count == 100
    assert parsed.published_at_ms == 1756141459979  # dateReleased 2025-08-25T17:04:19.9796Z
    assert parsed.newest_item_at_ms == 1756080000000  # dateAdded 2025-08-25
    assert parsed.oldest_item_at_ms == 1742342400000  # dateAdded 2025-03-19
    assert parsed.source_version == "cisa-kev-2025.08.25"
    assert FEEDS["cisa-kev"].count_records(parsed.data) == 100


def test_feed_record() -> None:
    feed = FEEDS["cisa-kev"]
    assert feed.data_key == DATA_KEY == "cyber:kev:v1"
    assert feed.seed_meta_key == "seed-meta:cyber:kev"
    assert "known_exploited_vulnerabilities.json" in feed.file_names


def test_older_catalog_without_cwes() -> None:
    catalog = _catalog()
    del catalog["vulnerabilities"][0]["cwes"]  # type: ignore[index]
    parsed = parse(orjson.dumps(catalog))
    assert parsed.data["vulnerabilities"][0]["cwes"] == []  # type: ignore[index]


def test_usgs_payload_is_rejected_with_the_feed_name() -> None:
    with pytest.raises(FeedFormatError, match=r"^cisa-kev: .*not a CISA KEV catalog"):
        parse(sample("usgs_earthquakes_4.5_week.geojson"))


def test_malformed_cve_id_is_rejected() -> None:
    with pytest.raises(FeedFormatError, match=r"vulnerabilities\.0\.cveID"):
        parse(orjson.dumps(_catalog(cveID="CVE-25-1")))


def test_bad_date_is_rejected() -> None:
    with pytest.raises(FeedFormatError, match=r"vulnerabilities\.0\.dateAdded"):
        parse(orjson.dumps(_catalog(dateAdded="25/08/2025")))


def test_bad_release_time_is_rejected() -> None:
    catalog = _catalog()
    catalog["dateReleased"] = "yesterday"
    with pytest.raises(FeedFormatError, match="dateReleased"):
        parse(orjson.dumps(catalog))


def test_html_instead_of_json() -> None:
    with pytest.raises(FeedFormatError, match="HTML page"):
        parse(b"\n  <html><head><title>Access Denied</title></head></html>")


def test_truncated_download() -> None:
    with pytest.raises(FeedFormatError, match="cisa-kev"):
        parse(SAMPLE[: len(SAMPLE) // 2])


def _parse_or_own_error(payload: bytes) -> ParsedFeed | None:
    """The fuzz contract (parser_checks.parse_or_own_error), with the count read from the data."""
    return parse_or_own_error(parse, "cisa-kev", lambda data: len(data["vulnerabilities"]), payload)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)


@_FUZZ
@given(st.binary(max_size=2048))
def test_fuzz_arbitrary_bytes(payload: bytes) -> None:
    _parse_or_own_error(payload)


@_FUZZ
@given(_json)
def test_fuzz_arbitrary_json(value: object) -> None:
    _parse_or_own_error(json.dumps(value).encode())


@_FUZZ
@given(st.sampled_from(sorted(_FIELDS)), _json, st.text(max_size=40))
def test_fuzz_one_field(field: str, value: object, released: str) -> None:
    catalog = _catalog(**{field: value})
    catalog["dateReleased"] = released
    _parse_or_own_error(json.dumps(catalog).encode())


@_FUZZ
@given(st.integers(0, len(SAMPLE)), st.integers(0, 400), st.binary(max_size=8))
def test_fuzz_damaged_sample(start: int, length: int, insert: bytes) -> None:
    _parse_or_own_error(SAMPLE[:start] + insert + SAMPLE[start + length :])
