"""The case page: SQL queries and server time for the demo case with the most history.

Builds a new installation with its demo data (`expedite setup`) under a temporary directory,
then renders, as the supervisor, the page of the case with the most audit events, and the case
list as the baseline measured in the same run. Prints the queries of each, the median server
time over N requests, and the ratio of the case page to the list; then each panel the page
loads once scrolled into view.

    .venv/bin/python benchmarks/case_page.py [--requests 20] [--var DIR] [--against REV]
Target: a bounded number of queries (tests/web/test_case_panels.py asserts the bound).

`--against REV` also measures the page as a git revision draws it (checked out in a temporary
worktree, with its own demo installation, measured by this script), alternating runs with this
checkout, and prints the ratio of the two times: `--against 450a6ea` is the page before it
became panels.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _setup(var: str) -> None:
    os.environ["EXPEDITE_VAR_DIR"] = var
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("EXPEDITE_QUEUE_URL", None)
    if not (Path(var) / "expedite.sqlite3").exists():
        bin_dir = Path(sys.executable).parent
        subprocess.run([str(bin_dir / "expedite"), "setup"], check=True, stdout=subprocess.DEVNULL)
    os.environ["DJANGO_SETTINGS_MODULE"] = "expedite.web.settings"
    import django

    django.setup()


def _measure(client, url: str, n: int) -> tuple[float, float, int, int]:
    """Median and fastest server time over `n` requests (the fastest is the least disturbed
    by other work on a shared machine), queries and bytes."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    count = len(queries)  # read now: each request starts by clearing the log
    times = []
    for _ in range(n):
        start = time.perf_counter()
        client.get(url)
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times), count, len(response.content)


def _page_ms(root: Path, var: str, requests: int) -> tuple[float, float]:
    """The case page's median and fastest time with the code at `root`, measured by this
    script in a new process."""
    env = {**os.environ, "PYTHONPATH": str(root / "src")}
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--var",
            var,
            "--requests",
            str(requests),
        ],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    ).stdout
    found = re.search(r"case page:\s+([\d.]+) ms \(fastest ([\d.]+) ms\)", out)
    return float(found.group(1)), float(found.group(2))


def against(rev: str, requests: int, rounds: int = 5) -> None:
    here = Path(__file__).resolve().parent.parent
    work = Path(tempfile.mkdtemp(prefix="case-page-against-"))
    tree = work / "tree"
    git = ["git", "-C", str(here)]
    subprocess.run([*git, "worktree", "add", "--detach", "-q", str(tree), rev], check=True)
    ratios, fastest = [], []
    try:
        for n in range(rounds):
            then, then_min = _page_ms(tree, str(work / "then"), requests)
            now, now_min = _page_ms(here, str(work / "now"), requests)
            ratios.append(then / now)
            fastest.append(then_min / now_min)
            print(
                f"round {n + 1}: {rev} {then:.1f} ms (fastest {then_min:.1f}), "
                f"this checkout {now:.1f} ms (fastest {now_min:.1f}): {then / now:.2f}x faster"
            )
    finally:
        subprocess.run([*git, "worktree", "remove", "--force", str(tree)], check=False)
        shutil.rmtree(work, ignore_errors=True)
    print(
        f"median of the rounds: {statistics.median(ratios):.2f}x faster than {rev} "
        f"({statistics.median(fastest):.2f}x on the fastest requests)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--var", default="")
    parser.add_argument("--against", default="", help="a git revision to compare with")
    args = parser.parse_args()
    if args.against:
        against(args.against, args.requests)
        return
    _setup(args.var or tempfile.mkdtemp(prefix="case-page-"))

    from django.contrib.auth import get_user_model
    from django.db.models import Count
    from django.test import Client

    from expedite.cases.models import Case

    case = Case.objects.annotate(n=Count("audit_events")).order_by("-n", "pk").first()
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(username="zhaolei"))
    base_t, _, base_q, base_b = _measure(client, "/", args.requests)
    page_t, page_min, page_q, page_b = _measure(client, f"/cases/{case.pk}/", args.requests)
    print(f"case {case.reference}: {case.n} events, {case.steps.count()} steps")
    print(f"baseline list:    {base_t * 1000:.1f} ms, {base_q} queries, {base_b / 1024:.0f} KB")
    print(
        f"case page:        {page_t * 1000:.1f} ms (fastest {page_min * 1000:.1f} ms), "
        f"{page_q} queries, {page_b / 1024:.0f} KB"
    )
    print(f"ratio case page / case list: {page_t / base_t:.2f}")
    # Panels the page loads once scrolled into view, each its own request.
    try:
        from expedite.cases.panels import registered
    except ImportError:  # an older revision (--against) drew the page in one piece
        return

    for panel in (p for p in registered() if p.lazy):
        t, _, q, b = _measure(client, f"/cases/{case.pk}/panels/{panel.key}/", args.requests)
        print(f"  then panel {panel.key}: {t * 1000:.1f} ms, {q} queries, {b / 1024:.0f} KB")


if __name__ == "__main__":
    main()
