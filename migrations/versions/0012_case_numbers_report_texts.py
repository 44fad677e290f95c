"""case numbers per unit and year; a unit's report opening and assessment sentences

``cases.register_year`` / ``cases.register_no``: "Vụ việc số 3/2026", numbered like letters and visits
(per unit and year of acceptance, without gaps, from the ``register_counters`` row of book ``case``).
Existing cases are numbered in the order they were accepted (the downgrade keeps the counters of
book ``case``, which older code never reads; an upgrade raises them to the numbers it gives).

``units.report_basis``: the document the report answers ("Kế hoạch số 28/KH-UBND ngày 13/3/2024 …"),
written into the report's opening line. ``units.report_sentences``: JSON of the standard assessment
sentences the unit chose to include (off by default).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 20:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

BOOK = 'case'


def upgrade():
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.add_column(sa.Column('report_basis', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('report_sentences', sa.Text(), nullable=True))
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('register_year', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('register_no', sa.Integer(), nullable=True))
    bind = op.get_bind()
    year = "CAST(strftime('%Y', accepted_on) AS INTEGER)" if bind.dialect.name == 'sqlite' \
        else "CAST(EXTRACT(YEAR FROM accepted_on) AS INTEGER)"
    # Numbered in one pass with a window function (both databases), joined back by primary key.
    op.execute(f"""
        CREATE TEMPORARY TABLE case_numbers AS
        SELECT id, {year} AS y,
               ROW_NUMBER() OVER (PARTITION BY unit_id, {year} ORDER BY accepted_on, id) AS n
        FROM cases""")
    op.execute("CREATE UNIQUE INDEX ix_tmp_case_numbers ON case_numbers (id)")
    op.execute("""
        UPDATE cases SET
          register_year = (SELECT y FROM case_numbers WHERE case_numbers.id = cases.id),
          register_no = (SELECT n FROM case_numbers WHERE case_numbers.id = cases.id)""")
    # Counters left by an earlier downgrade are kept and raised, never lowered (no number is given twice).
    op.execute(f"""
        UPDATE register_counters SET last_no = (
          SELECT MAX(register_no) FROM cases
          WHERE cases.unit_id = register_counters.unit_id AND cases.register_year = register_counters.year)
        WHERE book = '{BOOK}' AND last_no < (
          SELECT COALESCE(MAX(register_no), 0) FROM cases
          WHERE cases.unit_id = register_counters.unit_id AND cases.register_year = register_counters.year)""")
    op.execute(f"""
        INSERT INTO register_counters (unit_id, book, year, last_no)
        SELECT unit_id, '{BOOK}', register_year, MAX(register_no) FROM cases
        WHERE NOT EXISTS (SELECT 1 FROM register_counters r WHERE r.unit_id = cases.unit_id
                          AND r.book = '{BOOK}' AND r.year = cases.register_year)
        GROUP BY unit_id, register_year""")
    op.execute("DROP TABLE case_numbers")
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.alter_column('register_year', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('register_no', existing_type=sa.Integer(), nullable=False)
        batch_op.create_unique_constraint('uq_cases_register', ['unit_id', 'register_year', 'register_no'])


def downgrade():
    # The counters of book "case" stay: older code never reads them, and a later upgrade renumbers.
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_constraint('uq_cases_register', type_='unique')
        batch_op.drop_column('register_no')
        batch_op.drop_column('register_year')
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_column('report_sentences')
        batch_op.drop_column('report_basis')
