"""Settings for the test run: the product's settings with a private var/ and fast hashing."""

import os
import tempfile

if not os.environ.get("EXPEDITE_VAR_DIR"):
    os.environ["EXPEDITE_VAR_DIR"] = tempfile.mkdtemp(prefix="expedite-test-")
# The tests flush their queue: never the one a running installation uses.
os.environ.setdefault("EXPEDITE_QUEUE_NAME", "expedite-test")
os.environ["EXPEDITE_ENV"] = "test"

from expedite.web.settings import *  # noqa: F403
