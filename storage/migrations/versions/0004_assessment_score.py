"""assessment score: one wide score row per completed assessment, and the slot of each key

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 16:30:00.000000

Statistics read `assessment_score` (one row per assessment) instead of grouping the ~20
result rows of each. The upgrade fills it for the assessments already completed, from their
factor_result and subfactor_result rows, a chunk of assessments at a time.
"""
from typing import Any, Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "0004"
down_revision: Union[str, Sequence[str], None] = "0003"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# Fixed here, not imported: this migration must keep meaning what it meant.
FACTOR_SLOTS = 8
SUBFACTOR_SLOTS = 32
CHUNK = 2_000

FACTORS = [f"factor_{slot}" for slot in range(FACTOR_SLOTS)]
SUBFACTORS = [f"subfactor_{slot}" for slot in range(SUBFACTOR_SLOTS)]
DRIVERS = [f"driver_{slot}" for slot in range(SUBFACTOR_SLOTS)]


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "score_slot",
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "key", name=op.f("pk_score_slot")),
        sa.UniqueConstraint("kind", "slot", name=op.f("uq_score_slot_kind")),
    )
    op.create_table(
        "assessment_score",
        sa.Column("assessment_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("present", sa.BigInteger(), nullable=False),
        *(sa.Column(name, sa.Float(), nullable=True) for name in FACTORS + SUBFACTORS),
        *(sa.Column(name, sa.Integer(), nullable=True) for name in DRIVERS),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessment.id"],
            name=op.f("fk_assessment_score_assessment_id_assessment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("assessment_id", name=op.f("pk_assessment_score")),
    )
    _backfill(op.get_bind())


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("assessment_score")
    op.drop_table("score_slot")


_assessment = sa.table(
    "assessment", sa.column("id", sa.Integer()), sa.column("status", sa.String())
)
_factor_result = sa.table(
    "factor_result",
    sa.column("assessment_id", sa.Integer()),
    sa.column("factor_key", sa.String()),
    sa.column("score", sa.Float()),
)
_subfactor_result = sa.table(
    "subfactor_result",
    sa.column("assessment_id", sa.Integer()),
    sa.column("subfactor_key", sa.String()),
    sa.column("score", sa.Float()),
    sa.column("effect", sa.String()),
)
_score_slot = sa.table(
    "score_slot",
    sa.column("kind", sa.String()),
    sa.column("key", sa.String()),
    sa.column("slot", sa.Integer()),
)
_assessment_score = sa.table(
    "assessment_score",
    sa.column("assessment_id", sa.Integer()),
    sa.column("present", sa.BigInteger()),
    *(sa.column(name, sa.Float()) for name in FACTORS + SUBFACTORS),
    *(sa.column(name, sa.Integer()) for name in DRIVERS),
)


def _assign_slots(connection: sa.Connection, kind: str, key_column: Any) -> dict[str, int]:
    """Slots in the order the keys first appeared (by assessment id), as completion would."""
    results = key_column.table
    first_seen = (
        sa.select(key_column, sa.func.min(results.c.assessment_id))
        .group_by(key_column)
        .order_by(sa.func.min(results.c.assessment_id), key_column)
    )
    slots = {key: slot for slot, (key, _) in enumerate(connection.execute(first_seen))}
    if slots:
        connection.execute(
            _score_slot.insert(),
            [{"kind": kind, "key": key, "slot": slot} for key, slot in slots.items()],
        )
    return slots


def _backfill(connection: sa.Connection) -> None:
    factor_slots = _assign_slots(connection, "factor", _factor_result.c.factor_key)
    subfactor_slots = _assign_slots(connection, "subfactor", _subfactor_result.c.subfactor_key)
    completed = [
        assessment_id
        for (assessment_id,) in connection.execute(
            sa.select(_assessment.c.id)
            .where(_assessment.c.status == "completed")
            .order_by(_assessment.c.id)
        )
    ]
    empty = dict.fromkeys(_assessment_score.c.keys())
    for start in range(0, len(completed), CHUNK):
        ids = completed[start : start + CHUNK]
        rows = {i: {**empty, "assessment_id": i, "present": 0} for i in ids}
        in_chunk = sa.between(_factor_result.c.assessment_id, ids[0], ids[-1])
        for assessment_id, key, score in connection.execute(
            sa.select(_factor_result).where(in_chunk)
        ):
            slot = factor_slots[key]
            if assessment_id in rows and slot < FACTOR_SLOTS:
                rows[assessment_id][FACTORS[slot]] = score
                rows[assessment_id]["present"] |= 1 << (SUBFACTOR_SLOTS + slot)
        in_chunk = sa.between(_subfactor_result.c.assessment_id, ids[0], ids[-1])
        for assessment_id, key, score, effect in connection.execute(
            sa.select(_subfactor_result).where(in_chunk)
        ):
            slot = subfactor_slots[key]
            if assessment_id in rows and slot < SUBFACTOR_SLOTS:
                row = rows[assessment_id]
                row[SUBFACTORS[slot]] = score
                row[DRIVERS[slot]] = None if effect is None else int(effect == "driver")
                row["present"] |= 1 << slot
        connection.execute(_assessment_score.insert(), list(rows.values()))
