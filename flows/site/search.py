"""Client-side search by body name: a pagefind index built at build time over the body pages.

The pagefind binary comes with the PyPI package ``pagefind[extended]`` (the extended build segments
Chinese). It indexes a folder of HTML; the index (``site/pagefind/``) is static files fetched by the
browser relative to the page, so search works from a bucket or any web server with no server-side
code. (Browsers do not let a page opened from ``file://`` fetch those files: the search page says so
and points to the body list.) Pagefind names its fragments by content hash, so a rebuild uploads only
the fragments of bodies whose page changed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path


class SearchError(RuntimeError):
    pass


def available() -> bool:
    try:
        import pagefind  # noqa: F401
    except ImportError:
        return shutil.which("pagefind_extended") is not None or shutil.which("pagefind") is not None
    return True


def _command() -> list[str]:
    try:
        import pagefind  # noqa: F401

        return [sys.executable, "-m", "pagefind"]
    except ImportError:
        exe = shutil.which("pagefind_extended") or shutil.which("pagefind")
        if exe is None:
            raise SearchError("pagefind is not installed (pip install 'pagefind[extended]')") from None
        return [exe]


def build_index(site_dir: Path, out_dir: Path, glob: str = "site/b/**/*.html", timeout: float = 900) -> Path:
    """Index the pages of ``site_dir`` matching ``glob`` (URLs relative to ``site_dir``); the bundle is
    written to ``out_dir`` (to be published as ``site/pagefind/``)."""
    if out_dir.exists():
        shutil.rmtree(out_dir)
    cmd = [*_command(), "--site", str(site_dir), "--glob", glob, "--output-path", str(out_dir),
           "--force-language", "zh-cn", "--silent"]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise SearchError(f"pagefind failed: {e}") from e
    if r.returncode != 0 or not (out_dir / "pagefind.js").is_file():
        raise SearchError(f"pagefind failed ({r.returncode}): {(r.stderr or r.stdout).strip()[-500:]}")
    return out_dir
