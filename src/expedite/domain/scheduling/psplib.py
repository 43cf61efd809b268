"""PSPLIB single-mode RCPSP instances (`.sm`) and their best-known makespans.

An instance becomes a Problem with one case, no workers and the renewable resources as
cumulative pools; the supersource and supersink stay as zero-length tasks.
"""

from __future__ import annotations

import re
from pathlib import Path

from .model import Problem, SchedulingError, Task, critical_path_bound, gettext_noop

__all__ = ["critical_path_bound", "load_sm", "parse_sm", "parse_solutions"]


def parse_sm(text: str, name: str = "psplib") -> Problem:
    """Parse the text of one `.sm` file."""
    lines = text.splitlines()
    successors: dict[str, list[str]] = {}
    durations: dict[str, int] = {}
    demands: dict[str, dict[str, int]] = {}
    capacities: dict[str, int] = {}
    resources: list[str] = []
    section = None
    for i, raw in enumerate(lines):
        line = raw.strip()
        if line.startswith("PRECEDENCE RELATIONS"):
            section = "prec"
            continue
        if line.startswith("REQUESTS/DURATIONS"):
            section = "req"
            resources = _resource_names(lines[i + 1])
            continue
        if line.startswith("RESOURCEAVAILABILITIES"):
            section = "avail"
            resources = _resource_names(lines[i + 1])
            values = [int(v) for v in lines[i + 2].split()]
            capacities = dict(zip(resources, values, strict=True))
            break
        if not line or line.startswith("*") or not line.split()[0].isdigit():
            continue
        fields = [int(v) for v in line.split()]
        if section == "prec":
            job, _modes, count = fields[:3]
            successors[str(job)] = [str(s) for s in fields[3 : 3 + count]]
        elif section == "req":
            job, _mode, duration = fields[:3]
            durations[str(job)] = duration
            demands[str(job)] = {r: u for r, u in zip(resources, fields[3:], strict=True) if u > 0}
    if not durations or not capacities:
        raise SchedulingError(gettext_noop("不是 PSPLIB .sm 格式：%(name)s"), params={"name": name})
    predecessors: dict[str, list[str]] = {job: [] for job in durations}
    for job, succs in successors.items():
        for s in succs:
            predecessors[s].append(job)
    tasks = tuple(
        Task(
            id=job,
            case_id=name,
            hours=durations[job],
            predecessors=tuple(predecessors[job]),
            demands=demands[job],
        )
        for job in sorted(durations, key=int)
    )
    return Problem(tasks=tasks, pools=capacities)


def _resource_names(header: str) -> list[str]:
    return [f"R{n}" for n in re.findall(r"R\s*(\d+)", header)]


def load_sm(path: str | Path) -> Problem:
    path = Path(path)
    return parse_sm(path.read_text(encoding="utf-8", errors="replace"), path.stem)


def parse_solutions(path: str | Path) -> dict[str, int]:
    """Best-known makespans by instance name (`j301_1`), from a PSPLIB `j30hrs.sm`-style
    list (Par, Inst, Makespan) or a UGent `ugent_bks_*.csv` (the upper bound column)."""
    path = Path(path)
    text = path.read_text(encoding="utf-8", errors="replace")
    best: dict[str, int] = {}
    if path.suffix == ".csv":
        header: list[str] | None = None
        for line in text.splitlines():
            cells = line.split(";")
            if cells[0] == "ID":
                header = cells
            elif header and len(cells) == len(header) and cells[1].endswith(".sm"):
                row = dict(zip(header, cells, strict=True))
                value = row.get("UB value", "").strip()
                if value.isdigit():
                    best[cells[1].removesuffix(".sm")] = int(value)
        return best
    prefix = path.name.split("hrs")[0]  # "j30hrs.sm" -> "j30"
    for line in text.splitlines():
        cells = line.split()
        if len(cells) >= 3 and all(c.isdigit() for c in cells[:3]):
            best[f"{prefix}{cells[0]}_{cells[1]}"] = int(cells[2])
    return best
