"""Engine/session factory and schema creation."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import StaticPool

from chat_service.models import Base


def _is_in_memory_sqlite(url: str) -> bool:
    return url.startswith("sqlite") and (":memory:" in url or url.rstrip("/").endswith("sqlite"))


def create_engine_and_sessionmaker(
    url: str, *, echo: bool = False
) -> tuple[AsyncEngine, async_sessionmaker[AsyncSession]]:
    """Create the async engine and a session factory bound to it.

    An in-memory SQLite database only lives as long as its connection, so for
    it every session shares one connection (``StaticPool``).
    """
    if _is_in_memory_sqlite(url):
        engine = create_async_engine(
            url,
            echo=echo,
            connect_args={"check_same_thread": False},
            poolclass=StaticPool,
        )
    else:
        engine = create_async_engine(url, echo=echo)
    sessionmaker = async_sessionmaker(engine, expire_on_commit=False)
    return engine, sessionmaker


async def init_db(engine: AsyncEngine) -> None:
    """Create every table that does not exist yet."""
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
