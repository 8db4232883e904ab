"""Measured inside a baked project's virtualenv: ``seed`` against one ORM object per row.

    python seed.py <package> <database url> <rows>

Prints one JSON object: the seconds each way takes to insert ``rows`` users into an empty
table, in batches of the command's size, one transaction per batch (the faster of two
interleaved rounds). ``seed`` runs as the
command does (``seed_command``'s function, progress bar included); the baseline adds one
``User`` object per row to the session and commits each batch.
"""

from __future__ import annotations

import importlib
import json
import secrets
import sys
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import text

ROUNDS = 2


def one_object_per_row(package: str, rows: int) -> Callable[[], None]:
    cli = importlib.import_module(f"{package}.cli")
    models = importlib.import_module(f"{package}.users.models")
    sample = importlib.import_module(f"{package}.users.sample")
    db = importlib.import_module(package).db

    def insert() -> None:
        for number, row in enumerate(sample.sample_users(rows), 1):
            db.session.add(models.User(**row))
            if number % cli.SEED_BATCH_SIZE == 0:
                db.session.commit()
        db.session.commit()

    return insert


def main(package: str, url: str, rows: int) -> dict[str, Any]:
    app_module = importlib.import_module(package)
    config = importlib.import_module(f"{package}.config").config_for(production_settings(url))
    cli = importlib.import_module(f"{package}.cli")
    app = app_module.create_app(config)
    db = app_module.db
    ways = {
        "seed": lambda: cli.seed(rows),
        "one ORM object per row": one_object_per_row(package, rows),
    }
    seconds: dict[str, float] = {}
    with app.app_context():
        db.create_all()
        for _ in range(ROUNDS):  # interleaved; the fastest round of each is the least disturbed
            for name, way in ways.items():
                db.session.execute(text("DELETE FROM users"))
                db.session.commit()
                started = time.perf_counter()
                way()
                took = time.perf_counter() - started
                seconds[name] = min(took, seconds.get(name, took))
                count = db.session.scalar(text("SELECT count(*) FROM users"))
                if count != rows:
                    raise SystemExit(f"{name} left {count} rows, not {rows}")
                db.session.rollback()
        db.drop_all()
    return {"rows": rows, "seconds": seconds}


def production_settings(url: str) -> dict[str, str]:
    return {"APP_ENV": "production", "SECRET_KEY": secrets.token_hex(32), "DATABASE_URL": url,
            "ALLOW_SQLITE_IN_PRODUCTION": "1", "LOG_LEVEL": "ERROR",
            "SLOW_QUERY_MS": "100000"}  # fmt: skip


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2], int(sys.argv[3]))))
