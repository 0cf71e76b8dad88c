"""The codemod as before/after source pairs, with the warnings it gives for what it skips."""

from __future__ import annotations

from libcst.codemod import CodemodTest

from mockguard.fix.command import ReplaceAdHocMocksCommand


class TestReplaceAdHocMocks(CodemodTest):
    TRANSFORM = ReplaceAdHocMocksCommand

    def test_websocket_setup_becomes_one_call(self) -> None:
        before = """
            from unittest.mock import AsyncMock, MagicMock

            async def test_notify():
                ws = MagicMock()  # the user's socket
                ws.send_json = AsyncMock()
                ws.accept = AsyncMock()
                await notify(ws)
                ws.send_json.assert_awaited_once()
        """
        after = """
            from mockguard import SSotMockFactory

            async def test_notify():
                ws = SSotMockFactory.create_websocket_mock()  # the user's socket
                await notify(ws)
                ws.send_json.assert_awaited_once()
        """
        self.assertCodemod(before, after)

    def test_customisations_are_kept_as_statements(self) -> None:
        before = """
            from unittest.mock import AsyncMock

            async def test_session():
                session = AsyncMock()
                session.execute = AsyncMock(return_value=[1, 2])
                session.commit = AsyncMock(side_effect=RuntimeError("down"))
                session.rollback.return_value = None
                await run(session)
        """
        after = """
            from mockguard import SSotMockFactory

            async def test_session():
                session = SSotMockFactory.create_database_session_mock()
                session.execute.return_value = [1, 2]
                session.commit.side_effect = RuntimeError("down")
                session.rollback.return_value = None
                await run(session)
        """
        self.assertCodemod(before, after)

    def test_self_attribute_in_a_test_case(self) -> None:
        before = """
            import unittest
            from unittest import mock

            class TestAgent(unittest.IsolatedAsyncioTestCase):
                def setUp(self):
                    self.agent = mock.MagicMock()
                    self.agent.run = mock.AsyncMock(return_value="4")

                async def test_answer(self):
                    assert await self.agent.run(None, "2+2") == "4"
        """
        after = """
            import unittest
            from mockguard import SSotMockFactory

            class TestAgent(unittest.IsolatedAsyncioTestCase):
                def setUp(self):
                    self.agent = SSotMockFactory.create_agent_mock()
                    self.agent.run.return_value = "4"

                async def test_answer(self):
                    assert await self.agent.run(None, "2+2") == "4"
        """
        self.assertCodemod(before, after)

    def test_imports_still_used_are_kept(self) -> None:
        before = """
            from unittest.mock import AsyncMock, MagicMock

            async def test_two():
                ws = MagicMock()
                ws.send_json = AsyncMock()
                other = MagicMock()
                return ws, other
        """
        after = """
            from unittest.mock import MagicMock
            from mockguard import SSotMockFactory

            async def test_two():
                ws = SSotMockFactory.create_websocket_mock()
                other = MagicMock()
                return ws, other
        """
        self.assertCodemod(
            before,
            after,
            expected_warnings=[
                "line 6 [generic]: left as it is: no factory kind for the `generic` category"
            ],
        )

    def test_setups_inside_with_if_for_and_try_blocks(self) -> None:
        before = """
            from unittest import mock
            from unittest.mock import AsyncMock, MagicMock

            async def test_notify(users):
                with mock.patch("app.Clock.now"):
                    ws = MagicMock()
                    ws.send_json = AsyncMock()
                    await notify(ws)
                for user in users:
                    if user.online:
                        other_ws = MagicMock()
                        other_ws.accept = AsyncMock()
                        await greet(other_ws)
                try:
                    pass
                except ValueError:
                    late_ws = MagicMock()
                    late_ws.close = AsyncMock()
                    await late_ws.close()

                def helper():
                    inner = MagicMock()
                    inner.send_json = AsyncMock()
                    return inner
        """
        after = """
            from unittest import mock
            from unittest.mock import AsyncMock, MagicMock
            from mockguard import SSotMockFactory

            async def test_notify(users):
                with mock.patch("app.Clock.now"):
                    ws = SSotMockFactory.create_websocket_mock()
                    await notify(ws)
                for user in users:
                    if user.online:
                        other_ws = SSotMockFactory.create_websocket_mock()
                        await greet(other_ws)
                try:
                    pass
                except ValueError:
                    late_ws = SSotMockFactory.create_websocket_mock()
                    await late_ws.close()

                def helper():
                    inner = MagicMock()
                    inner.send_json = AsyncMock()
                    return inner
        """
        self.assertCodemod(
            before,
            after,
            expected_warnings=[
                "line 5 [generic]: left as it is: its target is not what a module binds: "
                "`app.Clock.now` is a member of a class (its double would take `self`)",
                "line 22 [websocket]: left as it is: it escapes into `the return value of "
                "helper()`: what it stands for is decided there",
                "line 23 [websocket]: left as it is: it is wired onto a mock, not a real "
                "object: `inner` is bound to a mock (line 22)",
            ],
        )

    def assert_skipped(self, before: str, *warnings: str) -> None:
        self.assertCodemod(before, before, expected_warnings=list(warnings), expected_skip=True)

    def test_skip_member_the_kind_lacks(self) -> None:
        self.assert_skipped(
            """
            from unittest.mock import MagicMock

            def test_ws():
                ws = MagicMock()
                ws.send_jsn.return_value = None
            """,
            "line 4 [websocket]: left as it is: the shape is not covered: `websocket` has no "
            "`send_jsn`; `websocket_manager` has no `send_jsn`; `agent_websocket_bridge` has no `send_jsn`",
        )

    def test_skip_sync_async_mismatch(self) -> None:
        self.assert_skipped(
            """
            from unittest.mock import AsyncMock, MagicMock

            def test_session():
                session = MagicMock()
                session.add = AsyncMock()
            """,
            "line 4 [database]: left as it is: the shape is not covered: `database_session`: "
            "`add` is wired as an AsyncMock but is not `async def`",
            "line 5 [database]: left as it is: it is wired onto a mock, not a real object: "
            "`session` is bound to a mock (line 4)",
        )

    def test_skip_escaping_mock(self) -> None:
        self.assert_skipped(
            """
            from unittest.mock import MagicMock

            def test_query(session):
                result = MagicMock()
                result.scalars.return_value.all.return_value = []
                session.execute.return_value = result
            """,
            "line 4 [database]: left as it is: it escapes into `session.execute.return_value`: "
            "what it stands for is decided there",
        )

    def test_skip_dynamic_names(self) -> None:
        self.assert_skipped(
            """
            from unittest.mock import AsyncMock, MagicMock

            def test_bridge(event):
                ws_bridge = MagicMock()
                setattr(ws_bridge, event, AsyncMock())
            """,
            "line 4 [websocket]: left as it is: attributes set by dynamic names (line 5)",
            "line 5 [websocket]: left as it is: not the whole value of a plain assignment",
        )

    def test_skip_called_mock_and_rebound_name(self) -> None:
        self.assert_skipped(
            """
            from unittest.mock import MagicMock

            def test_agent():
                agent = MagicMock()
                agent.run.return_value = "x"
                agent()
            """,
            "line 4 [agent]: left as it is: the mock itself is called (line 6)",
        )
        self.assert_skipped(
            """
            from unittest.mock import MagicMock

            def test_agent():
                agent = MagicMock()
                agent.run.return_value = "x"
                agent = None
            """,
            "line 4 [agent]: left as it is: `agent` is assigned again (line 6)",
        )

    def test_skip_constructor_configuration_and_bare_mocks(self) -> None:
        self.assert_skipped(
            """
            from unittest.mock import MagicMock

            def test_agent():
                agent = MagicMock(run=None)
                ws = MagicMock()
                return agent, ws
            """,
            "line 4 [agent]: left as it is: the constructor configures the mock itself",
            "line 5 [websocket]: left as it is: nothing is configured or used on it: "
            "no shape to match a kind against",
        )

    def test_skip_generic(self) -> None:
        self.assert_skipped(
            """
            from unittest.mock import MagicMock

            def test_clock():
                clock = MagicMock()
                clock.now.return_value = 3
            """,
            "line 4 [generic]: left as it is: no factory kind for the `generic` category",
        )

    def test_skip_a_call_the_real_signature_refuses(self) -> None:
        # An environment reader named like a session: `get(key)` is not
        # `AsyncSession.get(entity, ident)`, so it is not a database session.
        self.assert_skipped(
            """
            from unittest.mock import MagicMock

            def test_settings():
                session = MagicMock()
                session.get("DATABASE_URL")
            """,
            "line 4 [database]: left as it is: the shape is not covered: `database_session`: "
            "`session.get(...)` (line 5) does not fit `get(entity, ident, *, options=..., "
            "populate_existing=..., with_for_update=..., identity_token=..., "
            "execution_options=...)`: missing a required argument: 'ident'",
        )

    def test_a_call_that_fits_the_signature_is_rewritten(self) -> None:
        self.assertCodemod(
            """
            from unittest.mock import MagicMock

            async def test_user():
                session = MagicMock()
                await session.get(User, 1)
            """,
            """
            from mockguard import SSotMockFactory

            async def test_user():
                session = SSotMockFactory.create_database_session_mock()
                await session.get(User, 1)
            """,
        )

    def test_skip_a_category_that_rests_on_where_the_mock_goes(self) -> None:
        # A message-bus sender is "database" only because a cache method takes it.
        self.assert_skipped(
            """
            from unittest.mock import MagicMock

            def test_sender(channel):
                sender = MagicMock()
                channel._add_queue_to_cache(sender)
                sender.close()
            """,
            "line 4 [database]: left as it is: its category `database` rests on flow only, "
            "not on what the mock is",
        )

    def test_skip_value_set_over_a_method(self) -> None:
        self.assert_skipped(
            """
            from unittest.mock import MagicMock

            def test_conf():
                session = MagicMock()
                session.connection = "fakemain://"
            """,
            "line 4 [database]: left as it is: the shape is not covered: `database_session`: "
            "`connection` is a method, but the test sets it to a value",
        )
