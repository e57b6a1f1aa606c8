"""The machinery: middlewares, the outbox worker, live message edits, the scheduler, FSM storage, the leader
lock, the ballot box (the vote press's group commit), the secret ballots' keys and what follows a commit.

It implements what the operations ask of it through bot/ops/effects.py (what follows a commit, the ballot box, the
vote keys) and calls the operations; no operation imports it."""
