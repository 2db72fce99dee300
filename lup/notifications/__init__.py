"""Notifications: something that happened, for one person, stored once and e-mailed.

`services.notify` stores one `Notification` per person and event (its `key` is unique per
person, so asking twice sends nothing twice) and, once the transaction commits, hands the
e-mails to a Celery task with retries (`tasks.send_notification_emails`). The stored row is
written first: a mail server that fails never loses it, and the task tries again. Each
e-mail is written when it is sent, in the recipient's language (`messages`), with a
plain-text part, a link to the page, and the calendar event when there is one.

Kinds: gatherings (planned, moved, cancelled, with the calendar event built by
lup.receivers with lup.calendar), answers (submitted, returned, approved), reminders
(lup.reminders; benefit follow-ups from lup.innovation), certificates issued, applications
accepted and announcements (lup.announcements). Each person chooses per kind how the
e-mail comes (`kinds`, `NotificationPreference`): at once, in the daily digest (`digest`)
or not at all; the product lists them all (`views`, `selectors`).
"""
