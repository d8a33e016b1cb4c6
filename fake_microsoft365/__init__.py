"""The fake Microsoft 365: sign-in (what MSAL calls) and the Graph endpoints tui-sync uses, over HTTPS.

A package of its own beside ``tui_sync`` and an independent reading of Graph: it imports nothing of
``tui_sync``, so a misreading of Graph in the client is not copied into the server it is tested
against. See ``server.start_fake`` for the Python entry point and ``server.main`` for
``tui-sync fake-graph``.
"""

from .server import FakeServer, main, start_fake

__all__ = ["FakeServer", "main", "start_fake"]
