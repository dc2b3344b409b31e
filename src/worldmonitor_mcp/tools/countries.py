"""Countries for the ``country`` filter: resolve what an agent typed, and read a country out of a place name.

An agent may pass an ISO 3166-1 alpha-2 or alpha-3 code or an English name (``JP``, ``JPN``, ``Japan``,
``Russia``); the filter compares alpha-2 codes. Items carry a country either as a code (natural events'
``country``, the sanctions index's ``cc``) or only inside a place name (USGS ``place``:
``"11 km WSW of Kerasochóri, Greece"``, ``"5 km N of Ridgecrest, CA"``), read here by ``country_in_place``.

pycountry keeps the ISO tables; this module adds the everyday names ISO does not use and the US states
USGS writes instead of the country. The seeders keep their own name index (seeders/_country.py) for
the names feeds write; the two could share one module once both settle.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

import pycountry

KOSOVO = "XK"
KOSOVO_ALPHA3 = frozenset({"XKX", "XKO", "KOS"})
"""The user-assigned codes feeds use for Kosovo, as the seeders read them (seeders/_country.py)."""
"""No ISO 3166-1 code; the user-assigned code the EU, the IMF and the State Department use."""

_ALIASES: dict[str, str] = {
    "russia": "RU",
    "turkey": "TR",
    "uk": "GB",
    "britain": "GB",
    "great britain": "GB",
    "england": "GB",
    "usa": "US",
    "united states of america": "US",
    "america": "US",
    "south korea": "KR",
    "north korea": "KP",
    "kosovo": KOSOVO,
    "burma": "MM",
    "ivory coast": "CI",
    "cape verde": "CV",
    "east timor": "TL",
    "macedonia": "MK",
    "swaziland": "SZ",
    "palestine": "PS",
    "gaza": "PS",
    "west bank": "PS",
    "vatican": "VA",
    "laos": "LA",
    "democratic republic of the congo": "CD",
    "drc": "CD",
    "republic of the congo": "CG",
}

_NOT_WORD = re.compile(r"[^a-z0-9]+")
_MAX_PLACE_WORDS = 4
"""Longest country name read from the end of a place without a comma (``... of the Dominican Republic``)."""


def normalise(text: str) -> str:
    """``Côte d'Ivoire`` -> ``cote d ivoire``: accents, case and punctuation folded away."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_only = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _NOT_WORD.sub(" ", ascii_only.lower()).strip()


@cache
def _country_names() -> dict[str, str]:
    """Normalised English name -> alpha-2, for ISO's names plus the everyday aliases."""
    index: dict[str, str] = {}
    for country in pycountry.countries:
        for attribute in ("name", "common_name", "official_name"):
            value = getattr(country, attribute, None)
            if isinstance(value, str):
                index.setdefault(normalise(value), country.alpha_2)
    index.update(_ALIASES)
    return index


@cache
def _place_names() -> dict[str, str]:
    """Country names, plus US states and their postal codes (USGS: ``..., CA``, ``..., Alaska``).

    A country wins where a state shares its name (Georgia).
    """
    index = dict(_country_names())
    for state in pycountry.subdivisions.get(country_code="US") or ():  # type: ignore[no-untyped-call]
        index.setdefault(normalise(state.name), "US")
        index.setdefault(normalise(state.code.split("-", 1)[1]), "US")
    return index


def resolve_country(value: str) -> str | None:
    """The alpha-2 code an agent means by ``value`` (code or name), or None when it names no country."""
    text = value.strip()
    if text.upper() == KOSOVO or text.upper() in KOSOVO_ALPHA3:
        return KOSOVO
    if len(text) in (2, 3) and text.isascii() and text.isalpha():
        code = text.upper()
        found = (
            pycountry.countries.get(alpha_2=code) if len(code) == 2 else pycountry.countries.get(alpha_3=code)
        )
        if found is not None:
            return str(found.alpha_2)
    return _country_names().get(normalise(text))


@lru_cache(maxsize=4096)
def country_in_place(place: str) -> str | None:
    """The alpha-2 code of the country a place name ends with, or None.

    The part after the last comma is tried first (USGS's usual form); without a comma, the last one to
    ``_MAX_PLACE_WORDS`` words (``south of the Fiji Islands`` has none).
    """
    index = _place_names()
    _, comma, tail = place.rpartition(",")
    if comma:
        found = index.get(normalise(tail))
        if found is not None:
            return found
    words = normalise(place if not comma else tail).split()
    for size in range(min(_MAX_PLACE_WORDS, len(words)), 0, -1):
        found = index.get(" ".join(words[-size:]))
        if found is not None and (size > 1 or len(words[-1]) > 2):
            return found
    return None
