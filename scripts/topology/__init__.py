"""The scale-out topology on this machine's loopback (docs/scaling.md): a PostgreSQL 15 primary and a
streaming replica, three `onewindow serve` app servers behind nginx, Redis as cache and Celery broker,
a Celery worker and beat; then the end-to-end flow through nginx. Run it with

    .venv/bin/python -m scripts.topology.run        # or: .venv/bin/python scripts/topology/run.py
"""
