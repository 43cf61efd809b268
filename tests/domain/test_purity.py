"""The domain core must not import Django or any infrastructure (import-linter contract)."""

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import expedite.domain

DOMAIN = Path(expedite.domain.__file__).parent
FORBIDDEN = {"django", "ninja", "huey", "psycopg", "redis", "django_htmx"}


def test_import_linter_contracts_hold():
    """The core's purity and the layers of the whole project (pyproject.toml)."""
    lint = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))
    result = subprocess.run(
        [lint, "--no-cache"], capture_output=True, text=True, cwd=DOMAIN.parents[2], check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout
    assert "The domain core is pure" in result.stdout and "Layers:" in result.stdout


def test_no_domain_module_names_a_forbidden_package():
    offenders = []
    for path in DOMAIN.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert offenders == []
