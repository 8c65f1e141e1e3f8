"""uncoop: open datasets of the UN's cooperation with regional organizations.

`flows.core` holds the Prefect-free logic; the stage modules (`ingest`, `extract`,
`normalize`, `validate`, `publish`) wrap it in thin Prefect tasks and `pipeline`
composes them into the build flow.
"""

__version__ = "0.1.0"
