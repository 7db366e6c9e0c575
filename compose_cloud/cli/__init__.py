"""The `compose-cloud` command line: the parser, one module per command family, and the typed
request every command receives (`main.py` parses once and dispatches)."""
