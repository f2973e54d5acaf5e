"""Superset configuration for the PokeWatch dashboard (SUPERSET_CONFIG_PATH points here).

Superset's own metadata (users, charts, dashboards) is SQLite in POKEWATCH_SUPERSET_HOME; the warehouse is a
database connection of its own, made as the read-only `pokewatch_reader` (bi/superset/load.py). No example
data, no telemetry, no page asset from outside this server; served on loopback (serve.sh: 127.0.0.1:8088).
"""

import os
from pathlib import Path

_home = Path(os.environ.get("POKEWATCH_SUPERSET_HOME", Path.home() / ".cache/pokewatch/superset-home"))
_home.mkdir(parents=True, exist_ok=True)

# Required: Superset refuses to start with its default key. Any long random string; keep it to reuse the home
# (it encrypts the stored database password).
SECRET_KEY = os.environ["SUPERSET_SECRET_KEY"]
SQLALCHEMY_DATABASE_URI = f"sqlite:///{_home / 'superset.db'}?check_same_thread=false"
DATA_DIR = str(_home)

# Nothing leaves the machine: the page may load from this server only. The default policy also allows the
# menu's telemetry pixel (Scarf, built into the frontend), Google Fonts, Mapbox and map tile servers.
TALISMAN_ENABLED = True
TALISMAN_CONFIG = {
    "content_security_policy": {
        "base-uri": ["'self'"],
        "default-src": ["'self'"],
        "img-src": ["'self'", "blob:", "data:"],
        "worker-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],
        "object-src": "'none'",
        "style-src": ["'self'", "'unsafe-inline'"],
        "font-src": ["'self'", "data:"],
        "script-src": ["'self'", "'strict-dynamic'"],
    },
    "content_security_policy_nonce_in": ["script-src"],
    "force_https": False,
    "session_cookie_secure": False,
}
THEME_FONT_URL_ALLOWED_DOMAINS: list[str] = []

# One user on loopback: no rate limiter storage to configure, no caches to share.
RATELIMIT_ENABLED = False
RATELIMIT_STORAGE_URI = "memory://"
CACHE_CONFIG = {"CACHE_TYPE": "NullCache"}
DATA_CACHE_CONFIG = {"CACHE_TYPE": "NullCache"}
FEATURE_FLAGS = {"ALERT_REPORTS": False, "THUMBNAILS": False}
# A dashboard of a few small views: a row cap well above what they hold, and a stop for a runaway query.
ROW_LIMIT = 10_000
SQLLAB_TIMEOUT = 60
SUPERSET_WEBSERVER_TIMEOUT = 120
