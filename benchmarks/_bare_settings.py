"""The product's settings with `_bare_urls` as the URLconf: only `bench_request.py`'s server loads it."""

from taizhang.settings import *  # noqa: F403

ROOT_URLCONF = "_bare_urls"
