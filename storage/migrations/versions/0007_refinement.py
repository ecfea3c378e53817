"""refinement: "sharper with three more minutes" on a completed core checklist

Revision ID: 0007_refinement
Revises: 0005_hardening
Create Date: 2026-12-07 01:00:00.000000

- assessment.refined holds the keys (a JSON list) of the sub-factors whose detailed questions
  the respondent asked for after completing the short checklist; NULL for every older row,
  which keeps meaning "not refined".
- assessment.refined_at is when the last of those questions was answered and the results
  were computed again; NULL while the refinement is under way (or never asked for).
The refinement's position is the assessment's existing `cursor`, its answers the usual rows.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "0007_refinement"
down_revision: Union[str, Sequence[str], None] = "0006_record_keys"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column("assessment", sa.Column("refined", sa.JSON(none_as_null=True), nullable=True))
    op.add_column(
        "assessment", sa.Column("refined_at", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    """Downgrade schema."""
    # Not a batch (copy and drop) on SQLite: dropping `assessment` would cascade to every
    # answer and result. SQLite 3.35+ drops a plain column in place.
    for column in ("refined_at", "refined"):
        if op.get_bind().dialect.name == "sqlite":
            op.execute(f"ALTER TABLE assessment DROP COLUMN {column}")
        else:
            op.drop_column("assessment", column)
