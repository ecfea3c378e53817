"""closing the loop: sub-factor rechecks after most committed steps are done

Revision ID: 0010_closing_loop
Revises: 0009_plan_notes
Create Date: 2026-12-07 03:00:00.000000

- subfactor_recheck: one row per plan (assessment) and sub-factor: when the one offer was sent,
  the completed assessment re-answered, the answers so far, and the new assessment the recheck
  completed. Goes with the respondent and its assessments (ON DELETE CASCADE), so /forget
  removes it.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "0010_closing_loop"
down_revision: Union[str, Sequence[str], None] = "0009_plan_notes"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "subfactor_recheck",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("respondent_id", sa.Integer(), nullable=False),
        sa.Column("plan_assessment_id", sa.Integer(), nullable=False),
        sa.Column("subfactor_key", sa.String(), nullable=False),
        sa.Column("offered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("base_assessment_id", sa.Integer(), nullable=True),
        sa.Column("answers", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("result_assessment_id", sa.Integer(), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["respondent_id"],
            ["respondent.id"],
            name=op.f("fk_subfactor_recheck_respondent_id_respondent"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["plan_assessment_id"],
            ["assessment.id"],
            name=op.f("fk_subfactor_recheck_plan_assessment_id_assessment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["base_assessment_id"],
            ["assessment.id"],
            name=op.f("fk_subfactor_recheck_base_assessment_id_assessment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["result_assessment_id"],
            ["assessment.id"],
            name=op.f("fk_subfactor_recheck_result_assessment_id_assessment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subfactor_recheck")),
        sa.UniqueConstraint("plan_assessment_id", "subfactor_key", name="uq_subfactor_recheck"),
    )
    op.create_index(
        op.f("ix_subfactor_recheck_respondent_id"), "subfactor_recheck", ["respondent_id"]
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f("ix_subfactor_recheck_respondent_id"), table_name="subfactor_recheck")
    op.drop_table("subfactor_recheck")
