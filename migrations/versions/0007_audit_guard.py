"""audit guard: the database itself refuses to change or remove audit rows

The audit log is append-only. Triggers on ``audit_log`` (PostgreSQL and SQLite) refuse every DELETE
(and on PostgreSQL every TRUNCATE) and every UPDATE, with one exception: the anonymisation required
by Luật 91/2025 (tracker/services/privacy/anonymise.py ``scrub_audit``) may rewrite the ``changes`` column —
and nothing else — while a row of ``audit_unlocks`` exists. ``scrub_audit`` inserts that row inside
its own transaction and deletes it before the commit, so the unlock is never visible to any other
transaction; on PostgreSQL a deferred constraint trigger also refuses any commit that would leave a
row in ``audit_unlocks``. On SQLite a BEFORE INSERT trigger also refuses an INSERT that reuses an
existing id (``INSERT OR REPLACE`` would otherwise delete the old row without firing DELETE triggers).

Note for later migrations: on SQLite a ``batch_alter_table('audit_log')`` recreates the table and so
drops these triggers; such a migration must create them again (see ``SQLITE_TRIGGERS``).

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

# Every column but "changes" must stay as it was.
KEPT = ("id", "at", "user_id", "actor", "action", "entity", "entity_id", "unit_id", "ip")

SQLITE_TRIGGERS = {
    "audit_log_no_delete": """
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: DELETE refused');
END""",
    "audit_log_no_update": """
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
WHEN NOT EXISTS (SELECT 1 FROM audit_unlocks) OR """ + " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in KEPT) + """
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE refused');
END""",
    "audit_log_no_replace": """
CREATE TRIGGER audit_log_no_replace BEFORE INSERT ON audit_log
WHEN NEW.id IS NOT NULL AND EXISTS (SELECT 1 FROM audit_log WHERE id = NEW.id)
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: an existing row cannot be replaced');
END""",
}

PG_UPGRADE = [
    """
CREATE FUNCTION audit_log_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND EXISTS (SELECT 1 FROM audit_unlocks)
       AND (to_jsonb(NEW) - 'changes') = (to_jsonb(OLD) - 'changes') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$""",
    """
CREATE TRIGGER audit_log_guard BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_guard()""",
    """
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
FOR EACH STATEMENT EXECUTE FUNCTION audit_log_guard()""",
    """
CREATE FUNCTION audit_unlocks_released() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM audit_unlocks WHERE id = NEW.id) THEN
        RAISE EXCEPTION 'audit_unlocks row % left at commit', NEW.id USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NULL;
END
$$""",
    """
CREATE CONSTRAINT TRIGGER audit_unlocks_released AFTER INSERT ON audit_unlocks
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION audit_unlocks_released()""",
]

PG_DOWNGRADE = [
    "DROP TRIGGER IF EXISTS audit_unlocks_released ON audit_unlocks",
    "DROP FUNCTION IF EXISTS audit_unlocks_released()",
    "DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log",
    "DROP TRIGGER IF EXISTS audit_log_guard ON audit_log",
    "DROP FUNCTION IF EXISTS audit_log_guard()",
]


def upgrade():
    op.create_table(
        'audit_unlocks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_unlocks')),
    )
    if op.get_bind().dialect.name == 'postgresql':
        for statement in PG_UPGRADE:
            op.execute(statement)
    else:
        for statement in SQLITE_TRIGGERS.values():
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for statement in PG_DOWNGRADE:
            op.execute(statement)
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table('audit_unlocks')
