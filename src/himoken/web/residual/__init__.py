"""Residual risk (issue 7): audit samples of auto-cleared records that clerks verify, and the
estimate of wrong linkages still hidden among them, for the public in plain Japanese."""
