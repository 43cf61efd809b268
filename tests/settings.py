"""Settings for the test run: the product's settings with a private var/ and fast hashing."""

import os
import tempfile

os.environ.setdefault("EXPEDITE_VAR_DIR", tempfile.mkdtemp(prefix="expedite-test-"))
os.environ["EXPEDITE_ENV"] = "test"

from expedite.web.settings import *  # noqa: F403
