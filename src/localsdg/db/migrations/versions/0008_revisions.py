"""a revision per indicator and per plan, counted up by every change and recorded with it, so
that an edit made on an older revision is caught (optimistic concurrency)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

RECORDS = ("indicator", "plan")


def upgrade() -> None:
    # plain ALTER TABLE: SQLite's batch mode would copy the tables, and dropping the old copy
    # would delete the rows that refer to them (ON DELETE CASCADE)
    for table in RECORDS:
        op.add_column(table, sa.Column("revision", sa.Integer(), nullable=False,
                                       server_default="1"))
        # null: a change recorded before revisions were counted
        op.add_column(f"{table}_change", sa.Column("revision", sa.Integer(), nullable=True))


def downgrade() -> None:
    for table in RECORDS:
        op.drop_column(f"{table}_change", "revision")  # SQLite 3.35 or newer drops in place
        op.drop_column(table, "revision")
