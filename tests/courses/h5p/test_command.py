"""`manage.py import_h5p`: what it stored, or every problem and a non-zero exit."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from courses.models import H5PPackage
from tests.courses.h5p.corpus import Entry, make_zip, minimal_entries, minimal_package

pytestmark = [pytest.mark.django_db]


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("import_h5p", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def package_file(tmp_path):
    path = tmp_path / "quiz.h5p"
    path.write_bytes(minimal_package())
    return path


def test_it_stores_a_package_and_its_libraries(package_file):
    output = run(str(package_file), "--install-libraries", "--title", "Quiz")

    package = H5PPackage.objects.get()
    assert f"Stored package {package.pk} “Quiz” ({package.public_id})." in output
    assert "Libraries installed: H5P.Minimal 1.0.0" in output
    assert "Libraries reused: none" in output
    assert package.uploaded_by is None


def test_it_reuses_installed_libraries(package_file, tmp_path):
    run(str(package_file), "--install-libraries")
    other = tmp_path / "other.h5p"
    other.write_bytes(minimal_package(title="Another"))

    output = run(str(other))

    assert "Libraries installed: none" in output
    assert "Libraries reused: H5P.Minimal 1.0.0" in output
    assert H5PPackage.objects.count() == 2


def test_the_same_file_again_stores_nothing_new(package_file):
    run(str(package_file), "--install-libraries")

    output = run(str(package_file))

    assert "Already stored as package" in output
    assert H5PPackage.objects.count() == 1


def test_new_libraries_need_the_option(package_file, nothing_stored):
    with pytest.raises(CommandError, match="only an administrator may install"):
        run(str(package_file))

    nothing_stored()


def test_every_problem_is_printed_and_the_exit_is_non_zero(tmp_path, nothing_stored):
    path = tmp_path / "evil.h5p"
    path.write_bytes(
        make_zip([*minimal_entries(), Entry("../evil.js", b"x"), Entry("content/x.js", b"x")])
    )

    with pytest.raises(CommandError) as caught:
        run(str(path), "--install-libraries")

    message = str(caught.value)
    assert message.startswith("The package was rejected:\n- ")
    assert "../evil.js" in message
    nothing_stored()


def test_a_missing_file_is_an_error(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        run(str(tmp_path / "missing.h5p"))
