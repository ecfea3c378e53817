"""plan notes: the note expected after a blocking reason, shared by every replica

Revision ID: 0009_plan_notes
Revises: 0008_plans
Create Date: 2026-12-07 03:00:00.000000

- plan_note_expected: per person, the blocked step whose note their next text message is,
  until it expires. It was one replica's memory (user_data): a note sent to another replica,
  or after a restart, was lost. Goes with the respondent and the step (ON DELETE CASCADE).
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "0009_plan_notes"
down_revision: Union[str, Sequence[str], None] = "0008_plans"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "plan_note_expected",
        sa.Column("respondent_id", sa.Integer(), nullable=False),
        sa.Column("plan_step_id", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_step_id"],
            ["plan_step.id"],
            name=op.f("fk_plan_note_expected_plan_step_id_plan_step"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["respondent_id"],
            ["respondent.id"],
            name=op.f("fk_plan_note_expected_respondent_id_respondent"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("respondent_id", name=op.f("pk_plan_note_expected")),
    )
    op.create_index(
        op.f("ix_plan_note_expected_plan_step_id"), "plan_note_expected", ["plan_step_id"]
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f("ix_plan_note_expected_plan_step_id"), table_name="plan_note_expected")
    op.drop_table("plan_note_expected")
