"""django-allauth adapter for the standalone site: no open sign-up.

People come in through imports or single sign-on, so the public sign-up form is closed.
"""

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class ClosedSignupAccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False
