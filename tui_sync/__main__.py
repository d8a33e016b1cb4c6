"""`python -m tui_sync`: the same program as the `tui-sync` console script."""

from tui_sync.cli import main

raise SystemExit(main())
