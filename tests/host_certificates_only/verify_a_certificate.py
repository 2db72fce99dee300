"""Run inside the certificates-only host: migrate, issue a certificate through certificates'
own services, and look it up on the public verification page by its code.

Prints one JSON object: what the pages answered, what was stored and e-mailed, and which of
the other apps (or their dependencies) got imported on the way (none should).
"""

import hashlib
import io
import json
import sys

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core import mail  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from certificates import services  # noqa: E402
from certificates.models import Certificate  # noqa: E402

call_command("migrate", verbosity=0)
call_command("check", fail_level="WARNING", stdout=io.StringIO())  # raises on a problem

template = services.ensure_template(
    key="host-course",
    defaults={
        "name": "Host course certificate",
        "title": "Kursbevis",
        "body": "{recipient_name} har fullført {achievement}.",
        "issuer": "Vestby kommune",
        "signatories": [{"name": "Ola Nordmann", "title": "Rådmann"}],
    },
)
recipient = get_user_model().objects.create_user("kari", "kari@example.no", "x")


def issue() -> tuple[Certificate, bool]:
    return services.issue_certificate(
        template=template,
        source_key="host-course:kari",
        recipient=recipient,
        recipient_name="Kari Nordmann",
        achievement="Innovasjon i praksis",
        issuer="Vestby kommune",
    )


certificate, created = issue()
_again, created_again = issue()  # the same source key never issues twice

public = Client()
page = public.get(f"/verify/{certificate.code}/")
as_json = public.get(f"/verify/{certificate.code}.json")
unknown = public.get("/verify/ZZZZZZZZ/")
holder = Client()
holder.force_login(recipient)
own_list = holder.get("/learning/certificates/")
pdf = holder.get(f"/learning/certificates/{certificate.public_id}/pdf")
outbox = getattr(mail, "outbox", [])  # the locmem backend creates it on the first message
html = page.content.decode()

others = sorted(
    {name.split(".")[0] for name in sys.modules}
    & {"lup", "courses", "config", "allauth", "rest_framework"}
)
print(
    json.dumps(
        {
            "installed": [app for app in settings.INSTALLED_APPS if "." not in app],
            "code": certificate.code,
            "created": [created, created_again],
            "verify_page": page.status_code,
            "verify_page_in_host_layout": "Host intranet layout" in html,
            "verify_page_shows_recipient": "Kari Nordmann" in html,
            "verify_page_says_valid": "This certificate is genuine and valid." in html,
            "verify_json": as_json.json() if as_json.status_code == 200 else as_json.status_code,
            "unknown_code": unknown.status_code,
            "own_list": own_list.status_code,
            "own_list_shows_certificate": "Kursbevis" in own_list.content.decode(),
            "pdf": [pdf.status_code, pdf["Content-Type"]],
            "pdf_is_the_issued_file": hashlib.sha256(pdf.content).hexdigest() == certificate.sha256,
            "emails": [
                [message.to, [name for name, _content, _type in message.attachments]]
                for message in outbox
            ],
            "imported_others": others,
        }
    )
)
