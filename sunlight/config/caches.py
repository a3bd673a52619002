"""The cache configuration from SUNLIGHT_CACHE_URL (see docs/configuration.md).

Two caches:
  * `default`, shared by every worker: the public pages' generation (bumped when something is
    published) lives here, so a publication handled by one worker is seen by all at once. The
    embedded install uses a table in its own database (no extra service); `redis://` uses a
    Redis server if the deployment has one (then the `redis` package must be installed);
    `locmem` keeps it in each process — only right with SUNLIGHT_WORKERS=1.
  * `pages`, the rendered public pages, in each worker's memory, keyed by that generation: a
    hit costs no database read beyond the generation's, and a stale page is never found because
    its key names an old generation.
"""

from django.core.exceptions import ImproperlyConfigured

CACHE_TABLE = "sunlight_cache"
PAGES_ALIAS = "pages"


def caches_from(url: str) -> dict[str, dict]:
    url = (url or "").strip()
    if url in ("", "db", "database"):
        default = {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": CACHE_TABLE,
            "OPTIONS": {"MAX_ENTRIES": 10_000},
        }
    elif url in ("locmem", "locmem://"):
        default = {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "sunlight-default",
        }
    elif url.startswith(("redis://", "rediss://", "unix://")):
        default = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    else:
        raise ImproperlyConfigured(
            f"环境变量 SUNLIGHT_CACHE_URL 无法识别：“{url}”（可用：空（数据库缓存表）、"
            "locmem（仅单进程）、redis://主机:端口/库号）"
        )
    return {
        "default": default,
        PAGES_ALIAS: {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "sunlight-public-pages",
            # A few hundred power pages and the busiest searches; culled beyond that.
            "OPTIONS": {"MAX_ENTRIES": 2000},
        },
    }
