"""open problems that persist; audit entries name the employee they concern; pruned runs

Issue 20: a failure is news once; the summary speaks of problems opened and resolved; an
employee's timeline shows every admin action on them.

Revision ID: b20f0a1b2c3d
Revises: b19d2a3b4c5d
Create Date: 2026-12-04 01:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b20f0a1b2c3d'
down_revision = 'b19d2a3b4c5d'
branch_labels = None
depends_on = None


REASONS = (
    'missing_email', 'bad_date', 'negative_salary', 'unknown_wage_type', 'field_too_long', 'malformed', 'duplicate_id',
    'unreadable_value', 'entity_move', 'email_in_use', 'no_active_contract', 'excluded', 'not_selected',
    'venue_inactive', 'venue_not_mapped', 'entity_not_synced', 'excluded_in_settings', 'synced_by_other_integration',
    'taken_over', 'removed_at_provider', 'contracts_ended',
)


def upgrade():
    op.create_table(
        'employee_problems',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('integration_id', sa.Integer(), nullable=False),
        sa.Column('person_key', sa.String(length=300), nullable=False),
        sa.Column('provider_id', sa.String(length=100), nullable=True),
        sa.Column('employee_id', sa.Integer(), nullable=True),
        sa.Column('display_name', sa.String(length=300), nullable=False),
        sa.Column('reason', sa.Enum(*REASONS, name='reason', native_enum=False, length=32), nullable=False),
        sa.Column('problem_field', sa.String(length=100), nullable=True),
        sa.Column('problem_value', sa.String(length=200), nullable=True),
        sa.Column('first_seen_run_id', sa.Integer(), nullable=False),
        sa.Column('last_seen_run_id', sa.Integer(), nullable=False),
        sa.Column('first_seen_at', sa.DateTime(), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(), nullable=False),
        sa.Column('runs_in_a_row', sa.Integer(), nullable=False),
        sa.Column('resolved_at', sa.DateTime(), nullable=True),
        sa.Column('resolved_by_run_id', sa.Integer(), nullable=True),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['employee_id'], ['employees.id']),
        sa.ForeignKeyConstraint(['first_seen_run_id'], ['sync_runs.id']),
        sa.ForeignKeyConstraint(['integration_id'], ['integrations.id']),
        sa.ForeignKeyConstraint(['last_seen_run_id'], ['sync_runs.id']),
        sa.ForeignKeyConstraint(['resolved_by_run_id'], ['sync_runs.id']),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('employee_problems', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_employee_problems_employee_id'), ['employee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_employee_problems_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index(
            'ix_employee_problems_open', ['tenant_id', 'resolved_at', 'integration_id', 'reason'], unique=False
        )
        batch_op.create_index(
            'uq_employee_problems_open',
            ['integration_id', 'person_key', 'reason'],
            unique=True,
            sqlite_where=sa.text('resolved_at IS NULL'),
            postgresql_where=sa.text('resolved_at IS NULL'),
        )
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('employee_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_audit_entries_employee_id'), ['employee_id'], unique=False)
        batch_op.create_foreign_key('fk_audit_entries_employee_id', 'employees', ['employee_id'], ['id'])
    with op.batch_alter_table('sync_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lines_pruned_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('sync_runs', schema=None) as batch_op:
        batch_op.drop_column('lines_pruned_at')
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_constraint('fk_audit_entries_employee_id', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_audit_entries_employee_id'))
        batch_op.drop_column('employee_id')
    op.drop_table('employee_problems')
