# Verification pages arrive with certificates; the URL module exists so hosts can include it now.
app_name = "certificates"
urlpatterns: list = []
