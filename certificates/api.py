"""The public surface of `certificates` for other apps (openedx-learning's convention).

An app that issues or shows certificates (LUP, say) imports from here and nowhere else in
`certificates`; an import-linter contract in pyproject.toml holds it to that. Everything
here is defined in the app's own modules and re-exported unchanged:

- services (writes): `ensure_template`, `save_template` (a change raises its version),
  a template's signatories (`add_signatory`, `change_signatory`, `move_signatory`,
  `remove_signatory`: at most `MAX_SIGNATORIES`, their images checked by
  `check_signature_image`, each change raising the template's version),
  `template_assets`, `preview_pdf` (a template, possibly unsaved, with made-up values),
  `issue_certificate`, `revoke_certificate`, `withhold_recipient_name` (a recipient
  anonymised) and `replace_names` (another name on a certificate, drawn again);
- selectors (reads, a fixed number of queries): `signatories_of`, `certificates_of`,
  `certificate_by_code`, `valid_codes_by_source`, `credential_addresses` (where a
  certificate's Open Badges credential is; no query with `CREDENTIAL_RELATED` loaded);
- the verifier of credential files: `verify_file`, answering a `Verification`;
- what the adapter says about a credential's issuer and achievement: `IssuerDetails`,
  `AchievementDetails` (Open Badges 3.0, `certificates.credentials`);
- the adapter a host project subclasses (`DefaultCertificatesAdapter`, chosen by
  CERTIFICATES_ADAPTER) and the one configured (`get_adapter`);
- the signals it sends upward that other apps receive: `certificate_issued` and
  `certificate_revoked`;
- the models, as types and for queries: `Certificate`, `CertificateTemplate`, `Signatory`,
  and the placeholders a template may use (`PLACEHOLDERS`).
"""

from __future__ import annotations

from .adapter import DefaultCertificatesAdapter, get_adapter
from .credentials.details import AchievementDetails, IssuerDetails
from .credentials.verification import Verification, verify_file
from .models import PLACEHOLDERS, Certificate, CertificateTemplate, Signatory
from .selectors import (
    CREDENTIAL_RELATED,
    certificate_by_code,
    certificates_of,
    credential_addresses,
    signatories_of,
    valid_codes_by_source,
)
from .services import (
    MAX_SIGNATORIES,
    add_signatory,
    change_signatory,
    check_signature_image,
    ensure_template,
    issue_certificate,
    move_signatory,
    preview_pdf,
    remove_signatory,
    replace_names,
    revoke_certificate,
    save_template,
    template_assets,
    withhold_recipient_name,
)
from .signals import certificate_issued, certificate_revoked

__all__ = [
    "CREDENTIAL_RELATED",
    "MAX_SIGNATORIES",
    "PLACEHOLDERS",
    "AchievementDetails",
    "Certificate",
    "CertificateTemplate",
    "DefaultCertificatesAdapter",
    "IssuerDetails",
    "Signatory",
    "Verification",
    "add_signatory",
    "certificate_by_code",
    "certificate_issued",
    "certificate_revoked",
    "certificates_of",
    "change_signatory",
    "check_signature_image",
    "credential_addresses",
    "ensure_template",
    "get_adapter",
    "issue_certificate",
    "move_signatory",
    "preview_pdf",
    "remove_signatory",
    "replace_names",
    "revoke_certificate",
    "save_template",
    "signatories_of",
    "template_assets",
    "valid_codes_by_source",
    "verify_file",
    "withhold_recipient_name",
]
