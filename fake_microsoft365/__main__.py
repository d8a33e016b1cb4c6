"""``python -m fake_microsoft365`` = ``tui-sync fake-graph``."""

import sys

from .server import main

sys.exit(main(sys.argv[1:]))
