"""employees belong to a local entity, not to the provider's entity ID

Revision ID: e5a0c3f19b47
Revises: 7b3e91c4d2a6
Create Date: 2026-11-27 14:00:00.000000

`employees.entity_id` replaces the provider's raw entity ID (`employees.entity_ref`,
`wage_contracts.entity_ref`): the sync maps each provider entity or venue to one of the
company's entities (Connexie's venue mapping), or makes one named after it
(`entities.integration_id` + `entities.provider_ref`). Synced employees get theirs from
the next sync, which plans everyone again (the rules changed); an entity typed by hand
for someone added by hand becomes an entity of that name.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e5a0c3f19b47'
down_revision = '7b3e91c4d2a6'
branch_labels = None
depends_on = None

WHOLE_NAME_LOWER = sa.text("(lower(last_name) || ' ' || lower(first_name))")

entities = sa.table(
    'entities', sa.column('id', sa.Integer), sa.column('tenant_id', sa.Integer), sa.column('name', sa.String)
)


def upgrade():
    with op.batch_alter_table('entities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('integration_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('provider_ref', sa.String(length=100), nullable=True))
        batch_op.create_foreign_key('fk_entities_integration_id', 'integrations', ['integration_id'], ['id'])
        batch_op.create_unique_constraint('uq_entities_integration_provider_ref', ['integration_id', 'provider_ref'])

    # SQLite drops a column by copying the table, and the copy would lose this expression index.
    op.drop_index('ix_employees_whole_name_lower', table_name='employees')
    with op.batch_alter_table('employees', schema=None) as batch_op:
        batch_op.add_column(sa.Column('entity_id', sa.Integer(), nullable=True))
    connection = op.get_bind()
    employees = sa.table(
        'employees',
        sa.column('id', sa.Integer),
        sa.column('tenant_id', sa.Integer),
        sa.column('integration_id', sa.Integer),
        sa.column('entity_ref', sa.String),
        sa.column('entity_id', sa.Integer),
    )
    typed = connection.execute(
        sa.select(employees.c.tenant_id, employees.c.entity_ref)
        .where(employees.c.integration_id.is_(None), employees.c.entity_ref.is_not(None), employees.c.entity_ref != '')
        .distinct()
    ).all()
    for tenant_id, name in typed:
        entity_id = connection.execute(
            sa.select(entities.c.id).where(entities.c.tenant_id == tenant_id, entities.c.name == name[:200])
        ).scalar()
        if entity_id is None:
            connection.execute(entities.insert().values(tenant_id=tenant_id, name=name[:200]))
            entity_id = connection.execute(
                sa.select(sa.func.max(entities.c.id)).where(entities.c.tenant_id == tenant_id, entities.c.name == name[:200])
            ).scalar_one()
        connection.execute(
            employees.update()
            .where(employees.c.tenant_id == tenant_id, employees.c.integration_id.is_(None), employees.c.entity_ref == name)
            .values(entity_id=entity_id)
        )

    with op.batch_alter_table('employees', schema=None) as batch_op:
        batch_op.drop_index('ix_employees_entity')
        batch_op.drop_column('entity_ref')
        batch_op.create_foreign_key('fk_employees_entity_id', 'entities', ['entity_id'], ['id'])
        batch_op.create_index('ix_employees_entity', ['tenant_id', 'entity_id'], unique=False)
    with op.batch_alter_table('wage_contracts', schema=None) as batch_op:
        batch_op.drop_column('entity_ref')
    op.create_index('ix_employees_whole_name_lower', 'employees', ['tenant_id', WHOLE_NAME_LOWER])


def downgrade():
    with op.batch_alter_table('wage_contracts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('entity_ref', sa.String(length=100), nullable=True))

    op.drop_index('ix_employees_whole_name_lower', table_name='employees')
    with op.batch_alter_table('employees', schema=None) as batch_op:
        batch_op.add_column(sa.Column('entity_ref', sa.String(length=100), nullable=True))
    # The entity's name stands in for the provider's ID until the next sync sends it again.
    connection = op.get_bind()
    employees = sa.table(
        'employees', sa.column('entity_ref', sa.String), sa.column('entity_id', sa.Integer)
    )
    connection.execute(
        employees.update()
        .where(employees.c.entity_id.is_not(None))
        .values(
            entity_ref=sa.select(sa.func.substr(entities.c.name, 1, 100))
            .where(entities.c.id == employees.c.entity_id)
            .scalar_subquery()
        )
    )
    with op.batch_alter_table('employees', schema=None) as batch_op:
        batch_op.drop_index('ix_employees_entity')
        batch_op.drop_constraint('fk_employees_entity_id', type_='foreignkey')
        batch_op.drop_column('entity_id')
        batch_op.create_index('ix_employees_entity', ['tenant_id', 'entity_ref'], unique=False)
    op.create_index('ix_employees_whole_name_lower', 'employees', ['tenant_id', WHOLE_NAME_LOWER])

    with op.batch_alter_table('entities', schema=None) as batch_op:
        batch_op.drop_constraint('uq_entities_integration_provider_ref', type_='unique')
        batch_op.drop_constraint('fk_entities_integration_id', type_='foreignkey')
        batch_op.drop_column('provider_ref')
        batch_op.drop_column('integration_id')
