"""run lines name the unreadable value; phones stored in E.164

Revision ID: 7b3e91c4d2a6
Revises: 5f1d7e2a9b30
Create Date: 2026-11-27 10:00:00.000000

Phones: the sync and the employee form store E.164 from now on ("+32470123456"). Numbers
stored as typed ("+32 470 12 34 56") are rewritten once, here: otherwise the first sync
after this release would see every formatted number as changed and ask each of those
employees to verify their phone again. A stored number that is not a valid one is left
as it is (pages show it as stored).
"""
import phonenumbers
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '7b3e91c4d2a6'
down_revision = '5f1d7e2a9b30'
branch_labels = None
depends_on = None


def e164(stored):
    try:
        number = phonenumbers.parse(stored.strip(), "BE")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def upgrade():
    with op.batch_alter_table('sync_run_employees', schema=None) as batch_op:
        batch_op.add_column(sa.Column('problem_field', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('problem_value', sa.String(length=200), nullable=True))

    connection = op.get_bind()
    employees = sa.table('employees', sa.column('id', sa.Integer), sa.column('phone', sa.String))
    rows = connection.execute(sa.select(employees.c.id, employees.c.phone).where(employees.c.phone.is_not(None))).all()
    rewritten = [
        {"row_id": row_id, "new_phone": normalised}
        for row_id, phone in rows
        if (normalised := e164(phone)) is not None and normalised != phone
    ]
    if rewritten:
        connection.execute(
            employees.update().where(employees.c.id == sa.bindparam("row_id")).values(phone=sa.bindparam("new_phone")),
            rewritten,
        )


def downgrade():
    # Phones stay in E.164: every earlier release reads them as they are.
    with op.batch_alter_table('sync_run_employees', schema=None) as batch_op:
        batch_op.drop_column('problem_value')
        batch_op.drop_column('problem_field')
