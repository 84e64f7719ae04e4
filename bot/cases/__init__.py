"""Follow-up: each letter's life after it is made (sent, answered, overdue, closed),
its reminders and a calendar of its dates. Plain Python, no Telegram: the journey,
the terminal chat and ``rightsbot cases`` drive it alike.

- :mod:`.lifecycle`: statuses, history, marking what happened;
- :mod:`.deadlines`: reply dates counted again from the sending date;
- :mod:`.reminders`: when to remind;
- :mod:`.book`: a person's cases in the store;
- :mod:`.calendar`: the .ics export.
"""
