"""The fake Microsoft 365: sign-in (what MSAL calls) and the Graph endpoints tui-sync uses, over HTTPS.

An independent reading of Graph (it never imports ``tui_sync.microsoft``/``sync``/``store``): see
``server.start_fake`` for the Python entry point and ``server.main`` for ``tui-sync fake-graph``.
"""

from .server import FakeServer, main, start_fake

__all__ = ["FakeServer", "main", "start_fake"]
