"""What the clusters of copied setups could become: the factory kind that serves each one.

The shapes themselves are gathered by the scan (:mod:`mockguard.scan.shapes`); this module
matches a cluster against the kind catalog and the factory's interfaces.
"""

from __future__ import annotations

from mockguard.catalog import KindCatalog
from mockguard.scan.shapes import Cluster


def covering_kind(group: Cluster, catalog: KindCatalog) -> str | None:
    """A built-in kind of the cluster's category (from the catalog) whose interface has
    every member the setups configure, if there is one. Configured kinds are not compiled:
    that would import the project's code."""
    from mockguard.factory.interface import InterfaceError
    from mockguard.factory.kinds import builtin_kinds

    makers = {k.name: k for k in builtin_kinds() if k.build is None}
    needed = {member.split(".", 1)[0] for member, _ in group.shape.members}
    for entry in catalog.for_category(group.category):
        kind = makers.get(entry.name) if entry.builtin else None
        if kind is None:
            continue
        try:
            members = kind.compiled().members
        except InterfaceError:
            continue
        if needed <= set(members):
            return kind.name
    return None


def suggest_kind(group: Cluster, index: int, catalog: KindCatalog) -> str:
    """A `[tool.mockguard.kinds.NAME]` table that would serve every member of a cluster,
    or the built-in kind that already does."""
    covered = covering_kind(group, catalog)
    if covered is not None:
        return f'# served by the built-in kind `{covered}`: mock_factory.create("{covered}")'

    spec_paths = sorted({p.spec_path for p in group.places if p.spec_path})
    name = f"{group.category}_{index}" if group.category != "generic" else f"double_{index}"
    if spec_paths:
        module, _, cls = spec_paths[0].rpartition(".")
        interface = (
            f'interface = "{module}:{cls}"'
            if module
            else f'interface = "{cls}"  # complete the import path'
        )
    else:
        interface = (
            'interface = "package.module:Class"  # the production class these setups stand for'
        )
    members = sorted(group.shape.members)
    configured = ", ".join(f"{member} ({kind})" for member, kind in members)
    return "\n".join(
        [
            f"# {group.size} setups configure: {configured}",
            f"[tool.mockguard.kinds.{name}]",
            interface,
            f'category = "{group.category}"',
        ]
    )
