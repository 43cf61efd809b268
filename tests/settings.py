"""Settings for the test run: the product's settings with a private var/ and fast hashing."""

import os
import tempfile

if not os.environ.get("EXPEDITE_VAR_DIR"):
    os.environ["EXPEDITE_VAR_DIR"] = tempfile.mkdtemp(prefix="expedite-test-")
# The tests flush their queue: never the one a running installation uses.
os.environ.setdefault("EXPEDITE_QUEUE_NAME", "expedite-test")
os.environ["EXPEDITE_ENV"] = "test"

from expedite.web.settings import *  # noqa: F403

# The test runner empties tables with TRUNCATE between tests; the audit tables refuse that
# unless the connection says otherwise (see audit migration 0008).
if DATABASES["default"]["ENGINE"].endswith("postgresql"):  # noqa: F405
    _options = DATABASES["default"].setdefault("OPTIONS", {})  # noqa: F405
    _options["options"] = (_options.get("options", "") + " -c expedite.allow_truncate=on").strip()
