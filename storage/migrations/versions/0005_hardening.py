"""hardening: counted refusals in the audit log, panel sessions, handled webhook updates

Revision ID: 0005_hardening
Revises: 0004
Create Date: 2026-12-07 10:00:00.000000

- audit_log gets `count` and a unique `bucket`: refused requests are counted in one row per
  action, source and minute instead of one row each.
- admin_session keeps the signed-in panel sessions (the sha256 of each token), so that
  signing out revokes a session on every replica.
- handled_update records the Telegram update ids the webhook took on, so that a replayed or
  redelivered update is handled once.
- `admin.denied` rows named people by an unkeyed hash of their Telegram id, which can be
  reversed by trying every id; those actors become `telegram:legacy`. (Administrators' own
  rows keep their old actor: their ids are in the settings anyway.)
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "0005_hardening"
down_revision: Union[str, Sequence[str], None] = "0004"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_audit_log = sa.table(
    "audit_log", sa.column("actor", sa.String()), sa.column("action", sa.String())
)


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column(
        "audit_log",
        sa.Column("count", sa.Integer(), server_default=sa.text("1"), nullable=False),
    )
    op.add_column("audit_log", sa.Column("bucket", sa.String(), nullable=True))
    op.create_index(op.f("ix_audit_log_bucket"), "audit_log", ["bucket"], unique=True)
    op.create_table(
        "admin_session",
        sa.Column("digest", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("digest", name=op.f("pk_admin_session")),
    )
    op.create_index(
        op.f("ix_admin_session_expires_at"), "admin_session", ["expires_at"], unique=False
    )
    op.create_table(
        "handled_update",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("update_id", name=op.f("pk_handled_update")),
    )
    op.create_index(
        op.f("ix_handled_update_received_at"), "handled_update", ["received_at"], unique=False
    )
    op.execute(
        _audit_log.update()
        .where(_audit_log.c.action == "admin.denied")
        .where(_audit_log.c.actor.like("telegram:%"))
        .values(actor="telegram:legacy")
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f("ix_handled_update_received_at"), table_name="handled_update")
    op.drop_table("handled_update")
    op.drop_index(op.f("ix_admin_session_expires_at"), table_name="admin_session")
    op.drop_table("admin_session")
    op.drop_index(op.f("ix_audit_log_bucket"), table_name="audit_log")
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("bucket")
        batch.drop_column("count")
