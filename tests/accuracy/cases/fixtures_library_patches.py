"""OpenStack-style suites patch through the fixtures library: `self.useFixture(
fixtures.MockPatch(...))` and its siblings are patches (MG201) whatever they install; a mock
built in their arguments is a site of its own."""

from unittest import mock

import fixtures
from fixtures import MockPatch, MockPatchObject
from fixtures import MonkeyPatch as FixtureMonkeyPatch
from oslotest import base

from nova import utils
from nova.compute import api as compute_api
from nova.db import api as db_api
from nova.network import neutron
from nova.tests import helpers


class TestInstanceActions(base.BaseTestCase):
    def setUp(self):
        super().setUp()
        self.mock_get = self.useFixture(
            fixtures.MockPatch("nova.db.api.instance_get", return_value={"uuid": "a"})  # expect: MG201[database]
        ).mock
        self.useFixture(fixtures.MockPatchObject(compute_api.API, "get_all"))  # expect: MG201[generic]
        self.useFixture(MockPatch("nova.network.neutron.API.allocate_for_instance"))  # expect: MG201[generic]
        self.useFixture(fixtures.TempDir())  # ok
        self.useFixture(fixtures.EnvironmentVariable("OS_DEBUG", "1"))  # ok

    def test_session_from_patch_object(self):
        session = self.useFixture(
            MockPatchObject(db_api, "get_session", return_value=mock.MagicMock())  # expect: MG201[database] MG101[database]
        ).mock
        self.assertIsNotNone(session)

    def test_monkeypatch_fixture_with_a_function(self):
        self.useFixture(fixtures.MonkeyPatch("nova.utils.execute", lambda *a, **k: ("", "")))  # expect: MG201[generic]
        self.assertEqual(utils.execute("ls"), ("", ""))

    def test_monkeypatch_fixture_alias_with_a_mock(self):
        self.useFixture(FixtureMonkeyPatch("nova.utils.ssh_execute", mock.Mock()))  # expect: MG201[generic] MG101[generic]
        self.assertTrue(utils.ssh_execute("host", "ls"))

    def test_patch_multiple_fixture(self):
        self.useFixture(
            fixtures.MockPatchMultiple(  # expect: MG201[generic]
                neutron.API,
                get_instance_nw_info=mock.DEFAULT,
                validate_networks=mock.Mock(),  # expect: MG101[generic]
            )
        )
        self.assertTrue(neutron.API().validate_networks())

    def test_look_alikes(self):
        patcher_class = fixtures.MockPatch  # ok
        helpers.MockPatch("nova.utils.execute")  # ok
        self.assertTrue(patcher_class)
