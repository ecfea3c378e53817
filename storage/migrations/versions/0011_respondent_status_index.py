"""a respondent's assessments by status: one index on (respondent_id, status)

Revision ID: 0011_respondent_status_index
Revises: 0010_closing_loop
Create Date: 2026-12-07 12:00:00.000000

- ix_assessment_respondent_id_status replaces ix_assessment_respondent_id (its first column
  serves every look-up by respondent, and the foreign key's cascade). The latest completed
  assessment of a respondent (/start, a completion's comparison, /results) filters on both:
  with the respondent's index alone, SQLite chose the status index and read every completed
  assessment (27 ms at 100 000; 0.04 ms with this one).
"""
from typing import Sequence, Union

from alembic import op


# revision identifiers, used by Alembic.
revision: str = "0011_respondent_status_index"
down_revision: Union[str, Sequence[str], None] = "0010_closing_loop"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_index(
        op.f("ix_assessment_respondent_id_status"), "assessment", ["respondent_id", "status"]
    )
    op.drop_index(op.f("ix_assessment_respondent_id"), table_name="assessment")


def downgrade() -> None:
    """Downgrade schema."""
    op.create_index(op.f("ix_assessment_respondent_id"), "assessment", ["respondent_id"])
    op.drop_index(op.f("ix_assessment_respondent_id_status"), table_name="assessment")
