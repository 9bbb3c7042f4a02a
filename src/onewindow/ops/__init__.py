"""What an operator runs on the installation as a whole: `init` and the demo data (bootstrap), backup
and restore, the background processes (worker, beat, one job now), and the follow-ups one app's
change needs in another (followups).

These steps span apps, so they sit at the composition root, beside `cli.py` and `urls.py`, above
every app they call (docs/architecture.md): `core`, at the bottom, imports none of them."""
