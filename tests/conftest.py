import pytest
from django.contrib.auth.models import Permission
from django.utils import translation

from tests.factories import UserFactory


@pytest.fixture
def administrator(db):
    """A programme administrator: may see the target dashboards."""
    user = UserFactory(email="admin@example.no")
    user.user_permissions.add(
        Permission.objects.get(codename="view_target_dashboard", content_type__app_label="lup")
    )
    return user


@pytest.fixture
def staff_admin(db):
    """A staff user with every lup permission, for the Django admin."""
    user = UserFactory(email="staff@example.no", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="lup"))
    return user


@pytest.fixture
def english():
    """Read messages in English; the site's default language is bokmål."""
    with translation.override("en"):
        yield
