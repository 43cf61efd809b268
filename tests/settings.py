"""Settings for the test run: the product's settings with a private var/ and fast hashing."""

import os
import tempfile

if not os.environ.get("EXPEDITE_VAR_DIR"):
    os.environ["EXPEDITE_VAR_DIR"] = tempfile.mkdtemp(prefix="expedite-test-")
# The tests flush their queue: never the one a running installation uses.
os.environ.setdefault("EXPEDITE_QUEUE_NAME", "expedite-test")
os.environ["EXPEDITE_ENV"] = "test"
# Each test starts with an empty cache (conftest), also tests without a database; the tests of
# the shared stores themselves (test_portal_throttle, test_login_throttle) use the database.
os.environ.setdefault("EXPEDITE_CACHE_URL", "locmem://")

from expedite.web.settings import *  # noqa: F403

# The test runner empties tables with TRUNCATE between tests; the audit tables refuse that
# unless the connection says otherwise (see audit migration 0008).
if DATABASES["default"]["ENGINE"].endswith("postgresql"):  # noqa: F405
    _options = DATABASES["default"].setdefault("OPTIONS", {})  # noqa: F405
    _options["options"] = (_options.get("options", "") + " -c expedite.allow_truncate=on").strip()

# The server runs at the suite's pinned instant while the browser keeps the machine's clock:
# cookies that expire at a pinned instant would already be expired for Chromium. Browser-session
# cookies carry no date; sessions still end on the server, at the server's (pinned) time.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_AGE = None
