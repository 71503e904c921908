"""drop the observation index on batch_id alone: the unique constraint on (batch_id, indicator,
area, period, breakdown) begins with batch_id and serves the same lookups (a batch's rows, its
roll-back, the cascade from import_batch), while each index costs every imported row a write
(about a fifth of a large import's time on SQLite)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_observation_batch_id", table_name="observation")


def downgrade() -> None:
    op.create_index("ix_observation_batch_id", "observation", ["batch_id"], unique=False)
