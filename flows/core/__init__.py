"""The Prefect-free heart of uncoop: plain, typed functions that take and return data."""
