"""abuse.ch Feodo Tracker CSV -> cyber:threats-bootstrap:v2 (seeders/feodo.py), on the genuine sample."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from parser_checks import FUZZ, HTML_ERROR_PAGE, fuzz_contract, parse_or_own_error, sample

from worldmonitor_mcp.seeders import FEEDS, FeedFormatError
from worldmonitor_mcp.seeders.feodo import DATA_KEY, NAME, count_records, parse

SAMPLE = sample("feodo_ipblocklist.csv")
HEADER = b'"first_seen_utc","dst_ip","dst_port","c2_status","last_online","malware"\n'


def _file(*rows: bytes) -> bytes:
    return (
        b"# Last updated: 2024-04-04 07:03:03 UTC\n"
        + HEADER
        + b"".join(row + b"\n" for row in rows)
        + f"# END {len(rows)} entries".encode()
    )


def test_sample_counts_and_times() -> None:
    parsed = parse(SAMPLE)
    threats = parsed.data["threats"]  # type: ignore[index]
    assert parsed.record_count == len(threats) == 28  # "# END 28 entries"
    assert parsed.published_at_ms == 1712214183000  # "Last updated: 2024-04-04 07:03:03 UTC"
    assert parsed.newest_item_at_ms == 1712188800000  # last_online 2024-04-04
    assert parsed.oldest_item_at_ms == 1709510400000  # last_online 2024-03-04 (37.60.242.85)
    assert parsed.source_version == "feodo-ipblocklist-csv"


def test_online_servers_come_first() -> None:
    threats = parse(SAMPLE).data["threats"]  # type: ignore[index]
    severities = [t["severity"] for t in threats]
    online = severities.count("CRITICALITY_LEVEL_HIGH")
    assert online > 0
    assert severities == ["CRITICALITY_LEVEL_HIGH"] * online + ["CRITICALITY_LEVEL_MEDIUM"] * (28 - online)
    by_ip = {t["indicator"]: t for t in threats}
    assert by_ip["192.9.135.73"] == {
        "id": "feodo:192.9.135.73",
        "type": "CYBER_THREAT_TYPE_C2_SERVER",
        "source": "CYBER_THREAT_SOURCE_FEODO",
        "indicator": "192.9.135.73",
        "indicatorType": "CYBER_THREAT_INDICATOR_TYPE_IP",
        "country": "",
        "severity": "CRITICALITY_LEVEL_HIGH",
        "malwareFamily": "Pikabot",
        "tags": ["botnet", "c2"],
        "firstSeenAt": 1684864304000,  # 2023-05-23 17:51:44 UTC
        "lastSeenAt": 1711929600000,  # 2024-04-01
        "port": 1194,
    }
    assert by_ip["172.233.221.61"]["severity"] == "CRITICALITY_LEVEL_MEDIUM"  # offline
    assert by_ip["172.233.221.61"]["firstSeenAt"] == 1712214183000


def test_feed_record() -> None:
    feed = FEEDS[NAME]
    assert feed.data_key == DATA_KEY == "cyber:threats-bootstrap:v2"
    assert feed.seed_meta_key == "seed-meta:cyber:threats"
    assert "ipblocklist.csv" in feed.file_names


def test_ransomware_family_online_is_critical() -> None:
    parsed = parse(_file(b'"2024-01-01 00:00:00","10.0.0.1","443","online","2024-04-01","QakBot"'))
    (threat,) = parsed.data["threats"]  # type: ignore[index]
    assert threat["severity"] == "CRITICALITY_LEVEL_CRITICAL"


def test_one_ip_on_two_ports_is_kept_once_with_the_latest_sighting() -> None:
    parsed = parse(
        _file(
            b'"2024-01-01 00:00:00","10.0.0.1","443","offline","2024-02-01","Dridex"',
            b'"2024-01-02 00:00:00","10.0.0.1","8080","offline","2024-03-01","Dridex"',
        )
    )
    (threat,) = parsed.data["threats"]  # type: ignore[index]
    assert (threat["port"], threat["lastSeenAt"]) == (8080, 1709251200000)


def test_ipv6_is_normalised_and_an_empty_last_online_falls_back() -> None:
    parsed = parse(_file(b'"2024-01-01 00:00:00","2001:DB8::0001","443","","","Emotet"'))
    (threat,) = parsed.data["threats"]  # type: ignore[index]
    assert (threat["indicator"], threat["lastSeenAt"], threat["severity"]) == (
        "2001:db8::1",
        1704067200000,
        "CRITICALITY_LEVEL_MEDIUM",
    )


def test_a_cut_off_file_is_refused() -> None:
    cut = SAMPLE[: SAMPLE.rindex(b"# END")]
    with pytest.raises(FeedFormatError, match="cut short"):
        parse(cut)
    with pytest.raises(FeedFormatError, match="announces 28 entries but holds 27"):
        parse(b"\n".join(line for line in SAMPLE.split(b"\n") if b"192.9.135.73" not in line))


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        (b'"2024-01-01 00:00:00","10.0.0.999","443","online","2024-04-01","X"', "dst_ip"),
        (b'"2024-01-01 00:00:00","10.0.0.1","70000","online","2024-04-01","X"', "dst_port"),
        (b'"2024-01-01 00:00:00","10.0.0.1","443","maybe","2024-04-01","X"', "c2_status"),
        (b'"01/01/2024","10.0.0.1","443","online","2024-04-01","X"', "first_seen_utc"),
        (b'"2024-01-01 00:00:00","10.0.0.1","443","online","yesterday","X"', "last_online"),
        (b'"2024-01-01 00:00:00","10.0.0.1","443","online","2024-04-01"', "entry 1"),
    ],
)
def test_bad_rows_are_named(row: bytes, problem: str) -> None:
    with pytest.raises(FeedFormatError, match=problem):
        parse(_file(row))


@pytest.mark.parametrize(
    "payload", [b"", HTML_ERROR_PAGE, sample("nasa_firms_modis_c6_1_global_24h.csv"), b"\xff\xfe#"]
)
def test_other_payloads_are_refused(payload: bytes) -> None:
    with pytest.raises(FeedFormatError, match=r"^abusech-feodo: unrecognised payload: "):
        parse(payload)


test_fuzz_arbitrary_bytes, test_fuzz_damaged_sample = fuzz_contract(parse, NAME, count_records, SAMPLE)


@FUZZ
@given(st.integers(0, SAMPLE.rindex(b"# END") + 5))
def test_fuzz_truncated_sample_is_refused(end: int) -> None:
    assert parse_or_own_error(parse, NAME, count_records, SAMPLE[:end]) is None
