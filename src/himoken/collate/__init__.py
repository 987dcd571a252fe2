"""The collation engine: ingest, compare, classify, search, report (spec collation-io.md)."""
