"""A second database, added as the baked README says: model, migration, request, isolation."""

from __future__ import annotations

import contextlib
import textwrap
from pathlib import Path

import pytest

from .baking import bake, make_venv, run, run_suite
from .servers import fresh_database

pytestmark = pytest.mark.slow

FEATURE = {
    "__init__.py": '''
        """Page views, kept in the analytics database."""

        from .views import bp

        __all__ = ["bp"]
    ''',
    "models.py": '''
        """A model that lives in the ``analytics`` bind."""

        from __future__ import annotations

        from sqlalchemy import String
        from sqlalchemy.orm import Mapped, mapped_column

        from ..database import Model


        class PageView(Model):
            __bind_key__ = "analytics"
            __tablename__ = "page_views"

            id: Mapped[int] = mapped_column(primary_key=True)
            path: Mapped[str] = mapped_column(String(200))
    ''',
    "views.py": '''
        """Record a page view and a user in one request: two databases, one transaction each."""

        from __future__ import annotations

        from flask import Blueprint, request
        from sqlalchemy import func, select
        from typing_extensions import TypedDict

        from ..database import db
        from ..openapi import documented
        from ..transactions import transaction
        from ..users.models import User
        from .models import PageView

        bp = Blueprint("analytics", __name__, url_prefix="/api/page-views")


        class CountJSON(TypedDict):
            page_views: int


        @bp.post("")
        @documented({201: CountJSON})
        def record() -> tuple[CountJSON, int]:
            """Record a page view and its visitor."""
            body = request.get_json()
            with transaction():
                db.session.add(PageView(path=body["path"]))
                db.session.add(User(email=body["email"], name="Visitor"))
            return {"page_views": count()}, 201


        @bp.get("")
        @documented({200: CountJSON})
        def count_views() -> CountJSON:
            """How many page views there are."""
            return {"page_views": count()}


        def count() -> int:
            return db.session.scalar(select(func.count()).select_from(PageView)) or 0
    ''',
}
TESTS = '''
    """The analytics bind: requests write to it, and every test starts with it empty."""

    from typing import Any

    from sqlalchemy import func, select

    from {slug}.analytics.models import PageView
    from {slug}.users.models import User


    def test_a_request_writes_to_both_databases(client: Any, db: Any) -> None:
        response = client.post("/api/page-views", json={{"path": "/", "email": "v@x.io"}})
        assert response.status_code == 201
        assert response.json == {{"page_views": 1}}
        assert db.session.scalar(select(func.count()).select_from(User)) == 1


    class TestIsolation:
        def test_first_writes(self, client: Any, db: Any) -> None:
            client.post("/api/page-views", json={{"path": "/a", "email": "a@x.io"}})
            assert db.session.scalar(select(func.count()).select_from(PageView)) == 1

        def test_second_finds_it_empty(self, client: Any, db: Any) -> None:
            assert db.session.scalar(select(func.count()).select_from(PageView)) == 0
            assert client.get("/api/page-views").json == {{"page_views": 0}}
'''


# The baked tests a second database touches: the new feature's, the fixtures that empty and
# check every database, migrations, the openapi document (a new route) and the users API.
BIND_TESTS = (
    "tests/analytics",
    "tests/openapi",
    "tests/users",
    "tests/test_fixtures.py",
    "tests/test_guards.py",
    "tests/test_migrations.py",
    "tests/test_diagnostics.py",
    "tests/test_request_commit.py",
)


def add_analytics_feature(project: Path) -> None:
    """Step 2 of the README: the models in a feature package, its blueprint registered."""
    package = project / project.name / "analytics"
    package.mkdir()
    for name, source in FEATURE.items():
        (package / name).write_text(textwrap.dedent(source).lstrip())
    factory = project / project.name / "factory.py"
    text = factory.read_text()
    text = text.replace(
        "from .users import bp as users_bp\n",
        "from .analytics import bp as analytics_bp\nfrom .users import bp as users_bp\n",
    )
    text = text.replace(
        "    app.register_blueprint(users_bp)\n",
        "    app.register_blueprint(users_bp)\n    app.register_blueprint(analytics_bp)\n",
    )
    assert "analytics_bp)" in text
    factory.write_text(text)
    tests = project / "tests" / "analytics"
    tests.mkdir()
    (tests / "__init__.py").write_text("")
    (tests / "test_views.py").write_text(textwrap.dedent(TESTS).lstrip().format(slug=project.name))


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_a_second_database_end_to_end(tmp_path: Path, database: str) -> None:
    project = bake(tmp_path / "bake", database=database)
    python = make_venv(tmp_path / "venv", project)
    flask = str(python.with_name("flask"))
    add_analytics_feature(project)
    with contextlib.ExitStack() as stack:
        main = stack.enter_context(fresh_database(database, "main"))
        analytics = stack.enter_context(fresh_database(database, "analytics"))
        env = {
            "DATABASE_URL": main or f"sqlite:///{tmp_path / 'main.db'}",
            "DATABASE_URL_ANALYTICS": analytics or f"sqlite:///{tmp_path / 'analytics.db'}",
        }
        assert run([flask, "db", "upgrade"], project, env).returncode == 0
        migrate = run([flask, "db", "migrate", "-m", "add analytics tables"], project, env)
        assert migrate.returncode == 0, migrate.stdout + migrate.stderr
        [revision] = [
            path
            for path in (project / "migrations" / "versions").glob("*.py")
            if "analytics" in path.name
        ]
        source = revision.read_text()
        assert "def upgrade_analytics()" in source
        assert 'op.create_table(\n        "page_views"' in source or "'page_views'" in source
        for command in (["upgrade"], ["check"], ["downgrade", "0001"], ["upgrade"]):
            result = run([flask, "db", *command], project, env)
            assert result.returncode == 0, f"db {command}: {result.stdout}{result.stderr}"
        # A new feature's views are in the API's document once it is written again.
        assert run([flask, "openapi"], project, env).returncode == 0
        status = run([flask, "db-status"], project, env)
        assert "bind: analytics" in status.stdout
        assert status.stdout.count("up_to_date: True") == 2
        run_suite(
            python,
            project,
            {"TEST_DATABASE_URL": main, "TEST_DATABASE_URL_ANALYTICS": analytics},
            "-n",
            "2",
            *BIND_TESTS,
        )
