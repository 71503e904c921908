"""areas and observations

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "area",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("short_name", sa.Text(), nullable=True),
        sa.Column("name_en", sa.Text(), nullable=True),
        sa.Column("parent_code", sa.String(length=20), nullable=True),
        sa.Column("valid_from", sa.Integer(), nullable=True),
        sa.Column("valid_to", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_area")),
        sa.UniqueConstraint("level", "code", "valid_from", name=op.f("uq_area_level")),
    )
    with op.batch_alter_table("area", schema=None) as batch_op:
        batch_op.create_index("ix_area_level_code", ["level", "code"], unique=False)

    op.create_table(
        "area_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("from_id", sa.Integer(), nullable=False),
        sa.Column("to_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("weight", sa.Float(), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["from_id"], ["area.id"], name=op.f("fk_area_change_from_id_area"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["to_id"], ["area.id"], name=op.f("fk_area_change_to_id_area"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_area_change")),
        sa.UniqueConstraint("from_id", "to_id", name=op.f("uq_area_change_from_id")),
    )
    with op.batch_alter_table("area_change", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_area_change_from_id"), ["from_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_area_change_to_id"), ["to_id"], unique=False)

    op.create_table(
        "observation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("area_level", sa.String(length=20), nullable=False),
        sa.Column("area_code", sa.String(length=20), nullable=False),
        sa.Column("period", sa.String(length=40), nullable=False),
        sa.Column("start_year", sa.Integer(), nullable=False),
        sa.Column("end_year", sa.Integer(), nullable=False),
        sa.Column("dims", sa.Text(), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("unit", sa.Text(), nullable=True),
        sa.Column("measure", sa.String(length=10), nullable=True),
        sa.Column("borders", sa.Integer(), nullable=True),
        sa.Column("flags", sa.String(length=100), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["import_batch.id"],
            name=op.f("fk_observation_batch_id_import_batch"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["indicator.id"],
            name=op.f("fk_observation_indicator_id_indicator"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_observation")),
        sa.UniqueConstraint(
            "batch_id",
            "indicator_id",
            "area_level",
            "area_code",
            "period",
            "dims",
            name=op.f("uq_observation_batch_id"),
        ),
    )
    with op.batch_alter_table("observation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_observation_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(
            "ix_observation_series", ["indicator_id", "area_code", "end_year"], unique=False
        )

    with op.batch_alter_table("import_batch", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rolled_back_at", sa.DateTime(timezone=True), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table("import_batch", schema=None) as batch_op:
        batch_op.drop_column("rolled_back_at")

    with op.batch_alter_table("observation", schema=None) as batch_op:
        batch_op.drop_index("ix_observation_series")
        batch_op.drop_index(batch_op.f("ix_observation_batch_id"))

    op.drop_table("observation")
    with op.batch_alter_table("area_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_area_change_to_id"))
        batch_op.drop_index(batch_op.f("ix_area_change_from_id"))

    op.drop_table("area_change")
    with op.batch_alter_table("area", schema=None) as batch_op:
        batch_op.drop_index("ix_area_level_code")

    op.drop_table("area")
