"""installation-level role for installation-wide legal data

``users.role`` may also be ``sysadmin``: the installation administrator, who alone changes the deadline
rules, the calendar, the rule values and applies legal updates, and sees no unit's data. No existing
account becomes one (grant it with ``flask users add NAME --role sysadmin --unit CODE``).

The downgrade cannot keep the role: its accounts become ``admin`` accounts, *deactivated* (an admin
sees its unit's citizens, which a sysadmin never did), their sessions ended and their API tokens revoked.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 16:10:00

"""
import secrets
from datetime import datetime
from datetime import timezone

from alembic import op
import sqlalchemy as sa

from tracker.models.base import UTCDateTime


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

OLD_ROLES = "('admin', 'chair', 'vice_chair', 'receptionist', 'handler', 'inspector')"
NEW_ROLES = "('admin', 'chair', 'vice_chair', 'receptionist', 'handler', 'inspector', 'sysadmin')"
USERS = sa.table('users', sa.column('id', sa.Integer()), sa.column('role', sa.String()),
                 sa.column('active', sa.Boolean()), sa.column('session_token', sa.String()))
TOKENS = sa.table('api_tokens', sa.column('user_id', sa.Integer()), sa.column('revoked_at', UTCDateTime()),
                  sa.column('revoked_reason', sa.String()))


def _role_check(roles):
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_users_role'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_users_role'), f'role IN {roles}')


def upgrade():
    _role_check(NEW_ROLES)


def downgrade():
    bind = op.get_bind()
    ids = [r[0] for r in bind.execute(sa.select(USERS.c.id).where(USERS.c.role == 'sysadmin'))]
    if ids:
        now = datetime.now(timezone.utc)
        op.execute(TOKENS.update().where(TOKENS.c.user_id.in_(ids), TOKENS.c.revoked_at.is_(None))
                   .values(revoked_at=now, revoked_reason='deactivated'))
        for user_id in ids:
            op.execute(USERS.update().where(USERS.c.id == user_id)
                       .values(role='admin', active=False, session_token=secrets.token_hex(16)))
    _role_check(OLD_ROLES)
