"""plans and their change history

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area_level", sa.String(length=20), nullable=False),
        sa.Column("area_code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan")),
        sa.UniqueConstraint("area_code", "name", name=op.f("uq_plan_area_code")),
    )
    op.create_index(op.f("ix_plan_area_code"), "plan", ["area_code"], unique=False)
    op.create_table(
        "plan_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("part", sa.Text(), nullable=False),
        sa.Column("old_value", sa.JSON(), nullable=True),
        sa.Column("new_value", sa.JSON(), nullable=True),
        sa.Column("changed_by", sa.Text(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"],
                                name=op.f("fk_plan_change_plan_id_plan"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_change")),
    )
    op.create_index(op.f("ix_plan_change_plan_id"), "plan_change", ["plan_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_plan_change_plan_id"), table_name="plan_change")
    op.drop_table("plan_change")
    op.drop_index(op.f("ix_plan_area_code"), table_name="plan")
    op.drop_table("plan")
