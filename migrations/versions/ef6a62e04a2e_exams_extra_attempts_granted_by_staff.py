"""exams: extra attempts granted by staff

Revision ID: ef6a62e04a2e
Revises: b7e2d5a1c9f3
Create Date: 2026-12-02 00:30:22.873687

An officer who has used up an exam's attempts without passing could never be trained; staff
now grant one more sitting at a time, each grant a row with who granted it and why.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ef6a62e04a2e'
down_revision = 'b7e2d5a1c9f3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('exam_extra_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('exam_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('granted_by_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['exam_id'], ['exam.id'], name=op.f('fk_exam_extra_attempt_exam_id_exam'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['granted_by_id'], ['user.id'], name=op.f('fk_exam_extra_attempt_granted_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_exam_extra_attempt_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exam_extra_attempt'))
    )
    with op.batch_alter_table('exam_extra_attempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exam_extra_attempt_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('exam_extra_attempt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exam_extra_attempt_user_id'))

    op.drop_table('exam_extra_attempt')
