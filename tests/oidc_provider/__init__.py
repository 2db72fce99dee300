"""A real OpenID Connect provider for the tests: django-oauth-toolkit in its own process.

`launcher.start_provider()` runs `python -m tests.oidc_provider.server` on a free
127.0.0.1 port and hands back where it answers, its client credentials and what it saw.
"""
