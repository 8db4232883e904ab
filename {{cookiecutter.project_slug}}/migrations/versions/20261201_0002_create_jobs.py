"""Create the jobs table.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 00:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


# A bind added after this revision was written has no functions here: nothing to do for it.
def upgrade(engine_name: str) -> None:
    globals().get(f"upgrade_{engine_name}", lambda: None)()


def downgrade(engine_name: str) -> None:
    globals().get(f"downgrade_{engine_name}", lambda: None)()


def key(length: int) -> sa.String:
    # Compared byte for byte on MySQL/MariaDB too, not by their accent-blind default.
    return sa.String(length=length).with_variant(
        sa.String(length=length, collation="utf8mb4_bin"), "mysql", "mariadb"
    )


def upgrade_default() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", key(100), nullable=False),
        sa.Column("state", key(16), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
        sqlite_autoincrement=True,  # no id handed out twice (see the model)
    )
    op.create_index("ix_jobs_state_queued_at", "jobs", ["state", "queued_at"])


def downgrade_default() -> None:
    op.drop_index("ix_jobs_state_queued_at", table_name="jobs")
    op.drop_table("jobs")
