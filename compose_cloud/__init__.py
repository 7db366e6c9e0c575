"""The `compose-cloud` command line: check, plan (and later preview, diff)."""
