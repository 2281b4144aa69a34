"""sync runs count the provider's 429 answers; runs found by when they ended

Issue 22: the metrics read, at scrape time, the runs that ended in the last 24 hours
(an index on finished_at) and how often providers answered 429 Too Many Requests to each.

Revision ID: b19e6f7a8b9c
Revises: b19c0f1ee7a1
Create Date: 2026-12-05 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b19e6f7a8b9c'
down_revision = 'b19c0f1ee7a1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sync_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rate_limited', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_index(batch_op.f('ix_sync_runs_finished_at'), ['finished_at'], unique=False)


def downgrade():
    with op.batch_alter_table('sync_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sync_runs_finished_at'))
        batch_op.drop_column('rate_limited')
