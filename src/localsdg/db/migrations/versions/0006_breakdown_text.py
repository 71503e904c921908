"""breakdown texts may hold any character: '%' in stored breakdowns written as %25

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05

Before, a breakdown's name or value could not hold ';' or '=' and '%' was kept as it was. Now
'%', ';' and '=' are written %25, %3B and %3D in observation.dims; the stored '%' signs become
%25 so that they read back unchanged. (';' and '=' were refused before, so none is stored.)
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("UPDATE observation SET dims = replace(dims, '%', '%25') WHERE dims LIKE '%!%%' "
               "ESCAPE '!'")


def downgrade() -> None:
    op.execute("UPDATE observation SET dims = replace(dims, '%25', '%') WHERE dims LIKE "
               "'%!%25%' ESCAPE '!'")
