"""The CLI's commands, one module per family (cli.py parses the command line and dispatches here)."""
