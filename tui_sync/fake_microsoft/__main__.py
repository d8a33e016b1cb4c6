"""``python -m tui_sync.fake_microsoft`` = ``tui-sync fake-graph``."""

import sys

from .server import main

sys.exit(main(sys.argv[1:]))
