"""API tokens: expiry, scope (read-only), last use, revocation reason

Every token gets an expiry (``expires_at``, NOT NULL). The tokens that exist when this runs are given
90 days from the upgrade (the default of ``TRACKER_API_TOKEN_DAYS``), so integrations keep working while
they are re-issued; they keep the scope ``write`` they always had. Tokens already revoked get the
reason ``revoked``.

The downgrade drops the columns; since the old schema knows neither expiry nor scope, it first revokes
every expired token (it would work again) and every read-only one (it would be allowed to write).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 16:10:00

"""
from datetime import datetime
from datetime import timedelta
from datetime import timezone

from alembic import op
import sqlalchemy as sa

from tracker.models.base import UTCDateTime


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

DEFAULT_DAYS = 90
TOKENS = sa.table('api_tokens', sa.column('id', sa.Integer()), sa.column('revoked_at', UTCDateTime()),
                  sa.column('revoked_reason', sa.String()), sa.column('expires_at', UTCDateTime()),
                  sa.column('scope', sa.String()))


def _now():
    return datetime.now(timezone.utc)


def upgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name', sa.String(length=100), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('scope', sa.String(length=8), nullable=False, server_default='write'))
        batch_op.add_column(sa.Column('expires_at', UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('last_used_at', UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('revoked_reason', sa.String(length=16), nullable=True))
    op.execute(TOKENS.update().values(expires_at=_now() + timedelta(days=DEFAULT_DAYS)))
    op.execute(TOKENS.update().where(TOKENS.c.revoked_at.is_not(None)).values(revoked_reason='revoked'))
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.alter_column('name', server_default=None)
        batch_op.alter_column('scope', server_default=None)
        batch_op.alter_column('expires_at', existing_type=UTCDateTime(timezone=True), nullable=False)
        batch_op.create_check_constraint(batch_op.f('ck_api_tokens_scope'), "scope IN ('read', 'write')")
        batch_op.create_check_constraint(
            batch_op.f('ck_api_tokens_revoked_reason'),
            "revoked_reason IS NULL OR revoked_reason IN ('revoked', 'password_reset', 'password_change', "
            "'deactivated')")


def downgrade():
    now = _now()
    op.execute(TOKENS.update().where(TOKENS.c.revoked_at.is_(None),
                                     sa.or_(TOKENS.c.expires_at <= now, TOKENS.c.scope != 'write'))
               .values(revoked_at=now))
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_api_tokens_revoked_reason'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_api_tokens_scope'), type_='check')
        batch_op.drop_column('revoked_reason')
        batch_op.drop_column('last_used_at')
        batch_op.drop_column('expires_at')
        batch_op.drop_column('scope')
        batch_op.drop_column('name')
