"""Export every user to CSV: ``python scripts/export_users.py [--output users.csv]``.

A standalone script: it builds the app, pushes an app context for its session, and streams the
rows so memory stays flat however many users there are.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path
from typing import TextIO

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select

from {{ cookiecutter.project_slug }} import create_app, db
from {{ cookiecutter.project_slug }}.context import app_context
from {{ cookiecutter.project_slug }}.users.models import User
from {{ cookiecutter.project_slug }}.users.schemas import user_json

FIELDS = ["id", "email", "name", "created_at"]


def export_users(out: TextIO, batch_size: int = 1000) -> int:
    """Write every user as a CSV row, in id order; return how many were written."""
    writer = csv.DictWriter(out, fieldnames=FIELDS)
    writer.writeheader()
    statement = select(User.id, User.email, User.name, User.created_at).order_by(User.id)
    count = 0
    result = db.session.execute(statement.execution_options(yield_per=batch_size))
    for row in result:
        writer.writerow(user_json(row))
        count += 1
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Export every user to CSV.")
    parser.add_argument("--output", type=Path, help="file to write (default: standard output)")
    args = parser.parse_args(argv)
    with app_context(create_app):
        if args.output is None:
            count = export_users(sys.stdout)
        else:
            with args.output.open("w", newline="", encoding="utf-8") as out:
                count = export_users(out)
    print(f"Exported {count} users.", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
