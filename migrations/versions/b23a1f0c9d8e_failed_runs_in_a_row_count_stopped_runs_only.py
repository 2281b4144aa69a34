"""failed runs in a row count the runs that stopped (error) only, not the partial ones

A partial run synced everyone but a few people, who are open problems (a column of their
own on the fleet page); counted as failures too, a company with one bad record looked
broken every night. Each integration's count is worked out again from its last runs.

Revision ID: b23a1f0c9d8e
Revises: b22c0d1e2f3a
Create Date: 2026-12-04 12:20:00.000000

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'b23a1f0c9d8e'
down_revision = 'b22c0d1e2f3a'
branch_labels = None
depends_on = None


def upgrade():
    connection = op.get_bind()
    counted = connection.execute(sa.text("SELECT id FROM integrations WHERE failed_runs_in_a_row > 0")).scalars().all()
    for integration_id in counted:
        statuses = connection.execute(
            sa.text(
                "SELECT status FROM sync_runs WHERE integration_id = :id AND status IN ('success', 'partial', 'error') "
                "ORDER BY id DESC LIMIT 1000"
            ),
            {"id": integration_id},
        ).scalars()
        in_a_row = 0
        for status in statuses:
            if status != 'error':
                break
            in_a_row += 1
        connection.execute(
            sa.text("UPDATE integrations SET failed_runs_in_a_row = :count WHERE id = :id"), {"count": in_a_row, "id": integration_id}
        )


def downgrade():
    # The partial runs are not counted back: the next run's end counts them again.
    pass
