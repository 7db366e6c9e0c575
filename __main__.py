"""Pulumi program entry point: bad input is reported once, without a traceback, before any resource."""

import gc
import sys

import pulumi

from compose_translate import ComposeError
from providers.program import GC_THRESHOLDS, main

gc.freeze()
gc.set_threshold(*GC_THRESHOLDS)  # this process ends with the program: no need to restore
try:
    main()
except ComposeError as exc:
    pulumi.log.error(exc.render())
    sys.exit(1)
