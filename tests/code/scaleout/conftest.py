"""Scale-out flow tests run against a real Prefect API (tests/support/prefect.py, shared by the session)."""
