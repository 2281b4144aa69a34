"""the fleet page finds the last nightly run in an index

Issue 19: the workers panel shows when the last nightly run began and ended and how many
runs it had; without an index that reads every run ever made (3.6 million a year for
10,000 companies).

Revision ID: b19d2a3b4c5d
Revises: b19e6f7a8b9c
Create Date: 2026-12-05 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b19d2a3b4c5d'
down_revision = 'b19e6f7a8b9c'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sync_runs', schema=None) as batch_op:
        batch_op.create_index('ix_sync_runs_nightly', ['trigger', 'queued_at', 'status', 'finished_at'], unique=False)


def downgrade():
    with op.batch_alter_table('sync_runs', schema=None) as batch_op:
        batch_op.drop_index('ix_sync_runs_nightly')
