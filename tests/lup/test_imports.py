"""CSV imports of units and participants: idempotent, and all-or-nothing with row-level errors."""

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from lup.imports import ImportRejected, import_participants, import_units
from lup.models import OrganisationMembership, Participant, Sector, ServiceUnit, UnitEnrolment
from tests.factories import (
    CohortFactory,
    OrganisationFactory,
    ParticipantFactory,
    ProgrammeFactory,
    SectorFactory,
    ServiceUnitFactory,
    UnitEnrolmentFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

UNITS_CSV = (
    "\ufeffKode;Navn;Sektor;Aktiv\n"
    "21001;Eikeli skole;Skole;ja\n"
    "31001;Hosle barnehage;Barnehage;ja\n"
    "31002;Haslum barnehage;Barnehage;nei\n"
)


@pytest.fixture
def organisation():
    organisation = OrganisationFactory(name="Bærum kommune", slug="baerum")
    SectorFactory(organisation=organisation, name="Skole")
    SectorFactory(organisation=organisation, name="Barnehage")
    return organisation


def test_units_are_created_from_a_semicolon_file_with_bom(organisation):
    result = import_units(data=UNITS_CSV.encode(), organisation=organisation)

    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    unit = ServiceUnit.objects.get(code="21001")
    assert unit.name == "Eikeli skole"
    assert unit.sector.name == "Skole"
    assert ServiceUnit.objects.get(code="31002").active is False


def test_comma_separated_file_without_bom_and_english_headers(organisation):
    data = b"code,name,sector\n21001,Eikeli skole,skole\n"

    result = import_units(data=data, organisation=organisation)

    assert result.created == 1
    assert ServiceUnit.objects.get(code="21001").active is True


def test_reimport_updates_changed_units_and_never_duplicates(organisation):
    import_units(data=UNITS_CSV.encode(), organisation=organisation)
    changed = UNITS_CSV.replace("Eikeli skole", "Eikeli videregående skole")

    result = import_units(data=changed.encode(), organisation=organisation)

    assert (result.created, result.updated, result.unchanged) == (0, 1, 2)
    assert ServiceUnit.objects.count() == 3
    assert ServiceUnit.objects.get(code="21001").name == "Eikeli videregående skole"


def test_bad_file_reports_every_bad_row_and_writes_nothing(organisation):
    ServiceUnitFactory(organisation=organisation, code="21001", name="Eikeli skole")
    data = (
        "kode;navn;sektor;aktiv\n"
        "21001;Nytt navn;Skole;ja\n"  # fine on its own, but the file is rejected
        ";Uten kode;Skole;ja\n"
        "21002;;Skole;ja\n"
        "21003;Ukjent sektor;Svømmehall;ja\n"
        "21001;Dobbel;Skole;ja\n"
        "21004;Rart flagg;Skole;kanskje\n"
    ).encode()

    with pytest.raises(ImportRejected) as rejected:
        import_units(data=data, organisation=organisation)

    lines = [error.line for error in rejected.value.errors]
    assert lines == [3, 4, 5, 6, 7]
    messages = " ".join(str(error) for error in rejected.value.errors)
    assert "Svømmehall" in messages
    assert "line 2" in messages  # the duplicate names where the code first appeared
    assert ServiceUnit.objects.get(code="21001").name == "Eikeli skole"
    assert ServiceUnit.objects.count() == 1
    assert not Sector.objects.filter(name="Svømmehall").exists()


def test_unknown_sectors_are_created_only_when_asked(organisation):
    data = b"code;name;sector\n61001;Sandvika driftsstasjon;Teknisk og milj\xc3\xb8\n"

    result = import_units(data=data, organisation=organisation, create_sectors=True)

    assert result.created == 1
    assert Sector.objects.filter(organisation=organisation, name="Teknisk og miljø").exists()


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"", "empty"),
        (b"kode;navn\n1;A\n", "Missing column"),
        (b"kode;navn;sektor;farge\n1;A;Skole;bl\xc3\xa5\n", "Unknown column"),
        (b"kode;navn;sektor\n", "no rows"),
        (b"kode;navn;sektor\n1;Sk\xf8le;Skole\n", "not UTF-8"),
        (b'kode;navn;sektor\n1;"A;Skole\n', "Line"),
        (b"kode;navn;sektor\n1;A;Skole;extra\n", "fields"),
    ],
)
def test_malformed_files_get_a_clear_error(organisation, data, fragment):
    with pytest.raises(ImportRejected) as rejected:
        import_units(data=data, organisation=organisation)

    assert fragment in str(rejected.value)
    assert ServiceUnit.objects.count() == 0


def test_non_utf8_error_names_the_line(organisation):
    data = "kode;navn;sektor\n1;A;Skole\n2;Bærum;Skole\n".encode("latin-1")

    with pytest.raises(ImportRejected) as rejected:
        import_units(data=data, organisation=organisation)

    assert rejected.value.errors[0].line == 3


@pytest.fixture
def programme(organisation):
    programme = ProgrammeFactory(organisation=organisation, slug="lup")
    CohortFactory(programme=programme, name="LUP 5")
    ServiceUnitFactory(organisation=organisation, code="21001", name="Eikeli skole")
    ServiceUnitFactory(organisation=organisation, code="31001", name="Hosle barnehage")
    return programme


PARTICIPANTS_CSV = (
    "e-post;fornavn;etternavn;enhetskode;kull;rolle\n"
    "Kari.Leder@baerum.kommune.no;Kari;Leder;21001;LUP 5;leder\n"
    "ola@baerum.kommune.no;Ola;Ildsjel;21001;LUP 5;ildsjel\n"
    "per@baerum.kommune.no;Per;Leder;31001;lup 5;Leder\n"
)


def test_participants_are_imported_with_users_and_enrolments(programme):
    result = import_participants(data=PARTICIPANTS_CSV.encode(), programme=programme)

    assert result.created == 3
    assert UnitEnrolment.objects.filter(cohort__name="LUP 5").count() == 2
    manager = Participant.objects.get(user__email="kari.leder@baerum.kommune.no")
    assert manager.role == Participant.Role.MANAGER
    assert manager.enrolment.unit.code == "21001"
    assert manager.user.first_name == "Kari"
    assert not manager.user.has_usable_password()


def test_participant_reimport_matches_people_by_email_and_updates_roles(programme):
    existing = UserFactory(email="OLA@baerum.kommune.no", username="ola-existing")
    import_participants(data=PARTICIPANTS_CSV.encode(), programme=programme)
    swapped = PARTICIPANTS_CSV.replace(
        "Ola;Ildsjel;21001;LUP 5;ildsjel", "Ola;Ildsjel;21001;LUP 5;leder"
    )
    swapped = swapped.replace("Kari;Leder;21001;LUP 5;leder", "Kari;Leder;21001;LUP 5;ildsjel")

    result = import_participants(data=swapped.encode(), programme=programme)

    assert (result.created, result.updated, result.unchanged) == (0, 2, 1)
    assert Participant.objects.count() == 3
    assert get_user_model().objects.filter(email__iexact="ola@baerum.kommune.no").count() == 1
    assert Participant.objects.get(user=existing).role == Participant.Role.MANAGER


def test_bad_participant_rows_are_all_reported_and_nothing_is_written(programme):
    data = (
        b"email;first_name;last_name;unit_code;cohort;role\n"
        b"ok@baerum.kommune.no;Ok;Person;21001;LUP 5;ildsjel\n"
        b"not-an-email;A;B;21001;LUP 5;ildsjel\n"
        b"c@baerum.kommune.no;C;D;99999;LUP 5;ildsjel\n"
        b"e@baerum.kommune.no;E;F;21001;LUP 99;ildsjel\n"
        b"g@baerum.kommune.no;G;H;21001;LUP 5;sjef\n"
        b"ok@baerum.kommune.no;Ok;Again;21001;LUP 5;ildsjel\n"
        b"m1@baerum.kommune.no;M;One;31001;LUP 5;leder\n"
        b"m2@baerum.kommune.no;M;Two;31001;LUP 5;leder\n"
    )

    with pytest.raises(ImportRejected) as rejected:
        import_participants(data=data, programme=programme)

    assert [error.line for error in rejected.value.errors] == [3, 4, 5, 6, 7, 9]
    assert Participant.objects.count() == 0
    assert UnitEnrolment.objects.count() == 0
    assert not get_user_model().objects.filter(email="ok@baerum.kommune.no").exists()


def test_a_second_manager_for_a_team_is_rejected(programme):
    enrolment = UnitEnrolmentFactory(
        cohort=programme.cohorts.get(), unit=ServiceUnit.objects.get(code="21001")
    )
    ParticipantFactory(
        enrolment=enrolment, role=Participant.Role.MANAGER, user__email="sjef@baerum.kommune.no"
    )
    data = b"email;unit_code;cohort;role\nny@baerum.kommune.no;21001;LUP 5;leder\n"

    with pytest.raises(ImportRejected) as rejected:
        import_participants(data=data, programme=programme)

    assert "sjef@baerum.kommune.no" in str(rejected.value)


def test_a_unit_already_in_another_cohort_is_rejected(programme):
    earlier = CohortFactory(programme=programme, name="LUP 4")
    UnitEnrolmentFactory(cohort=earlier, unit=ServiceUnit.objects.get(code="21001"))
    data = b"email;unit_code;cohort;role\nny@baerum.kommune.no;21001;LUP 5;ildsjel\n"

    with pytest.raises(ImportRejected) as rejected:
        import_participants(data=data, programme=programme)

    assert "LUP 4" in str(rejected.value)
    assert Participant.objects.count() == 0


def test_guest_units_are_found_through_the_organisation_column(programme):
    guest = OrganisationFactory(name="Hole kommune", slug="hole")
    ServiceUnitFactory(organisation=guest, code="21001", name="Vik skole")
    data = b"email;unit_code;cohort;role;kommune\nlaerer@hole.kommune.no;21001;LUP 5;leder;Hole\n"

    import_participants(data=data, programme=programme)

    participant = Participant.objects.get()
    assert participant.enrolment.unit.organisation == guest


def test_import_units_command_reports_rows_and_exits_non_zero(organisation, tmp_path, capsys):
    bad = tmp_path / "units.csv"
    bad.write_text("kode;navn;sektor\n1;A;Ukjent\n", encoding="utf-8")

    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_units", str(bad), organisation="baerum")

    assert "Line 2" in capsys.readouterr().err
    assert ServiceUnit.objects.count() == 0


def test_import_commands_write_what_they_stored(programme, tmp_path, capsys):
    units = tmp_path / "units.csv"
    units.write_text(UNITS_CSV, encoding="utf-8")
    people = tmp_path / "people.csv"
    people.write_text(PARTICIPANTS_CSV, encoding="utf-8")

    call_command("import_units", str(units), organisation="baerum")
    call_command("import_participants", str(people), programme="lup")

    output = capsys.readouterr().out
    assert "units.csv: 1 created, 2 updated, 0 unchanged." in output
    assert "people.csv: 3 created, 0 updated, 0 unchanged." in output
    assert Participant.objects.count() == 3


@pytest.fixture
def staff_member(staff_admin, organisation):
    """Staff with the lup permissions, working for the organisation."""
    OrganisationMembership.objects.create(organisation=organisation, user=staff_admin)
    return staff_admin


def test_admin_import_page_imports_units(client, staff_member, organisation):
    client.force_login(staff_member)
    upload = SimpleUploadedFile("enheter.csv", UNITS_CSV.encode(), content_type="text/csv")

    response = client.post(
        reverse("admin:lup_serviceunit_import"),
        {"organisation": organisation.pk, "file": upload},
        follow=True,
    )

    assert response.status_code == 200
    assert ServiceUnit.objects.count() == 3
    assert "3" in str(next(iter(response.context["messages"])))


def test_admin_import_page_lists_row_errors_and_writes_nothing(client, staff_member, organisation):
    client.force_login(staff_member)
    upload = SimpleUploadedFile(
        "enheter.csv", b"kode;navn;sektor\n1;A;Skole\n2;B;Ukjent\n;C;Skole\n"
    )

    response = client.post(
        reverse("admin:lup_serviceunit_import"), {"organisation": organisation.pk, "file": upload}
    )

    assert response.status_code == 200
    assert [error.line for error in response.context["row_errors"]] == [3, 4]
    assert "Ukjent" in response.content.decode()
    assert ServiceUnit.objects.count() == 0


def test_admin_import_of_participants(client, staff_member, programme):
    client.force_login(staff_member)
    upload = SimpleUploadedFile("deltakere.csv", PARTICIPANTS_CSV.encode())

    client.post(
        reverse("admin:lup_participant_import"), {"programme": programme.pk, "file": upload}
    )

    assert Participant.objects.count() == 3


def test_admin_import_requires_permission_to_add(client, organisation):
    viewer = UserFactory(is_staff=True)
    client.force_login(viewer)

    response = client.get(reverse("admin:lup_serviceunit_import"))

    assert response.status_code == 403


def test_errors_are_reported_in_bokmal_by_default(organisation):
    with translation.override("nb"), pytest.raises(ImportRejected) as rejected:
        import_units(data=b"kode;navn;sektor\n1;A;Ukjent\n", organisation=organisation)

    assert str(rejected.value).startswith("Linje 2: Ukjent sektor")


def test_admin_import_offers_only_organisations_in_scope(client, staff_admin, organisation):
    client.force_login(staff_admin)  # staff, but working for no organisation
    upload = SimpleUploadedFile("enheter.csv", UNITS_CSV.encode())

    response = client.post(
        reverse("admin:lup_serviceunit_import"), {"organisation": organisation.pk, "file": upload}
    )

    assert "organisation" in response.context["form"].errors
    assert ServiceUnit.objects.count() == 0
