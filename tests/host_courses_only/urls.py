from django.urls import include, path

urlpatterns = [
    path("learning/courses/", include("courses.urls")),
]
