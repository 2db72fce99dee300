"""Calendars (iCalendar, RFC 5545): each gathering as an event people add to Outlook or
Google (`events`), and a personal calendar feed at a secret address that a calendar app
subscribes to (`models.CalendarFeed`, `services`, `selectors`, `views`).

An event's UID is stable (the gathering's id at the site's host) and its SEQUENCE is the
gathering's `calendar_sequence`, raised by `lup.office.services.update_gathering` whenever
what a calendar shows changes, so calendars move the event instead of adding a second one.
Times are in Europe/Oslo with the zone's VTIMEZONE. The calendar files are built with the
`icalendar` library, not by hand.
"""
