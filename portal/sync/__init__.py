"""The sync engine: matching, diffing, field policies and outcomes. No Flask, no RQ."""
