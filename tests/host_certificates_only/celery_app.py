"""The host's Celery app, as a Django project defines one (not named celery.py: the script
runs from this folder, where that name would shadow the celery package). `certificates`
e-mails a new certificate's PDF through a Celery task, so a host must say how tasks run.
Here: inline."""

from celery import Celery

app = Celery("host_certificates_only")
app.conf.task_always_eager = True
app.conf.task_eager_propagates = True
