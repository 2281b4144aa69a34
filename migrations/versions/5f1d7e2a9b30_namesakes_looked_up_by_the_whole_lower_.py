"""namesakes looked up by the whole lower-cased name

Revision ID: 5f1d7e2a9b30
Revises: c4aa5d3c597d
Create Date: 2026-11-26 04:55:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5f1d7e2a9b30'
down_revision = 'c4aa5d3c597d'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index('ix_employees_name_lower', table_name='employees')
    op.create_index('ix_employees_whole_name_lower', 'employees',
                    ['tenant_id', sa.text("(lower(last_name) || ' ' || lower(first_name))")])


def downgrade():
    op.drop_index('ix_employees_whole_name_lower', table_name='employees')
    op.create_index('ix_employees_name_lower', 'employees', ['tenant_id', sa.text('lower(last_name)'), sa.text('lower(first_name)')])
