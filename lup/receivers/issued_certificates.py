"""A certificate issued (`certificates.api.certificate_issued`) becomes a notification for
its holder (lup.notifications), linking to their certificates.

The certificate has its own e-mail with the PDF (`certificates` sends it when issued), so
this kind is by default only listed in the product (`kinds.DEFAULT_DELIVERY`): no second
e-mail unless the person asks for one. Told once per certificate.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.dispatch import receiver
from django.urls import reverse

from certificates.api import Certificate, certificate_issued

from .. import app_settings
from ..notifications.models import Notification
from ..notifications.services import notify


@receiver(certificate_issued, sender=Certificate, dispatch_uid="lup_tell_certificate_issued")
def tell_the_holder(sender: Any, certificate: Certificate, **kwargs: Any) -> None:
    if certificate.recipient_id is None:
        return  # issued to nobody with an account: nobody to tell in the product
    notify(
        recipients=get_user_model().objects.filter(pk=certificate.recipient_id),
        kind=Notification.Kind.CERTIFICATE_ISSUED,
        key=f"certificate-issued:{certificate.public_id}",
        context={"programme": certificate.achievement, "organisation": certificate.issuer},
        url=app_settings.SITE_URL() + reverse("certificates:my-certificates"),
    )
