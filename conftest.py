"""Root conftest: doctest collection of src/ skips modules whose optional extra is absent."""

import importlib.util

collect_ignore_glob = []
if importlib.util.find_spec("starlette") is None:  # the [serve] extra
    collect_ignore_glob.append("src/headshot_lint/serve/*")
