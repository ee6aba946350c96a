"""The dependencies pyproject.toml declares (runtime and the `test` extra).

    python .ci/deps.py lower-bounds   # pip constraints: each `>=X` pinned to `==X`
    python .ci/deps.py versions       # what is installed, and libyaml's version

Run `versions` with the interpreter of the environment to report on.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"
# name, the rest of the specifier, and an optional `; marker`.
REQUIREMENT = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*([^;]*?)\s*(?:;\s*(.*))?$")


def requirements() -> list[tuple[str, str, str | None]]:
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    declared = project["dependencies"] + project["optional-dependencies"]["test"]
    return [REQUIREMENT.match(line).groups() for line in declared]


def lower_bounds() -> None:
    for name, specifier, marker in requirements():
        bound = re.search(r">=\s*([^,\s]+)", specifier)
        if bound is None:
            sys.exit(f"{name}: no `>=` lower bound in pyproject.toml")
        print(f"{name}=={bound.group(1)}" + (f"; {marker}" if marker else ""))


def versions() -> None:
    from importlib import metadata

    for name, _, marker in requirements():
        try:
            print(f"{name:22} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            print(f"{name:22} not installed" + (f" (needed only when {marker})" if marker else ""))
    import yaml

    libyaml = yaml._yaml.get_version_string() if yaml.__with_libyaml__ else "none"
    print(f"{'libyaml (PyYAML)':22} {libyaml}")
    try:
        import _ruamel_yaml

        print(f"{'libyaml (ruamel)':22} {_ruamel_yaml.get_version_string()}")
    except ImportError:
        print(f"{'libyaml (ruamel)':22} none")


if __name__ == "__main__":
    {"lower-bounds": lower_bounds, "versions": versions}[sys.argv[1]]()
