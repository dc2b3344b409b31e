"""Pure parts of the analysis, without a server: geometry, reading a focus, checking citations, settings."""

from __future__ import annotations

import pytest

from worldmonitor_mcp.settings import Settings
from worldmonitor_mcp.tools.analysis.geometry import CountryGeometry, load_geometry
from worldmonitor_mcp.tools.analysis.prompt import AnswerError, check_citations, parse_answer
from worldmonitor_mcp.tools.analysis.query import read_focus

pytestmark = pytest.mark.anyio


@pytest.fixture
async def geometry() -> CountryGeometry:
    return await load_geometry()


async def test_geometry_places_points_in_and_near_countries(geometry: CountryGeometry) -> None:
    assert geometry.locate(37.98, 23.73) == "GR"  # Athens
    assert geometry.locate(0.0, -30.0) is None  # mid-Atlantic
    samos_quake = (37.9175, 26.7901)  # USGS us7000c7y0, at sea between Samos and Turkey
    greece = geometry.placement("GR", *samos_quake, near_km=150)
    turkey = geometry.placement("TR", *samos_quake, near_km=150)
    assert greece is not None
    assert turkey is not None
    assert greece.relation == turkey.relation == "near"
    assert geometry.placement("JP", *samos_quake, near_km=150) is None
    assert geometry.placement("GR", 37.98, 23.73, near_km=150).relation == "in"  # type: ignore[union-attr]


async def test_regions_come_from_natural_earth_names(geometry: CountryGeometry) -> None:
    middle_east = geometry.regions_named("Middle East")
    assert list(middle_east) == ["Middle East & North Africa"]
    assert {"IR", "SA", "EG"} <= middle_east["Middle East & North Africa"]
    assert "East Asia & Pacific" in geometry.regions_named("Asia Pacific")


async def test_focus_reads_codes_only_in_capitals_and_names_in_any_case(geometry: CountryGeometry) -> None:
    focus = read_focus("Can the US and japan handle floods in Bangladesh?", geometry)
    assert set(focus.countries) == {"US", "JP", "BD"}  # not Canada ("Can") nor India ("in")
    assert focus.domains == {"natural-event": "floods"}
    assert read_focus("the of and", geometry).empty


def test_invented_citations_are_stripped_and_counted() -> None:
    answer = parse_answer('```json\n{"narrative": "A [a:1] and B [b:9].", "citations": ["a:1", "c:7"]}\n```')
    checked = check_citations(answer, {"a:1", "b:2"})
    assert checked.text == "A [a:1] and B ."
    assert checked.citations == ("a:1",)
    assert checked.stripped == 2


def test_an_answer_citing_nothing_known_is_refused() -> None:
    with pytest.raises(AnswerError, match="cited none of the evidence ids"):
        check_citations({"narrative": "Made up [x:1].", "citations": []}, {"a:1"})


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"llm_base_url": "https://user:secret@llm.example/v1", "llm_model": "m"},
            "must not hold credentials",
        ),
        ({"llm_base_url": "https://llm.example/v1"}, "set both WORLDMONITOR_LLM_BASE_URL"),
        ({"llm_base_url": "ftp://llm.example", "llm_model": "m"}, "must start with http"),
    ],
)
def test_llm_settings_are_validated_with_the_variable_named(overrides: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Settings(**overrides)  # type: ignore[arg-type]


def test_llm_key_is_secret_in_settings() -> None:
    settings = Settings(llm_base_url="http://127.0.0.1:11434/v1/", llm_model="m", llm_api_key="sk-secret")  # type: ignore[arg-type]
    assert "sk-secret" not in repr(settings)
    assert settings.llm_base_url == "http://127.0.0.1:11434/v1"
