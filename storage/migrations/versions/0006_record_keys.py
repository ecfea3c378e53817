"""record keys: a secret random key per assessment, the noise secret, statistics releases

Revision ID: 0006_record_keys
Revises: 0004
Create Date: 2026-12-08 10:00:00.000000

Published statistics get noise derived from the keys of the assessments they aggregate
(docs/privacy.md; storage/stats/disclosure.py). Every assessment gets a key: new ones when
they are created, the existing ones here, from the operating system's random source (never
from the database's own `random()`, which is not meant for secrets). `stats_secret` holds
the deployment's 256-bit key for the noise (made here, once, the same for every replica).
Answer counts and
reliability are published only over released assessments: `stats_release` holds the cuts,
`assessment.release_id` the cut that first included an assessment.

SQLite cannot add a NOT NULL column without a default, nor drop the default later without
rebuilding the table (which, with foreign keys on, would cascade into the answers): there
the column keeps `DEFAULT 0`, which the application never relies on (it always writes a key).
"""
import secrets
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "0006_record_keys"
down_revision: Union[str, Sequence[str], None] = "0005_hardening"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# Fixed here, not imported: this migration must keep meaning what it meant.
RECORD_KEY_MODULUS = 2**31 - 1
CHUNK = 5_000

_assessment = sa.table(
    "assessment", sa.column("id", sa.Integer()), sa.column("record_key", sa.Integer())
)


def upgrade() -> None:
    """Upgrade schema."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.create_table(
        "stats_release",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("follows", sa.Integer(), nullable=False),
        sa.Column("cut_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stats_release")),
        sa.UniqueConstraint("follows", name=op.f("uq_stats_release_follows")),
    )
    op.create_table(
        "stats_secret",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("secret", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stats_secret")),
    )
    op.bulk_insert(
        sa.table("stats_secret", sa.column("id", sa.Integer()), sa.column("secret", sa.String())),
        [{"id": 1, "secret": secrets.token_hex(32)}],
    )
    op.add_column(
        "assessment",
        sa.Column(
            "record_key",
            sa.Integer(),
            nullable=not sqlite,
            server_default=sa.text("0") if sqlite else None,
        ),
    )
    fk_name = op.f("fk_assessment_release_id_stats_release")
    if sqlite:
        # Alembic adds a foreign key with ALTER … ADD CONSTRAINT, which SQLite lacks; a
        # column constraint in ADD COLUMN it accepts.
        op.execute(
            f"ALTER TABLE assessment ADD COLUMN release_id INTEGER "
            f"CONSTRAINT {fk_name} REFERENCES stats_release (id)"
        )
    else:
        op.add_column("assessment", sa.Column("release_id", sa.Integer(), nullable=True))
        op.create_foreign_key(fk_name, "assessment", "stats_release", ["release_id"], ["id"])
    _backfill(op.get_bind())
    if not sqlite:
        op.alter_column("assessment", "record_key", nullable=False)


def downgrade() -> None:
    """Downgrade schema."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    if not sqlite:
        op.drop_constraint(
            op.f("fk_assessment_release_id_stats_release"), "assessment", type_="foreignkey"
        )
    op.drop_column("assessment", "release_id")
    op.drop_column("assessment", "record_key")
    op.drop_table("stats_secret")
    op.drop_table("stats_release")


def _backfill(connection: sa.Connection) -> None:
    """A fresh random key for every existing assessment, a chunk at a time."""
    ids = [row[0] for row in connection.execute(sa.select(_assessment.c.id))]
    update = (
        _assessment.update()
        .where(_assessment.c.id == sa.bindparam("target"))
        .values(record_key=sa.bindparam("key"))
    )
    for start in range(0, len(ids), CHUNK):
        connection.execute(
            update,
            [
                {"target": i, "key": secrets.randbelow(RECORD_KEY_MODULUS)}
                for i in ids[start : start + CHUNK]
            ],
        )
