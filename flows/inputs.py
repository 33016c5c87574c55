"""Gather input files from the command line and parse them, one bad file never stopping the rest."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from parsers import ParseError, Report, parse_bytes

# Files a report folder typically also holds and that are never reports.
SKIP_NAMES = {"README.md", "readme.md", ".DS_Store", "Thumbs.db"}


@dataclass(frozen=True, slots=True)
class InputError:
    source: str
    reason: str

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"


def iter_input_files(paths: Iterable[str]) -> tuple[list[Path], list[InputError]]:
    """Expand files and folders (recursively, sorted, hidden files skipped)."""
    files: list[Path] = []
    errors: list[InputError] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            for root, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for n in sorted(names):
                    if n.startswith(".") or n in SKIP_NAMES:
                        continue
                    files.append(Path(root) / n)
        elif path.is_file():
            files.append(path)
        else:
            errors.append(InputError(str(path), "no such file or folder"))
    return files, errors


def parse_file(path: Path) -> list[Report]:
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ParseError(str(path), f"cannot read the file ({e.strerror or e})") from e
    return parse_bytes(data, str(path))


def parse_inputs(paths: Iterable[str]) -> tuple[list[Report], list[InputError]]:
    """Parse every input; errors are collected (with the file and the reason), never raised."""
    files, errors = iter_input_files(paths)
    reports: list[Report] = []
    for f in files:
        try:
            reports.extend(parse_file(f))
        except ParseError as e:
            errors.append(InputError(e.source, e.reason))
        except Exception as e:  # a parser bug must not stop the other files
            errors.append(InputError(str(f), f"internal parser error: {type(e).__name__}: {e}"))
    return reports, errors
