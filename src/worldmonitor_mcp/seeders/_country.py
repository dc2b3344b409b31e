"""Country names and codes as feeds write them -> ISO 3166-1 alpha-2, through pycountry.

Feeds name countries every which way: ISO alpha-3 (GDACS ``iso3``, ReliefWeb GLIDE numbers), English
names in several spellings (State Department titles, OFAC remarks, GDACS ``country``), FIPS 10-4 codes
(the State Department's ``Country-Tag``: ``SG`` is Senegal there, Singapore in ISO). pycountry keeps the
ISO 3166 tables up to date; this module adds an accent- and punctuation-insensitive name index over
them, plus the few everyday names ISO does not use (``Burma``, ``Russia``, ``Turkey``, ``Kosovo``).

Kosovo has no ISO 3166-1 code; ``XK`` is the user-assigned code the European Commission, the IMF and the
State Department use for it, so it is returned for Kosovo rather than nothing.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import pycountry

KOSOVO = "XK"
KOSOVO_ALPHA3 = frozenset({"XKX", "XKO", "KOS"})
"""Kosovo has no ISO 3166 code; these are the user-assigned three-letter codes feeds use for it."""

_ALIASES: dict[str, str] = {
    "burma": "MM",
    "burma myanmar": "MM",
    "myanmar burma": "MM",
    "russia": "RU",
    "turkey": "TR",
    "brunei": "BN",
    "cape verde": "CV",
    "swaziland": "SZ",
    "macedonia": "MK",
    "east timor": "TL",
    "ivory coast": "CI",
    "holy see": "VA",
    "vatican": "VA",
    "vatican city": "VA",
    "micronesia": "FM",
    "palestine": "PS",
    "palestinian territories": "PS",
    "west bank": "PS",
    "gaza": "PS",
    "gaza strip": "PS",
    "macau": "MO",
    "the bahamas": "BS",
    "bahamas the": "BS",
    "the gambia": "GM",
    "gambia the": "GM",
    "democratic republic of the congo": "CD",
    "democratic republic of congo": "CD",
    "congo kinshasa": "CD",
    "drc": "CD",
    "republic of the congo": "CG",
    "republic of congo": "CG",
    "congo brazzaville": "CG",
    "usa": "US",
    "us": "US",
    "united states of america": "US",
    "uk": "GB",
    "great britain": "GB",
    "britain": "GB",
    "south korea": "KR",
    "north korea": "KP",
    "kosovo": KOSOVO,
    "st kitts and nevis": "KN",
    "st lucia": "LC",
    "st vincent and the grenadines": "VC",
    "sao tome": "ST",
}

_PUNCTUATION = re.compile(r"[^a-z0-9]+")


def normalise_name(name: str) -> str:
    """``Côte d'Ivoire`` -> ``cote d ivoire``: accents, case, punctuation and ``&`` folded away."""
    decomposed = unicodedata.normalize("NFKD", name)
    ascii_only = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _PUNCTUATION.sub(" ", ascii_only.lower().replace("&", " and ")).strip()


@cache
def _name_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for country in pycountry.countries:
        for attribute in ("name", "official_name", "common_name"):
            value = getattr(country, attribute, None)
            if isinstance(value, str):
                index.setdefault(normalise_name(value), country.alpha_2)
    for alias, code in _ALIASES.items():
        index[alias] = code
    return index


def alpha2_from_name(name: str) -> str | None:
    """The alpha-2 code of an English country name, or None when it names no country we know.

    Tries the whole name, then the name without a parenthesised part (``Burma (Myanmar)``), then the
    parenthesised part alone.
    """
    index = _name_index()
    key = normalise_name(name)
    if not key:
        return None
    if key in index:
        return index[key]
    outside = normalise_name(re.sub(r"\([^)]*\)", " ", name))
    if outside in index:
        return index[outside]
    for inside in re.findall(r"\(([^)]*)\)", name):
        inner = normalise_name(inside)
        if inner in index:
            return index[inner]
    return None


def alpha2_from_alpha3(code: str) -> str | None:
    """``TCD`` -> ``TD``; None for anything that is not an assigned alpha-3 code (``XKX`` is Kosovo)."""
    text = code.strip().upper()
    if len(text) != 3 or not text.isascii() or not text.isalpha():
        return None
    if text in KOSOVO_ALPHA3:
        return KOSOVO
    country = pycountry.countries.get(alpha_3=text)
    return None if country is None else str(country.alpha_2)


def country_name(alpha2: str) -> str | None:
    """The short English name of an alpha-2 code (``common_name`` where ISO has one: ``Iran``)."""
    if alpha2 == KOSOVO:
        return "Kosovo"
    country = pycountry.countries.get(alpha_2=alpha2)
    if country is None:
        return None
    common = getattr(country, "common_name", None)
    return str(common) if isinstance(common, str) else str(country.name)
