"""`mockguard.factory.patch`: a patch whose double follows the real object it replaces.

`patch("app.clock.now", return_value=NOW)` works as `unittest.mock.patch` does (a
decorator that passes the double in, a context manager, or a patcher to `start()` and
`stop()`), but the double is built from the object it replaces, as `create_autospec` builds
it: a call the real signature refuses is a TypeError, an attribute the real object lacks is
an AttributeError, and an `async def` stays awaitable. The object to patch must exist.

What the double is made of is the real object's business, so the arguments that would
choose something else (`new`, `new_callable`, `spec`, `spec_set`, `create`, an `autospec`
other than True) are refused; configured values (`return_value`, `side_effect`, any
`attr=value` a mock takes) are passed on.
"""

from __future__ import annotations

import inspect
from typing import Any
from unittest import mock

from mockguard.factory.errors import KindError
from mockguard.factory.members import PLAIN_VALUES

_MISSING = object()
# Arguments of `unittest.mock.patch` that pick another double than the real object's.
_CHOOSERS = ("new", "new_callable", "spec", "spec_set", "create")


def _checked(where: str, kwargs: dict[str, Any]) -> dict[str, Any]:
    chosen = [name for name in _CHOOSERS if name in kwargs]
    autospec = kwargs.pop("autospec", True)
    if autospec is not True:
        chosen.append("autospec")
    if chosen:
        names = ", ".join(f"`{name}`" for name in chosen)
        raise KindError(
            f"{where}: {names} would choose another double than the real object's; "
            "use unittest.mock.patch for that"
        )
    return kwargs


class FactoryPatch:
    """`patch(target, **configure)` and `patch.object(owner, attribute, **configure)`."""

    def __call__(self, target: str, **configure: Any) -> Any:
        """A patcher of the object `target` names (`"app.clock.now"`), replaced for the
        test by a double built from it."""
        if not isinstance(target, str):
            raise KindError(f"patch(): the target must be a dotted name, not {target!r}")
        configure = _checked(f"patch({target!r})", configure)
        return mock.patch(target, autospec=True, **configure)

    def object(self, owner: object, attribute: str, **configure: Any) -> Any:
        """A patcher of `owner.attribute`, replaced for the test by a double built from
        it. A member that is None or a plain value (a number, a string, a container) has
        no interface to build from: a KindError."""
        where = f"patch.object(..., {attribute!r})"
        configure = _checked(where, configure)
        found = inspect.getattr_static(owner, attribute, _MISSING)  # missing: patch says so
        if found is None or isinstance(found, PLAIN_VALUES):
            raise KindError(
                f"{where}: {type(found).__name__} has no interface to build the double from; "
                "use unittest.mock.patch.object for that"
            )
        return mock.patch.object(owner, attribute, autospec=True, **configure)


patch = FactoryPatch()
