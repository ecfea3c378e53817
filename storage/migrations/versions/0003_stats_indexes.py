"""stats indexes: covering indexes that let statistics read results without table lookups

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 12:00:00.000000

"""
from typing import Sequence, Union

from alembic import op


# revision identifiers, used by Alembic.
revision: str = "0003"
down_revision: Union[str, Sequence[str], None] = "0002"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_index(
        "ix_subfactor_result_statistics",
        "subfactor_result",
        ["assessment_id", "subfactor_key", "score", "effect"],
        unique=False,
    )
    op.create_index(
        "ix_factor_result_statistics",
        "factor_result",
        ["assessment_id", "factor_key", "score"],
        unique=False,
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_factor_result_statistics", table_name="factor_result")
    op.drop_index("ix_subfactor_result_statistics", table_name="subfactor_result")
