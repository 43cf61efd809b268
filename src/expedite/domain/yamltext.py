"""YAML in and out through libyaml when PyYAML was built with it (its wheels are).

The catalog is parsed for every catalog load, every handbook change check and every revised
catalog; libyaml does it about ten times faster than PyYAML's pure-Python loader, with the
same safe subset of YAML (no Python objects).
"""

from __future__ import annotations

from typing import Any

import yaml

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def load(text: str) -> Any:
    """Like `yaml.safe_load`."""
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader, C or Python


def dump(doc: Any, **options: Any) -> str:
    """Like `yaml.safe_dump`."""
    return yaml.dump(doc, Dumper=_Dumper, **options)
