"""attempts keep the pass mark and partial-credit rule they began under

Revision ID: c4d8e2f1a7b3
Revises: ef6a62e04a2e
Create Date: 2026-12-03 20:10:00

Staff raising an exam's pass mark while officers were sitting it regraded those officers
against the new mark. Each attempt now keeps the exam's pass mark and partial-credit rule
from the moment it began; older attempts (NULL) follow the exam as before.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4d8e2f1a7b3'
down_revision = 'ef6a62e04a2e'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pass_percent', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('partial_credit', sa.Boolean(), nullable=True))


def downgrade():
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.drop_column('partial_credit')
        batch_op.drop_column('pass_percent')
