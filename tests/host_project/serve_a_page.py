"""Run inside the host project: migrate, create a programme, and fetch its dashboard."""

import datetime as dt

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Permission  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from lup.models import (  # noqa: E402
    Organisation,
    OrganisationMembership,
    Programme,
    Sector,
    ServiceUnit,
)

call_command("migrate", verbosity=0)
organisation = Organisation.objects.create(name="Vestby kommune", slug="vestby")
sector = Sector.objects.create(organisation=organisation, name="Skole")
ServiceUnit.objects.create(organisation=organisation, sector=sector, code="1", name="Son skole")
Programme.objects.create(
    organisation=organisation,
    name="Innovasjonsprogram",
    short_name="IP",
    slug="ip",
    starts_on=dt.date(2026, 1, 1),
    deadline=dt.date(2026, 12, 31),
    target_units=1,
)
user = get_user_model().objects.create_user("hr", "hr@vestby.kommune.no", "x")
user.user_permissions.add(Permission.objects.get(codename="view_target_dashboard"))
OrganisationMembership.objects.create(organisation=organisation, user=user)
client = Client()
client.force_login(user)
response = client.get("/learning/programmes/ip/")
print(response.status_code)
print(response.content.decode())
