"""plans: committed action-plan steps and their check-ins

Revision ID: 0008_plans
Revises: 0005_hardening
Create Date: 2026-12-07 01:00:00.000000

- plan_step: one row per step a person committed to (unique per assessment and step), with its
  due date, status, blocking reason and the check-in claim (`checkin_at`).
- plan_setting: per person, check-ins paused or not, time zone, and the local day of the last
  check-in (at most one a day).
Both go with the respondent (ON DELETE CASCADE), so /forget removes them.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "0008_plans"
down_revision: Union[str, Sequence[str], None] = "0007_refinement"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "plan_setting",
        sa.Column("respondent_id", sa.Integer(), nullable=False),
        sa.Column("paused_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("time_zone", sa.String(), nullable=True),
        sa.Column("last_checkin_day", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(
            ["respondent_id"],
            ["respondent.id"],
            name=op.f("fk_plan_setting_respondent_id_respondent"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("respondent_id", name=op.f("pk_plan_setting")),
    )
    op.create_table(
        "plan_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("respondent_id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("step_id", sa.String(), nullable=False),
        sa.Column("subfactor_key", sa.String(), nullable=False),
        sa.Column("horizon", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("blocked_reason", sa.String(), nullable=True),
        sa.Column("blocked_note", sa.String(), nullable=True),
        sa.Column("committed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("checkin_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessment.id"],
            name=op.f("fk_plan_step_assessment_id_assessment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["respondent_id"],
            ["respondent.id"],
            name=op.f("fk_plan_step_respondent_id_respondent"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_step")),
        sa.UniqueConstraint("assessment_id", "step_id", name="uq_plan_step_step"),
    )
    op.create_index(op.f("ix_plan_step_assessment_id"), "plan_step", ["assessment_id"])
    op.create_index(op.f("ix_plan_step_due_at"), "plan_step", ["due_at"])
    op.create_index(op.f("ix_plan_step_respondent_id"), "plan_step", ["respondent_id"])
    op.create_index(op.f("ix_plan_step_status"), "plan_step", ["status"])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f("ix_plan_step_status"), table_name="plan_step")
    op.drop_index(op.f("ix_plan_step_respondent_id"), table_name="plan_step")
    op.drop_index(op.f("ix_plan_step_due_at"), table_name="plan_step")
    op.drop_index(op.f("ix_plan_step_assessment_id"), table_name="plan_step")
    op.drop_table("plan_step")
    op.drop_table("plan_setting")
