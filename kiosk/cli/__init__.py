"""The ``assettrack`` command line: one module per command group."""
