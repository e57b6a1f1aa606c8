"""The council's operations: one module per capability, named as in handlers/, ui/ and db/repo/.

An operation is an async function over a session and plain values. It asks access.py who may act, applies the
regulation (bot/rules.py), reads and writes through db/repo/, and records in effects.py what must follow its
commit (reminders, tallies, the outbox woken); the runtime (bot/runtime/) runs that after the commit and
implements effects.py's interfaces (the ballot box, the vote keys), so the runtime imports the operations and
never the other way round. Handlers, the scheduled jobs and the Mini App call the same operations.
"""
