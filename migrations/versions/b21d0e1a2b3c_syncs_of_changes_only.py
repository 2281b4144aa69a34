"""syncs of the changes only: the cursor and the interval on integrations, the kind of a run

Issue 20 (delta sync): providers that list the people changed since a moment get a sync
of those changes every few minutes; the nightly full sync stays.

Revision ID: b21d0e1a2b3c
Revises: b20f0a1b2c3d
Create Date: 2026-12-04 02:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b21d0e1a2b3c'
down_revision = 'b20f0a1b2c3d'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('integrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('delta_every_minutes', sa.Integer(), server_default='15', nullable=True))
        batch_op.add_column(sa.Column('delta_cursor', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('delta_cursor_scope', sa.String(length=32), nullable=True))
    with op.batch_alter_table('sync_runs', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('kind', sa.Enum('full', 'delta', name='runkind', native_enum=False, length=32), server_default='full', nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                'full_sync_reason',
                sa.Enum(
                    'no_cursor', 'cursor_too_old', 'settings_changed', 'cursor_refused',
                    name='fullsyncreason', native_enum=False, length=32,
                ),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column('changes_since', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('sync_runs', schema=None) as batch_op:
        batch_op.drop_column('changes_since')
        batch_op.drop_column('full_sync_reason')
        batch_op.drop_column('kind')
    with op.batch_alter_table('integrations', schema=None) as batch_op:
        batch_op.drop_column('delta_cursor_scope')
        batch_op.drop_column('delta_cursor')
        batch_op.drop_column('delta_every_minutes')
