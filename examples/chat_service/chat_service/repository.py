"""Persistence of conversations and their messages."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chat_service.models import Conversation, Message

VALID_ROLES = frozenset({"user", "assistant"})


class ConversationRepository:
    """Reads and writes one user's conversation through an ``AsyncSession``.

    Each write commits, so a message is durable as soon as the call returns.
    """

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get_conversation(self, user_id: str) -> Conversation | None:
        result = await self._session.execute(
            select(Conversation)
            .where(Conversation.user_id == user_id)
            .order_by(Conversation.id)
            .limit(1)
        )
        return result.scalar_one_or_none()

    async def get_or_create_conversation(self, user_id: str) -> Conversation:
        """Return the user's conversation, creating (and committing) it if needed."""
        conversation = await self.get_conversation(user_id)
        if conversation is None:
            conversation = Conversation(user_id=user_id)
            self._session.add(conversation)
            await self._session.commit()
            await self._session.refresh(conversation)
        return conversation

    async def add_message(self, user_id: str, role: str, content: str) -> Message:
        """Append a message to the user's conversation and commit it.

        Raises:
            ValueError: for an unknown role or empty content.
        """
        if role not in VALID_ROLES:
            raise ValueError(f"invalid role {role!r}; expected one of {sorted(VALID_ROLES)}")
        if not content or not content.strip():
            raise ValueError("message content must not be empty")
        conversation = await self.get_or_create_conversation(user_id)
        message = Message(conversation_id=conversation.id, role=role, content=content)
        self._session.add(message)
        await self._session.commit()
        await self._session.refresh(message)
        return message

    async def list_messages(self, user_id: str, *, limit: int = 100) -> list[Message]:
        """The user's messages, oldest first (at most ``limit``)."""
        if limit < 1:
            raise ValueError("limit must be positive")
        result = await self._session.execute(
            select(Message)
            .join(Conversation, Message.conversation_id == Conversation.id)
            .where(Conversation.user_id == user_id)
            .order_by(Message.id)
            .limit(limit)
        )
        return list(result.scalars().all())
