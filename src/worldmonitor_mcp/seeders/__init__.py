"""Seeders: turn public upstream feeds into WorldMonitor cache keys plus their ``seed-meta``.

Each feed lives in its own module (``usgs``, ``cisa_kev``, ``ecb``, ``eonet``, ...) and defines a ``Feed``;
this package registers them in ``FEEDS`` through ``register``, the door any new feed uses, and everything
else walks the registry. Today the data comes from files: the bundled snapshot (``load_snapshot``) or a
directory (``seed_from_dir``). This is the public surface; the modules behind it are internal.
"""

from . import (
    cisa_kev,
    coingecko,
    ecb,
    eonet,
    faa,
    feodo,
    firms,
    fred,
    gdacs_geojson,
    gdacs_rss,
    gdelt,
    kalshi,
    natural_events,
    news,
    news_rss,
    nws_alerts,
    ofac_sdn,
    open_meteo,
    polymarket,
    prediction_markets,
    reddit,
    reliefweb,
    travel_advisories,
    usgs,
)
from .base import (
    FEEDS,
    EmptyResultError,
    Feed,
    FeedFormatError,
    ParsedFeed,
    SeedError,
    UnsafeXmlError,
    register,
)
from .composite import COMPOSITES, Composite, register_composite
from .snapshot import (
    SeedReport,
    describe_file_names,
    load_snapshot,
    load_snapshot_if_empty,
    seed_from_dir,
    seed_from_file,
)
from .writer import write_feed

BUILTIN_FEEDS = (
    register(usgs.FEED),
    register(cisa_kev.FEED),
    register(ecb.FEED),
    register(gdacs_rss.FEED),
    register(gdacs_geojson.FEED),
    register(eonet.FEED),
    register(reliefweb.FEED),
    register(firms.FEED),
    register(feodo.FEED),
    register(polymarket.MARKETS_FEED),
    register(polymarket.EVENTS_FEED),
    register(kalshi.FEED),
    register(nws_alerts.FEED),
    *(register(feed) for feed in news_rss.FEEDS),
    register(travel_advisories.FEED),
    register(coingecko.FEED),
    register(faa.FEED),
    register(fred.FEED),
    register(gdelt.FEED),
    register(reddit.FEED),
    register(ofac_sdn.FEED),
    register(open_meteo.FEED),
)
"""Registered in this order, which is also the order of every report."""

BUILTIN_COMPOSITES = (
    register_composite(natural_events.COMPOSITE),
    register_composite(prediction_markets.COMPOSITE),
    register_composite(news.COMPOSITE),
)
"""Keys merged from several of the feeds above (see ``composite``)."""

__all__ = [
    "BUILTIN_COMPOSITES",
    "BUILTIN_FEEDS",
    "COMPOSITES",
    "FEEDS",
    "Composite",
    "EmptyResultError",
    "Feed",
    "FeedFormatError",
    "ParsedFeed",
    "SeedError",
    "SeedReport",
    "UnsafeXmlError",
    "describe_file_names",
    "load_snapshot",
    "load_snapshot_if_empty",
    "register",
    "register_composite",
    "seed_from_dir",
    "seed_from_file",
    "write_feed",
]
