"""The command-line commands: each module is one `bptui` command (the top of the layers)."""
