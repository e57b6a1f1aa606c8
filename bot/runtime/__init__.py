"""The machinery: middlewares, the outbox worker, live message edits, the scheduler, FSM storage, the leader
lock, and what follows a commit. Operations know nothing of it but `after_commit`, where they record."""
