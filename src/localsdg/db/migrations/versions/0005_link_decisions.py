"""curators' decisions on indicator links (confirmed or rejected)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "link_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("from_id", sa.Integer(), nullable=False),
        sa.Column("to_id", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=10), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.Text(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["from_id"], ["indicator.id"],
                                name=op.f("fk_link_decision_from_id_indicator"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["to_id"], ["indicator.id"],
                                name=op.f("fk_link_decision_to_id_indicator"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link_decision")),
        sa.UniqueConstraint("from_id", "to_id", name="uq_link_decision"),
    )
    op.create_index(op.f("ix_link_decision_from_id"), "link_decision", ["from_id"],
                    unique=False)
    op.create_index(op.f("ix_link_decision_to_id"), "link_decision", ["to_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_link_decision_to_id"), table_name="link_decision")
    op.drop_index(op.f("ix_link_decision_from_id"), table_name="link_decision")
    op.drop_table("link_decision")
