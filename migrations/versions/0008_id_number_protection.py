"""id number protection: citizens' ID numbers as a keyed hash beside a ciphertext, never in clear

``citizens.id_number`` (clear text) becomes ``id_number_hash`` (HMAC-SHA256 hex under the hash key:
exact matching, the unique index per unit) and ``id_number_enc`` (Fernet under the encryption key).
Existing rows are converted here with the application's keys (tracker/id_protection.py: the
``TRACKER_ID_HASH_KEY`` / ``TRACKER_ID_ENC_KEY`` settings, else the files created once in the
instance folder); the downgrade decrypts them back, so it needs the same keys.

No table is rebuilt: the old index goes first, then the column is dropped with a plain ALTER TABLE
(SQLite 3.35+), so rows of other tables that refer to citizens are never touched. On SQLite the
freed space is zeroed (secure_delete). On PostgreSQL the dropped column's values stay in the table's
rows are rewritten with the clear column emptied first, so live rows hold nothing; the superseded row
versions stay in the table's files (never visible to a query or pg_dump) until ``VACUUM FULL
citizens`` rewrites the table (see README).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 06:45:00

"""
from alembic import op
from flask import current_app
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

CHUNK = 1000


def _keys():
    from tracker.id_protection import EXTENSION
    from tracker.id_protection import load_keys

    return current_app.extensions.get(EXTENSION) or load_keys(current_app)


def _drop_column(name):
    if op.get_bind().dialect.name == 'sqlite':
        op.execute(f'ALTER TABLE citizens DROP COLUMN {name}')
    else:
        op.drop_column('citizens', name)


def _rewrite(source, write):
    """Read ``(id, source)`` of every citizen with a value, in id order, and update each row in chunks."""
    bind = op.get_bind()
    citizens = sa.table('citizens', sa.column('id', sa.Integer()), sa.column(source, sa.String()))
    last = 0
    while True:
        rows = bind.execute(sa.select(citizens.c.id, citizens.c[source])
                            .where(citizens.c.id > last, citizens.c[source].is_not(None))
                            .order_by(citizens.c.id).limit(CHUNK)).all()
        if not rows:
            return
        write(bind, rows)
        last = rows[-1][0]


def upgrade():
    keys = _keys()
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        # Zero the space the clear values and their index leave behind, so that the numbers are not
        # left in free pages of the database file.
        secure = bind.exec_driver_sql('PRAGMA secure_delete').scalar()
        bind.exec_driver_sql('PRAGMA secure_delete=ON')
    op.add_column('citizens', sa.Column('id_number_hash', sa.String(length=64), nullable=True))
    op.add_column('citizens', sa.Column('id_number_enc', sa.String(length=200), nullable=True))
    target = sa.table('citizens', sa.column('id', sa.Integer()), sa.column('id_number', sa.String()),
                      sa.column('id_number_hash', sa.String()), sa.column('id_number_enc', sa.String()))

    def protect(bind, rows):
        values = [{'row_id': row_id, 'h': keys.hash(number), 'e': keys.encrypt(number)}
                  for row_id, number in rows if number.strip()]
        if values:
            bind.execute(target.update().where(target.c.id == sa.bindparam('row_id'))
                         .values(id_number=None, id_number_hash=sa.bindparam('h'), id_number_enc=sa.bindparam('e')),
                         values)

    _rewrite('id_number', protect)
    op.drop_index('uq_citizens_unit_id_number', table_name='citizens',
                  sqlite_where=sa.text('id_number IS NOT NULL'), postgresql_where=sa.text('id_number IS NOT NULL'))
    _drop_column('id_number')
    op.create_index(op.f('ix_citizens_id_number_hash'), 'citizens', ['id_number_hash'], unique=False)
    op.create_index('uq_citizens_unit_id_number_hash', 'citizens', ['unit_id', 'id_number_hash'], unique=True,
                    sqlite_where=sa.text('id_number_hash IS NOT NULL'),
                    postgresql_where=sa.text('id_number_hash IS NOT NULL'))
    if bind.dialect.name == 'sqlite':
        bind.exec_driver_sql(f'PRAGMA secure_delete={int(secure or 0)}')


def downgrade():
    keys = _keys()
    op.add_column('citizens', sa.Column('id_number', sa.String(length=12), nullable=True))
    target = sa.table('citizens', sa.column('id', sa.Integer()), sa.column('id_number', sa.String()))

    def reveal(bind, rows):
        # InvalidToken here means the keys are not the ones the rows were encrypted with: stop, change nothing.
        bind.execute(target.update().where(target.c.id == sa.bindparam('row_id'))
                     .values(id_number=sa.bindparam('n')),
                     [{'row_id': row_id, 'n': keys.decrypt(token)} for row_id, token in rows])

    _rewrite('id_number_enc', reveal)
    op.drop_index('uq_citizens_unit_id_number_hash', table_name='citizens',
                  sqlite_where=sa.text('id_number_hash IS NOT NULL'),
                  postgresql_where=sa.text('id_number_hash IS NOT NULL'))
    op.drop_index(op.f('ix_citizens_id_number_hash'), table_name='citizens')
    _drop_column('id_number_enc')
    _drop_column('id_number_hash')
    op.create_index('uq_citizens_unit_id_number', 'citizens', ['unit_id', 'id_number'], unique=True,
                    sqlite_where=sa.text('id_number IS NOT NULL'), postgresql_where=sa.text('id_number IS NOT NULL'))
