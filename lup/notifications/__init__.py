"""Notifications: something that happened, for one person, stored once and e-mailed.

`services.notify` stores one `Notification` per person and event (its `key` is unique per
person, so asking twice sends nothing twice) and, once the transaction commits, hands the
e-mails to a Celery task with retries (`tasks.send_notification_emails`). The stored row is
written first: a mail server that fails never loses it, and the task tries again. Each
e-mail is written when it is sent, in the recipient's language (`messages`), with a
plain-text part, a link to the page, and the calendar event when there is one.

The first kinds are the gatherings' (planned, moved, cancelled: lup.receivers builds the
calendar event with lup.calendar); answers, reminders, announcements and the in-product
list are to come (issue 21).
"""
