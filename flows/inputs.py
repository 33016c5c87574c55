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
        if self.reason == NO_REPORTS:
            return f"no report files found in {self.source}"
        return f"{self.source}: {self.reason}"


NO_REPORTS = "no report files found in the folder"


def iter_input_files(paths: Iterable[str]) -> tuple[list[Path], list[InputError]]:
    """Expand files and folders (recursively, sorted, hidden files skipped)."""
    files: list[Path] = []
    errors: list[InputError] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            before = len(files)
            for root, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for n in sorted(names):
                    if n.startswith(".") or n in SKIP_NAMES:
                        continue
                    files.append(Path(root) / n)
            if len(files) == before:
                errors.append(InputError(str(path), NO_REPORTS))
        elif path.is_file():
            files.append(path)
        else:
            errors.append(InputError(str(path), "no such file or folder"))
    return files, errors


def check_output_folder(option: str, path: str | None) -> str | None:
    """One line saying why ``path`` cannot be the output folder of ``option`` (None when it can)."""
    if not path or "://" in path:
        return None
    p = Path(path).expanduser()
    if p.is_file():
        return f"{option} {path}: is a file, not a folder"
    parent = next((a for a in p.absolute().parents if a.exists()), None) if not p.exists() else p
    if parent is not None and not parent.is_dir():
        return f"{option} {path}: {parent} is a file, not a folder"
    return None


def parse_file(path: Path) -> list[Report]:
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ParseError(str(path), f"cannot read the file ({e.strerror or e})") from e
    return parse_bytes(data, str(path))


def parse_inputs(paths: Iterable[str] | None = None, *, files: list[Path] | None = None,
                 errors: list[InputError] | None = None) -> tuple[list[Report], list[InputError]]:
    """Parse every input; errors are collected (with the file and the reason), never raised.

    ``files``/``errors`` from an earlier ``iter_input_files`` skip walking the folders again."""
    if files is None:
        files, errors = iter_input_files(paths or [])
    errors = list(errors or [])
    reports: list[Report] = []
    for f in files:
        try:
            reports.extend(parse_file(f))
        except ParseError as e:
            errors.append(InputError(e.source, e.reason))
        except Exception as e:  # a parser bug must not stop the other files
            errors.append(InputError(str(f), f"internal parser error: {type(e).__name__}: {e}"))
    return reports, errors
