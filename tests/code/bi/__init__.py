"""BI tests: the Superset dashboard as code (bi/superset/), its files and the dashboard in a real browser."""
