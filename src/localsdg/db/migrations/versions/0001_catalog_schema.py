"""catalog schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23 09:14:30.088889
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "catalog_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_state")),
    )
    op.create_table(
        "goal",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("short_nb", sa.Text(), nullable=True),
        sa.Column("short_en", sa.Text(), nullable=True),
        sa.Column("title_nb", sa.Text(), nullable=True),
        sa.Column("title_en", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goal")),
    )
    op.create_table(
        "import_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("checksum", sa.String(length=64), nullable=True),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_batch")),
    )
    op.create_table(
        "indicator_set",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("name_nb", sa.Text(), nullable=True),
        sa.Column("name_en", sa.Text(), nullable=True),
        sa.Column("publisher", sa.Text(), nullable=True),
        sa.Column("version", sa.String(length=100), nullable=True),
        sa.Column("level", sa.String(length=20), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_set")),
    )
    op.create_table(
        "indicator",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("set_id", sa.String(length=200), nullable=False),
        sa.Column("code", sa.String(length=200), nullable=False),
        sa.Column("uri", sa.Text(), nullable=True),
        sa.Column("name_nb", sa.Text(), nullable=True),
        sa.Column("name_en", sa.Text(), nullable=True),
        sa.Column("description_nb", sa.Text(), nullable=True),
        sa.Column("description_en", sa.Text(), nullable=True),
        sa.Column("unit", sa.Text(), nullable=True),
        sa.Column("direction", sa.String(length=20), nullable=True),
        sa.Column("data_owner", sa.Text(), nullable=True),
        sa.Column("source_url", sa.Text(), nullable=True),
        sa.Column("source_note", sa.Text(), nullable=True),
        sa.Column("notation", sa.Text(), nullable=True),
        sa.Column("periodicity", sa.String(length=20), nullable=True),
        sa.Column("geography_level", sa.String(length=20), nullable=True),
        sa.Column("quality_class", sa.String(length=2), nullable=True),
        sa.Column("ess_relevance", sa.Boolean(), nullable=True),
        sa.Column("ess_accuracy", sa.Boolean(), nullable=True),
        sa.Column("ess_timeliness", sa.Boolean(), nullable=True),
        sa.Column("ess_coherence", sa.Boolean(), nullable=True),
        sa.Column("ess_accessibility", sa.Boolean(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["set_id"],
            ["indicator_set.id"],
            name=op.f("fk_indicator_set_id_indicator_set"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator")),
        sa.UniqueConstraint("set_id", "code", name="uq_indicator_set_code"),
    )
    op.create_table(
        "target",
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title_nb", sa.Text(), nullable=True),
        sa.Column("title_en", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["goal_id"], ["goal.id"], name=op.f("fk_target_goal_id_goal")),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_target")),
    )
    with op.batch_alter_table("target", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_target_goal_id"), ["goal_id"], unique=False)

    op.create_table(
        "indicator_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("property", sa.String(length=40), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.Column("changed_by", sa.Text(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["import_batch.id"],
            name=op.f("fk_indicator_change_batch_id_import_batch"),
        ),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["indicator.id"],
            name=op.f("fk_indicator_change_indicator_id_indicator"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_change")),
    )
    with op.batch_alter_table("indicator_change", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_indicator_change_indicator_id"), ["indicator_id"], unique=False
        )

    op.create_table(
        "indicator_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("from_id", sa.Integer(), nullable=False),
        sa.Column("to_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("proposed_by", sa.Text(), nullable=False),
        sa.Column("confirmed", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["from_id"],
            ["indicator.id"],
            name=op.f("fk_indicator_link_from_id_indicator"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["to_id"],
            ["indicator.id"],
            name=op.f("fk_indicator_link_to_id_indicator"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_link")),
        sa.UniqueConstraint("from_id", "to_id", "kind", name="uq_indicator_link"),
    )
    with op.batch_alter_table("indicator_link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_indicator_link_from_id"), ["from_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_indicator_link_to_id"), ["to_id"], unique=False)

    op.create_table(
        "indicator_value",
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("property", sa.String(length=40), nullable=False),
        sa.Column("value", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["indicator.id"],
            name=op.f("fk_indicator_value_indicator_id_indicator"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "indicator_id", "property", "value", name=op.f("pk_indicator_value")
        ),
    )
    with op.batch_alter_table("indicator_value", schema=None) as batch_op:
        batch_op.create_index(
            "ix_indicator_value_property_value", ["property", "value"], unique=False
        )

    op.bulk_insert(
        sa.table("catalog_state", sa.column("id"), sa.column("version")), [{"id": 1, "version": 0}]
    )


def downgrade() -> None:
    with op.batch_alter_table("indicator_value", schema=None) as batch_op:
        batch_op.drop_index("ix_indicator_value_property_value")

    op.drop_table("indicator_value")
    with op.batch_alter_table("indicator_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_indicator_link_to_id"))
        batch_op.drop_index(batch_op.f("ix_indicator_link_from_id"))

    op.drop_table("indicator_link")
    with op.batch_alter_table("indicator_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_indicator_change_indicator_id"))

    op.drop_table("indicator_change")
    with op.batch_alter_table("target", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_target_goal_id"))

    op.drop_table("target")
    op.drop_table("indicator")
    op.drop_table("indicator_set")
    op.drop_table("import_batch")
    op.drop_table("goal")
    op.drop_table("catalog_state")
