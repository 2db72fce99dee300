from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

app_name = "lup-api"

router = SimpleRouter()
router.register("programmes", views.ProgrammeViewSet, basename="programme")
router.register("cohorts", views.CohortViewSet, basename="cohort")
router.register("units", views.ServiceUnitViewSet, basename="unit")
router.register("participants", views.ParticipantViewSet, basename="participant")

urlpatterns = [path("me/", views.me, name="me"), *router.urls]
