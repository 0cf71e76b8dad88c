"""The checks: pure functions from a node (and what the resolver knows) to the evidence of
one site. They print nothing and touch no files; the visitor decides where sites are and
calls them.

- :mod:`.construction`: MG101 and MG102, a mock built by a call.
- :mod:`.patching`: MG201, `patch(...)`, `mocker.patch*`, `monkeypatch.setattr(...)`.
- :mod:`.doubles`: MG301, a hand-written double class.
- :mod:`.factory`: a compliant call through the mock factory.
"""
