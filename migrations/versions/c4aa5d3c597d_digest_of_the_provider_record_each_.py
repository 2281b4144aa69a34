"""digest of the provider record each employee was synced from

Revision ID: c4aa5d3c597d
Revises: 2543ca125244
Create Date: 2026-11-25 23:05:57.883069

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4aa5d3c597d'
down_revision = '2543ca125244'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('employees', schema=None) as batch_op:
        batch_op.add_column(sa.Column('synced_record_digest', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('synced_record_valid_until', sa.Date(), nullable=True))
    op.create_index('ix_employees_name_lower', 'employees', ['tenant_id', sa.text('lower(last_name)'), sa.text('lower(first_name)')])


def downgrade():
    op.drop_index('ix_employees_name_lower', table_name='employees')
    with op.batch_alter_table('employees', schema=None) as batch_op:
        batch_op.drop_column('synced_record_valid_until')
        batch_op.drop_column('synced_record_digest')
