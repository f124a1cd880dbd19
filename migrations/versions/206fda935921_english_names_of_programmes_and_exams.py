"""programmes and exams may have an English name, title and description

Revision ID: 206fda935921
Revises: c4d8e2f1a7b3
Create Date: 2026-12-04 02:20:00

The English interface showed officers a programme's name and an exam's title and description
in Chinese only, beside courses that have an English title. Each gets optional English columns,
shown on English pages; NULL keeps the Chinese, as everything before this revision does.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '206fda935921'
down_revision = 'c4d8e2f1a7b3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('program', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_en', sa.String(length=120), nullable=True))
    with op.batch_alter_table('exam', schema=None) as batch_op:
        batch_op.add_column(sa.Column('title_en', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('description_en', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('exam', schema=None) as batch_op:
        batch_op.drop_column('description_en')
        batch_op.drop_column('title_en')
    with op.batch_alter_table('program', schema=None) as batch_op:
        batch_op.drop_column('name_en')
