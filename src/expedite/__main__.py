"""The `expedite` command: Django's manage with Expedite's settings and commands."""

from __future__ import annotations

import os
import sys

NOT_MIGRATED = "数据库尚未初始化：请先运行 expedite setup。"


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "expedite.web.settings")
    # Django loads once the settings module is chosen.
    from django.core.management import execute_from_command_line
    from django.db.utils import OperationalError, ProgrammingError

    try:
        execute_from_command_line(["expedite", *(sys.argv[1:] if argv is None else argv)])
    except (OperationalError, ProgrammingError) as exc:
        # A command run before `expedite setup` finds no tables: say what to run, not a trace.
        text = str(exc)
        if "no such table" in text or ("relation" in text and "does not exist" in text):
            sys.stderr.write(NOT_MIGRATED + "\n")
            sys.exit(2)
        raise


if __name__ == "__main__":
    main()
