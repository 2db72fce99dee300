"""Single sign-on with OpenID Connect: Microsoft Entra ID for employees, ID-porten and
Ansattporten, all through django-allauth.

What this adds to allauth:
- a nonce in every OpenID Connect authorization request, checked against the ID token
  (allauth's generic provider checks issuer and audience but sends no nonce): `providers`;
- a minimum assurance level (`acr`), from the provider app's settings; for Ansattporten
  (app setting `check_employer`), the person's employer by organisation number; for Entra
  ID, the municipality's own tenant: `verification`;
- no national identity number (`pid`) is ever stored: it is stripped from what allauth keeps;
- ID-porten's `locale` (Entra ID's preferred language) becomes the person's language, unless
  they chose one on the site (`providers.sign_in_language`, remembered by `lup.receivers`);
- no one signs up through SSO. ID-porten and Ansattporten link by their pairwise `sub`: a
  first sign-in proves the person's registered work e-mail once with a code (`linking`,
  `views`); Entra ID matches an existing person by verified e-mail;
- the sign-in pages' Content-Security-Policy lets their forms reach the configured
  providers: `origins`.

Providers are configured from settings (environment variables, see config/settings.py) or
in the admin as social applications, with no code change. A provider app's settings may
hold `minimum_acr` and `acr_order` (lowest first) for the assurance check.
"""

from .adapter import SocialAccountAdapter
from .origins import sign_in_form_origins
from .providers import (
    NONCE_STATE_KEY,
    NonceOpenIDConnectProvider,
    sign_in_language,
    strip_forbidden_claims,
)
from .verification import (
    DEFAULT_ACR_ORDER,
    SsoRejected,
    check_employer,
    check_entra_tenant,
    check_openid_connect_login,
)

__all__ = [
    "DEFAULT_ACR_ORDER",
    "NONCE_STATE_KEY",
    "NonceOpenIDConnectProvider",
    "SocialAccountAdapter",
    "SsoRejected",
    "check_employer",
    "check_entra_tenant",
    "check_openid_connect_login",
    "sign_in_form_origins",
    "sign_in_language",
    "strip_forbidden_claims",
]
