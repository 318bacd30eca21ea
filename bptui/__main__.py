"""`python -m bptui` runs the command line."""

from bptui.commands.cli import main

raise SystemExit(main())
