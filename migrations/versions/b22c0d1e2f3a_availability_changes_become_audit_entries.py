"""the availability changes of before issue 19 become audit entries; their table goes

Since issue 19, customer success switching a provider on or off is an audit entry
(`integration.made_available` / `integration.made_unavailable`); the old table was kept,
unwritten. Its rows are copied into the audit log first, so no one's history is lost.

Revision ID: b22c0d1e2f3a
Revises: b21d0e1a2b3c
Create Date: 2026-12-04 09:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b22c0d1e2f3a'
down_revision = 'b21d0e1a2b3c'
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        """
        INSERT INTO audit_entries (tenant_id, at, action, actor_id, actor, subject)
        SELECT c.tenant_id, c.changed_at,
               CASE WHEN c.available THEN 'integration.made_available' ELSE 'integration.made_unavailable' END,
               c.changed_by_id, u.email, c.provider
        FROM availability_changes c JOIN users u ON u.id = c.changed_by_id
        ORDER BY c.id
        """
    )
    with op.batch_alter_table('availability_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_availability_changes_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_availability_changes_changed_at'))
    op.drop_table('availability_changes')


def downgrade():
    # The entries stay in the audit log, where the application reads them; the old table comes back empty.
    op.create_table(
        'availability_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('provider', sa.Enum('securex', 'liantis', 'connexie', 'hris', name='provider', native_enum=False, length=32), nullable=False),
        sa.Column('available', sa.Boolean(), nullable=False),
        sa.Column('changed_by_id', sa.Integer(), nullable=False),
        sa.Column('changed_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['changed_by_id'], ['users.id'], ),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ),
        sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('availability_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_availability_changes_changed_at'), ['changed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_availability_changes_tenant_id'), ['tenant_id'], unique=False)
