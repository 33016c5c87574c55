"""The site people browse: failures first, by region, body, year and rule, with evidence and statistics.

Built from the audit state (or a ``nianbao check`` result, or a published ``findings.json``) and
published at the docs root next to the GX validation pages (``sites/<run>/b<batch>/``), which stay the
per-report detail.

- ``model``   pure: state + cells + catalogue -> page data (statuses, regions, groups, changes, stats)
- ``pages``   HTML rendering (escaped, self-contained CSS, relative links only)
- ``charts``  SVG charts rendered at build time (Altair + vl-convert)
- ``exports`` CSV, XLSX and Parquet downloads (per run and per province)
- ``search``  the pagefind index (client-side search with no server)
- ``build``   orchestration: render, hash, write only what changed, upload to the docs store
"""

from flows.site.build import BuildResult, build_site, build_site_from_check, build_site_from_state

__all__ = ["BuildResult", "build_site", "build_site_from_check", "build_site_from_state"]
