"""coverage: snapshots of past days, their version, and covering indexes for the dashboard

Revision ID: 4c0f3a9d2b71
Revises: 6e14224395c1
Create Date: 2026-12-01 18:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4c0f3a9d2b71'
down_revision = '6e14224395c1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('coverage_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coverage_version'))
    )
    op.execute("INSERT INTO coverage_version (id, version) VALUES (1, 0)")
    op.create_table('coverage_snapshot',
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('filed', sa.Integer(), nullable=False),
    sa.Column('trained', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['program_id'], ['program.id'], name=op.f('fk_coverage_snapshot_program_id_program'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('program_id', 'day', name=op.f('pk_coverage_snapshot'))
    )
    with op.batch_alter_table('enterprise', schema=None) as batch_op:
        batch_op.create_index('ix_enterprise_town_scale_industry', ['town_id', 'is_above_scale', 'industry_code'],
                              unique=False)
    with op.batch_alter_table('filing', schema=None) as batch_op:
        batch_op.create_index('ix_filing_enterprise_coverage',
                              ['enterprise_id', 'appointed_on', 'ended_on', 'user_id', 'status'], unique=False)


def downgrade():
    with op.batch_alter_table('filing', schema=None) as batch_op:
        batch_op.drop_index('ix_filing_enterprise_coverage')
    with op.batch_alter_table('enterprise', schema=None) as batch_op:
        batch_op.drop_index('ix_enterprise_town_scale_industry')
    op.drop_table('coverage_snapshot')
    op.drop_table('coverage_version')
