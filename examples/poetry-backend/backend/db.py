"""Database access: Prisma for the app's tables, SQLAlchemy for reporting."""
import prisma
import sqlalchemy


def connect():
    """Connect through Prisma; needs the query engine `prisma generate` downloaded."""
    return prisma.Prisma().connect()


def engine_info():
    return {"prisma": prisma.hello(), "sqlalchemy": sqlalchemy.hello(), "engine": prisma.engine_path()}
