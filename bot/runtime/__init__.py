"""The machinery: middlewares, the outbox worker, live message edits, the scheduler, FSM storage, the leader
lock, the ballot box (the vote press's group commit) and what follows a commit. Operations use only
`after_commit`, where they record what changed, and the ballot box, where a vote press is written."""
