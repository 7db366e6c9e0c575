"""Pulumi program entry point: bad input is reported once, without a traceback, before any resource."""

import sys

import pulumi

from compose_translate import ComposeError
from providers.program import main

try:
    main()
except ComposeError as exc:
    pulumi.log.error(exc.render())
    sys.exit(1)
