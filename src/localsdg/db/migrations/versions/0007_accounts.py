"""accounts for server mode: users with roles and areas, API tokens, sign-in sessions and
failed sign-ins (for throttling); who rolled a data batch back

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _user_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["user_id"], ["user_account.id"],
                                   name=op.f(f"fk_{table}_user_id_user_account"),
                                   ondelete="CASCADE")


def upgrade() -> None:
    # plain ALTER TABLE: SQLite's batch mode would copy import_batch, and dropping the old copy
    # would delete its observations (ON DELETE CASCADE)
    op.add_column("import_batch", sa.Column("rolled_back_by", sa.Text(), nullable=True))
    op.create_table(
        "user_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_account")),
        sa.UniqueConstraint("name", name=op.f("uq_user_account_name")),
    )
    op.create_table(
        "user_area",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("area_level", sa.String(length=20), nullable=False),
        sa.Column("area_code", sa.String(length=10), nullable=False),
        _user_fk("user_area"),
        sa.PrimaryKeyConstraint("user_id", "area_level", "area_code",
                                name=op.f("pk_user_area")),
    )
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _user_fk("api_token"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("digest", name=op.f("uq_api_token_digest")),
    )
    op.create_index(op.f("ix_api_token_user_id"), "api_token", ["user_id"], unique=False)
    op.create_table(
        "sign_in_session",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        _user_fk("sign_in_session"),
        sa.PrimaryKeyConstraint("digest", name=op.f("pk_sign_in_session")),
    )
    op.create_index(op.f("ix_sign_in_session_user_id"), "sign_in_session", ["user_id"],
                    unique=False)
    op.create_table(
        "sign_in_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_failure")),
    )
    op.create_index(op.f("ix_sign_in_failure_name"), "sign_in_failure", ["name"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_sign_in_failure_name"), table_name="sign_in_failure")
    op.drop_table("sign_in_failure")
    op.drop_index(op.f("ix_sign_in_session_user_id"), table_name="sign_in_session")
    op.drop_table("sign_in_session")
    op.drop_index(op.f("ix_api_token_user_id"), table_name="api_token")
    op.drop_table("api_token")
    op.drop_table("user_area")
    op.drop_table("user_account")
    op.drop_column("import_batch", "rolled_back_by")  # SQLite 3.35 or newer drops in place
