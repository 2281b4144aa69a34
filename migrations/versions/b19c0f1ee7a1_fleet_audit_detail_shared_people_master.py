"""fleet columns on integrations, audit entry detail, the master of people two integrations list

Issues 18 and 19: the fleet page sorts every company's integrations by what needs
attention; the audit log says what changed; the admin chooses which integration syncs a
person both list.

Revision ID: b19c0f1ee7a1
Revises: 0a1f48217924
Create Date: 2026-12-04 01:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b19c0f1ee7a1'
down_revision = '0a1f48217924'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('integrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_run_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('failed_runs_in_a_row', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_index(batch_op.f('ix_integrations_last_run_id'), ['last_run_id'], unique=False)

    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('detail', sa.JSON(), nullable=True))

    with op.batch_alter_table('tenants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('shared_people_master_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            'fk_tenants_shared_people_master_id', 'integrations', ['shared_people_master_id'], ['id'], ondelete='SET NULL'
        )


def downgrade():
    with op.batch_alter_table('tenants', schema=None) as batch_op:
        batch_op.drop_constraint('fk_tenants_shared_people_master_id', type_='foreignkey')
        batch_op.drop_column('shared_people_master_id')

    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_column('detail')

    with op.batch_alter_table('integrations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_integrations_last_run_id'))
        batch_op.drop_column('failed_runs_in_a_row')
        batch_op.drop_column('last_run_id')
