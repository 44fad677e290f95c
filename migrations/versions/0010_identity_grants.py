"""need to know on denunciations: sealed registry entries, confidential letters, access grants

- ``citizens.sealed``: an entry registered through a denunciation (the person is known only as a
  denouncer). The unique index of ID numbers per unit now covers open entries only, so that someone
  not cleared who types the same number gets an entry of their own instead of the denouncer's.
- ``letters.confidential``: a letter holding a denunciation, or split from, split into or merged
  (duplicate link) with one — its senders are protected as a whole.
- ``cases.confidential``: a denunciation, or the case of a confidential letter.
- ``identity_grants``: the chairperson lets one named user see the denouncer of one record, with a
  reason; withdrawn, never deleted.

Downgrade: a sealed entry whose ID number is also held by an open entry of the same unit loses its
number (the old index allows one per unit); nothing else is lost.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 16:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

GATE_INDEXES = (
    ('ix_letters_confidential_created_by', 'letters', 'created_by_id', 'confidential'),
    ('ix_letters_confidential_unit', 'letters', 'unit_id', 'confidential'),
    ('ix_letters_split_from_id', 'letters', 'split_from_id', None),
    ('ix_visits_denunciation_created_by', 'visits', 'created_by_id', "classification = 'denunciation'"),
    ('ix_visits_denunciation_unit', 'visits', 'unit_id', "classification = 'denunciation'"),
    ('ix_cases_confidential_handler', 'cases', 'handler_id', 'confidential'),
    ('ix_cases_confidential_unit', 'cases', 'unit_id', 'confidential'),
)
ONE_RECORD = " + ".join(f"(CASE WHEN {c} IS NULL THEN 0 ELSE 1 END)" for c in ("letter_id", "case_id", "visit_id")) + " = 1"


def upgrade():
    # Plain ALTER TABLE, no table rebuild: rows of other tables that refer to these are never touched.
    op.add_column('letters', sa.Column('confidential', sa.Boolean(), nullable=False, server_default=sa.text('false')))
    op.add_column('citizens', sa.Column('sealed', sa.Boolean(), nullable=False, server_default=sa.text('false')))
    op.execute("UPDATE letters SET confidential = true WHERE kind = 'denunciation'")
    # Split families and duplicate links: originals of confidential parts, then every part of a confidential
    # original, then both ends of a duplicate link (twice, for a chain of two).
    op.execute("UPDATE letters SET confidential = true WHERE id IN "
               "(SELECT split_from_id FROM letters WHERE confidential AND split_from_id IS NOT NULL)")
    op.execute("UPDATE letters SET confidential = true WHERE split_from_id IN (SELECT id FROM letters WHERE confidential)")
    for _ in range(2):
        op.execute("UPDATE letters SET confidential = true WHERE duplicate_of_id IN (SELECT id FROM letters WHERE confidential)")
        op.execute("UPDATE letters SET confidential = true WHERE id IN "
                   "(SELECT duplicate_of_id FROM letters WHERE confidential AND duplicate_of_id IS NOT NULL)")
    op.add_column('cases', sa.Column('confidential', sa.Boolean(), nullable=False, server_default=sa.text('false')))
    op.execute("UPDATE cases SET confidential = true WHERE kind = 'denunciation' "
               "OR letter_id IN (SELECT id FROM letters WHERE confidential)")
    # Known only as a denouncer: a denunciation (visit or letter), and no ordinary record.
    op.execute("""
        UPDATE citizens SET sealed = true WHERE (
            EXISTS (SELECT 1 FROM visit_citizens vc JOIN visits v ON v.id = vc.visit_id
                    WHERE vc.citizen_id = citizens.id AND v.classification = 'denunciation')
            OR EXISTS (SELECT 1 FROM letter_senders ls JOIN letters l ON l.id = ls.letter_id
                       WHERE ls.citizen_id = citizens.id AND l.confidential))
          AND NOT EXISTS (SELECT 1 FROM visit_citizens vc JOIN visits v ON v.id = vc.visit_id
                          WHERE vc.citizen_id = citizens.id AND v.classification <> 'denunciation')
          AND NOT EXISTS (SELECT 1 FROM letter_senders ls JOIN letters l ON l.id = ls.letter_id
                          WHERE ls.citizen_id = citizens.id AND NOT l.confidential)
    """)
    op.drop_index('uq_citizens_unit_id_number_hash', table_name='citizens',
                  sqlite_where=sa.text('id_number_hash IS NOT NULL'),
                  postgresql_where=sa.text('id_number_hash IS NOT NULL'))
    op.create_index('uq_citizens_unit_id_number_hash', 'citizens', ['unit_id', 'id_number_hash'], unique=True,
                    sqlite_where=sa.text('id_number_hash IS NOT NULL AND NOT sealed'),
                    postgresql_where=sa.text('id_number_hash IS NOT NULL AND NOT sealed'))
    # The need-to-know gate's sets, each answered from an index (tracker.services.privacy.confidentiality).
    for name, table, column, where in GATE_INDEXES:
        op.create_index(name, table, [column], unique=False, sqlite_where=sa.text(where) if where else None,
                        postgresql_where=sa.text(where) if where else None)
    op.create_table(
        'identity_grants',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('letter_id', sa.Integer(), nullable=True),
        sa.Column('case_id', sa.Integer(), nullable=True),
        sa.Column('visit_id', sa.Integer(), nullable=True),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('granted_by_id', sa.Integer(), nullable=False),
        sa.Column('granted_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('withdrawn_by_id', sa.Integer(), nullable=True),
        sa.CheckConstraint(ONE_RECORD, name=op.f('ck_identity_grants_one_record')),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_identity_grants_unit_id_units')),
        sa.ForeignKeyConstraint(['letter_id'], ['letters.id'], name=op.f('fk_identity_grants_letter_id_letters')),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_identity_grants_case_id_cases')),
        sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], name=op.f('fk_identity_grants_visit_id_visits')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_identity_grants_user_id_users')),
        sa.ForeignKeyConstraint(['granted_by_id'], ['users.id'], name=op.f('fk_identity_grants_granted_by_id_users')),
        sa.ForeignKeyConstraint(['withdrawn_by_id'], ['users.id'],
                                name=op.f('fk_identity_grants_withdrawn_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_identity_grants')),
    )
    for column in ('unit_id', 'letter_id', 'case_id', 'visit_id'):
        op.create_index(op.f(f'ix_identity_grants_{column}'), 'identity_grants', [column], unique=False)
    op.create_index('ix_identity_grants_user_live', 'identity_grants', ['user_id', 'withdrawn_at'], unique=False)


def downgrade():
    op.drop_index('ix_identity_grants_user_live', table_name='identity_grants')
    for column in ('unit_id', 'letter_id', 'case_id', 'visit_id'):
        op.drop_index(op.f(f'ix_identity_grants_{column}'), table_name='identity_grants')
    op.drop_table('identity_grants')
    for name, table, _column, _where in GATE_INDEXES:
        op.drop_index(name, table_name=table)
    op.drop_index('uq_citizens_unit_id_number_hash', table_name='citizens',
                  sqlite_where=sa.text('id_number_hash IS NOT NULL AND NOT sealed'),
                  postgresql_where=sa.text('id_number_hash IS NOT NULL AND NOT sealed'))
    op.execute("""
        UPDATE citizens SET id_number_hash = NULL, id_number_enc = NULL
        WHERE sealed AND id_number_hash IS NOT NULL AND EXISTS (
            SELECT 1 FROM citizens AS o WHERE o.unit_id = citizens.unit_id AND o.id_number_hash = citizens.id_number_hash
              AND o.id <> citizens.id AND NOT o.sealed)
    """)
    # Two sealed entries with one number: keep the oldest's.
    op.execute("""
        UPDATE citizens SET id_number_hash = NULL, id_number_enc = NULL
        WHERE sealed AND id_number_hash IS NOT NULL AND EXISTS (
            SELECT 1 FROM citizens AS o WHERE o.unit_id = citizens.unit_id AND o.id_number_hash = citizens.id_number_hash
              AND o.id < citizens.id)
    """)
    op.create_index('uq_citizens_unit_id_number_hash', 'citizens', ['unit_id', 'id_number_hash'], unique=True,
                    sqlite_where=sa.text('id_number_hash IS NOT NULL'),
                    postgresql_where=sa.text('id_number_hash IS NOT NULL'))
    _drop_column('citizens', 'sealed')
    _drop_column('cases', 'confidential')
    _drop_column('letters', 'confidential')


def _drop_column(table, name):
    if op.get_bind().dialect.name == 'sqlite':
        op.execute(f'ALTER TABLE {table} DROP COLUMN {name}')
    else:
        op.drop_column(table, name)
