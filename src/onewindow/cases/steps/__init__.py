"""The steps of a case's life that the public services (intake, approval, supplements, results,
submission, bundles) put together: each runs inside the caller's transaction, on a case already locked
by `transitions.lock_case` (or, for `submission`, on a case being written), checks its own rule and
changes the rows. They never import the public services: a service is "lock, check, call steps", and
a step that needs another step imports it from this package, downwards (materials, clock, tasks,
outcome → decision → acceptance)."""
