"""The Wagtail site's own REST API (Wagtail's API v2, built on DRF), as Wagtail's
documentation sets it up: tests/test_wheel_host.py copies this to hostsite/api.py before it
installs our apps, then checks that our settings left this API as it was."""

from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.views import PagesAPIViewSet

api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", PagesAPIViewSet)
