"""Anonymising a person who has left, for good, by the register of personal data.

`plan_anonymisation` says what would happen (read-only: the confirmation page and the
API's preview show it); `anonymise_person` does it, in one transaction. Both walk
`register.entries()`:

- `ERASE` rows about the person are deleted (addresses, sign-in methods, two-factor
  devices, memberships, saved H5P answers, their own-data archives with their files);
- `KEEP` rows stay and point at the renamed account, so figures, team work and history
  keep their content and show only the pseudonym; the person's facilitation and roles
  end, and API tokens acting as them are revoked;
- `REDACT` rows stay too, and every copy of the person's name or e-mail address in the
  entry's `redact_text` fields is replaced by the pseudonym, in every row of the model
  (an audit event or an admin log entry about someone else may quote them). The database
  finds the candidate rows (`quoting_rows`); only those are loaded. A `<relation>_label`
  field (the audit log's `actor_label`) is the name shown for that relation: it becomes
  the pseudonym in every row whose relation is the person.

Certificates follow the organisation's policy (`Organisation.anonymised_certificates`):
the person's own are revoked ("anonymised") or stay valid, and in both cases no longer
name them (`certificates.api.withhold_recipient_name`); a unit's certificate that lists
them in its team is drawn again without their name (`certificates.api.replace_names`).
xAPI statements already name the learner by a pseudonymous account; an instructor, an
authority or a team member that identifies the person is replaced by a pseudonymous
account too (free text, such as an answer, is the learner's own and stays).

The package: `quotes` (how the person may be written; finding and replacing it), `plan`
(what would change), `xapi` (the people named in stored statements) and `service` (doing
it, in one transaction).
"""

from __future__ import annotations

from .plan import (
    ALREADY_REVOKED,
    REDRAW,
    REVOKE,
    WITHHOLD,
    AnonymisationPlan,
    CertificatePlan,
    EntryPlan,
    is_anonymised,
    plan_anonymisation,
    pseudonym_of,
    refusal_of,
)
from .quotes import Identity, identity_of, quoting_rows, redacted, text_pattern
from .service import COUNTS, Anonymised, anonymise_person

__all__ = [
    "ALREADY_REVOKED",
    "COUNTS",
    "REDRAW",
    "REVOKE",
    "WITHHOLD",
    "AnonymisationPlan",
    "Anonymised",
    "CertificatePlan",
    "EntryPlan",
    "Identity",
    "anonymise_person",
    "identity_of",
    "is_anonymised",
    "plan_anonymisation",
    "pseudonym_of",
    "quoting_rows",
    "redacted",
    "refusal_of",
    "text_pattern",
]
