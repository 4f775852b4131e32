"""A third-party package that extends auditor through entry points only: a pipeline and a writer.

Its distribution metadata (``entry_points.txt``) is written by ``tests/plugins/conftest.py``
into a temporary ``site`` folder, exactly as pip would install it::

    [auditor.pipelines]
    colour-counts = auditor_sample_plugin.pipeline:ColourCounts

    [auditor.writers]
    markdown = auditor_sample_plugin.writer:write_markdown
"""
