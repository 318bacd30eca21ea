"""`python -m bptui` runs the command line."""

from bptui.cli import main

raise SystemExit(main())
