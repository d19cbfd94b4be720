"""The front-desk console: a small Flask app where clinic staff work the request queue.

``console.app.create_app`` builds the app, ``python -m console`` serves it (``make run``
starts it) and ``python -m console.staff_accounts`` manages staff logins.
"""
