"""Imported once by the fork server the parse workers are forked from (``parse_pool``): the modules
every worker needs (the parsers, Great Expectations and the rule engine, boto3, the page renderer),
~4 s of CPU a process when each worker imported them itself. Imports only: no thread may be started
here (a fork copies none of them), so the GX context, the chart engine and the clients are made in
each worker."""

import contextlib

with contextlib.suppress(Exception):  # a failure here only leaves the import to each worker
    import boto3  # noqa: F401
    import great_expectations  # noqa: F401
    from great_expectations.render.renderer import ValidationResultsPageRenderer  # noqa: F401
    from great_expectations.render.view import DefaultJinjaPageView  # noqa: F401

    import expectations.engine
    import expectations.gx_expectations  # noqa: F401
    import flows.cells
    import flows.storage
    import flows.validate  # noqa: F401
    import parsers

    parsers.warm()
