"""API tokens: expiry, scope (read-only), last use, revocation reason

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 16:10:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
