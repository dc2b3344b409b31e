"""ECB eurofxref XML -> economic:ecb-fx-rates:v1 (seeders/ecb.py), on the genuine daily and hist samples."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from parser_checks import parse_or_own_error, sample

from worldmonitor_mcp.seeders import FEEDS, FeedFormatError, ParsedFeed, UnsafeXmlError
from worldmonitor_mcp.seeders.ecb import DATA_KEY, parse

DAILY = sample("ecb_eurofxref_daily.xml")
HIST = sample("ecb_eurofxref_hist_5d.xml")
_FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_ENVELOPE_OPEN = (
    '<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" '
    'xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">'
)
_ENVELOPE_CLOSE = "</gesmes:Envelope>"


def _document(cubes: str) -> bytes:
    declaration = "<?xml version='1.0' encoding='UTF-8'?>"
    return f"{declaration}{_ENVELOPE_OPEN}<Cube>{cubes}</Cube>{_ENVELOPE_CLOSE}".encode()


def test_daily_sample_usd_rate() -> None:
    parsed = parse(DAILY)
    data = parsed.data
    assert isinstance(data, dict)
    assert data["base"] == "EUR"
    assert data["updatedAt"] == "2022-07-08T14:00:00Z"
    assert data["rates"]["EURUSD"] == {"rate": 1.0163, "date": "2022-07-08", "change1d": None}
    assert data["rates"]["EURJPY"]["rate"] == 138.05
    assert data["rates"]["EURIDR"]["rate"] == 15210.73
    assert "EURHRK" in data["rates"]  # Croatia still had the kuna on 2022-07-08
    assert "EURRUB" not in data["rates"]  # suspended by then


def test_daily_sample_counts_and_times() -> None:
    parsed = parse(DAILY)
    assert parsed.record_count == 31
    assert parsed.published_at_ms == 1657288800000  # 2022-07-08T14:00:00Z
    assert parsed.newest_item_at_ms == parsed.oldest_item_at_ms == parsed.published_at_ms
    assert parsed.source_version == "ecb-eurofxref-daily"
    assert FEEDS["ecb-fx-rates"].count_records(parsed.data) == 31


def test_history_sample_gives_day_over_day_change() -> None:
    parsed = parse(HIST)
    rates = parsed.data["rates"]  # type: ignore[index]
    # 2018-10-09 USD 1.1435, 2018-10-08 USD 1.1478: the change is exact, not 1.1435 - 1.1478 in floats.
    assert rates["EURUSD"] == {"rate": 1.1435, "date": "2018-10-09", "change1d": -0.0043}
    assert rates["EURRUB"]["rate"] == 76.3635
    assert parsed.record_count == 32
    assert parsed.source_version == "ecb-eurofxref-hist"
    assert parsed.published_at_ms == 1539093600000  # 2018-10-09T14:00:00Z


def test_feed_record() -> None:
    feed = FEEDS["ecb-fx-rates"]
    assert feed.data_key == DATA_KEY == "economic:ecb-fx-rates:v1"
    assert feed.seed_meta_key == "seed-meta:economic:ecb-fx-rates"
    assert {"eurofxref-daily.xml", "eurofxref-hist-90d.xml", "eurofxref-hist.xml"} <= set(feed.file_names)


def test_days_out_of_order_still_pick_the_newest() -> None:
    parsed = parse(
        _document(
            "<Cube time='2024-01-02'><Cube currency='USD' rate='1.10'/></Cube>"
            "<Cube time='2024-01-03'><Cube currency='USD' rate='1.0950'/></Cube>"
        )
    )
    assert parsed.data["rates"]["EURUSD"] == {"rate": 1.095, "date": "2024-01-03", "change1d": -0.005}  # type: ignore[index]


def test_currency_missing_the_day_before_has_no_change() -> None:
    parsed = parse(
        _document(
            "<Cube time='2024-01-03'>"
            "<Cube currency='USD' rate='1.1'/><Cube currency='ISK' rate='150'/>"
            "</Cube>"
            "<Cube time='2024-01-02'><Cube currency='USD' rate='1.1'/></Cube>"
        )
    )
    assert parsed.data["rates"]["EURUSD"]["change1d"] == 0.0  # type: ignore[index]
    assert parsed.data["rates"]["EURISK"]["change1d"] is None  # type: ignore[index]


def test_billion_laughs_is_refused() -> None:
    bomb = (
        b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
        + b"".join(
            f' <!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">\n'.encode()
            for i in range(1, 10)
        )
        + b"]>\n"
        + _ENVELOPE_OPEN.encode()
        + b"<Cube><Cube time='2024-01-02'><Cube currency='USD' rate='&lol9;'/></Cube></Cube>"
        + _ENVELOPE_CLOSE.encode()
    )
    with pytest.raises(
        UnsafeXmlError, match=r"^ecb-fx-rates: .*refused XML with a DTD or entity declarations"
    ):
        parse(bomb)


def test_external_entity_is_refused() -> None:
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        + _ENVELOPE_OPEN.encode()
        + b"<Cube>&xxe;</Cube>"
        + _ENVELOPE_CLOSE.encode()
    )
    with pytest.raises(UnsafeXmlError):
        parse(xxe)


@pytest.mark.parametrize(
    "page",
    [
        b"<!DOCTYPE html>\n<html><body><h1>502 Bad Gateway</h1></body></html>",
        b"\xef\xbb\xbf  <HTML><HEAD><TITLE>Maintenance</TITLE></HEAD></HTML>",
    ],
)
def test_html_instead_of_xml(page: bytes) -> None:
    with pytest.raises(FeedFormatError, match="HTML page") as caught:
        parse(page)
    assert not isinstance(caught.value, UnsafeXmlError)


def test_json_instead_of_xml() -> None:
    with pytest.raises(FeedFormatError, match="not well-formed XML"):
        parse(sample("cisa_kev.json"))


@pytest.mark.parametrize("encoding", ["bogus", "base64", "shift_jis", "idna"])
def test_unusable_encoding_declaration(encoding: str) -> None:
    with pytest.raises(FeedFormatError, match="unusable character encoding"):
        parse(f"<?xml version='1.0' encoding='{encoding}'?><a/>".encode())


def test_other_xml_is_rejected() -> None:
    with pytest.raises(FeedFormatError, match="expected gesmes:Envelope"):
        parse(b"<rss version='2.0'><channel/></rss>")


def test_envelope_without_days() -> None:
    with pytest.raises(FeedFormatError, match="no <Cube time="):
        parse(_document(""))


@pytest.mark.parametrize(
    ("cubes", "problem"),
    [
        ("<Cube time='2024-01-02'><Cube currency='USD' rate='-1'/></Cube>", r"rates\.0\.rate"),
        ("<Cube time='2024-01-02'><Cube currency='USD' rate='NaN'/></Cube>", r"rates\.0\.rate"),
        ("<Cube time='2024-01-02'><Cube currency='USD' rate='1e999'/></Cube>", r"rates\.0\.rate"),
        ("<Cube time='2024-01-02'><Cube currency='usd' rate='1.1'/></Cube>", r"rates\.0\.currency"),
        ("<Cube time='2024-01-02'><Cube currency='USD'/></Cube>", r"rates\.0\.rate"),
        ("<Cube time='02/01/2024'><Cube currency='USD' rate='1.1'/></Cube>", "time"),
        (
            "<Cube time='2024-01-02'><Cube currency='USD' rate='1.1'/><Cube currency='USD' rate='1.2'/>"
            "</Cube>",
            "listed twice",
        ),
        ("<Cube time='2024-01-02'/><Cube time='2024-01-02'/>", "appears twice"),
    ],
)
def test_invalid_days_are_named(cubes: str, problem: str) -> None:
    with pytest.raises(FeedFormatError, match=problem):
        parse(_document(cubes))


def _parse_or_own_error(payload: bytes) -> ParsedFeed | None:
    """The fuzz contract (parser_checks.parse_or_own_error), with the count read from the data."""
    return parse_or_own_error(parse, "ecb-fx-rates", lambda data: len(data["rates"]), payload)


_XML_TOKENS = [
    "<?xml version='1.0' encoding='UTF-8'?>",
    "<?xml version='1.0' encoding='bogus'?>",
    "<?xml version='1.0' encoding='UTF-16'?>",
    "<?xml version='1.0' encoding='shift_jis'?>",
    "<?xml version='1.0' encoding='base64'?>",
    "<?xml version='1.0' encoding='idna'?>",
    "<?xml version='1.0' encoding='cp1252'?>",
    _ENVELOPE_OPEN,
    _ENVELOPE_CLOSE,
    "<Cube>",
    "</Cube>",
    "<Cube time='2024-01-02'>",
    "<Cube time='9999-12-31'>",
    "<Cube time='0001-01-01'>",
    "<Cube currency='USD' rate='1.1'/>",
    "<Cube currency='JPY' rate='0'/>",
    "<Cube currency='GBP' rate='1e-30'/>",
    "<Cube currency='CHF' rate='99999999999999999999999.5'/>",
    "<!DOCTYPE x>",
    "<!DOCTYPE x [<!ENTITY a 'b'>]>",
    "&a;",
    "&amp;",
    "<![CDATA[x]]>",
    "<!-- c -->",
    "<",
    ">",
    "'",
    "\x00",
    "é",
]


@_FUZZ
@given(st.binary(max_size=2048))
def test_fuzz_arbitrary_bytes(payload: bytes) -> None:
    _parse_or_own_error(payload)


@_FUZZ
@given(st.lists(st.sampled_from(_XML_TOKENS), max_size=30))
def test_fuzz_xml_fragments(tokens: list[str]) -> None:
    _parse_or_own_error("".join(tokens).encode())


@_FUZZ
@given(st.sampled_from([DAILY, HIST]), st.integers(0, len(HIST)), st.integers(0, 200), st.binary(max_size=8))
def test_fuzz_damaged_sample(source: bytes, start: int, length: int, insert: bytes) -> None:
    _parse_or_own_error(source[:start] + insert + source[start + length :])
