"""Certificates as Open Badges 3.0 credentials that anyone can verify anywhere.

- `details`: what the host's adapter says about a credential's issuer and achievement;
- `keys`: each issuer's signing keys (ES256), encrypted at rest, rotated and withdrawn;
- `documents`: the public JSON documents (credential, issuer profile, achievement, key
  set, status list) and their addresses under CERTIFICATES_SITE_URL;
- `status`: revocation by W3C Bitstring Status List;
- `issuing`: signing (VC-JWT) and issuing a certificate's credential, once;
- `verification`: checking an uploaded credential, step by step;
- `views`/`urls`: the public addresses, mounted by the site at "credentials/".
"""
