"""Run the test OpenID Connect provider: `python -m tests.oidc_provider.server RUN_DIR`.

RUN_DIR holds config.json, written by the launcher:
    {"client_id", "client_secret", "redirect_uris": [...],
     "users": [{"username", "password", "email", "first_name", "last_name",
                "pid" (optional), "acr" (optional)}, ...]}
This process generates the RSA signing key, migrates a fresh SQLite database, registers the
people and the client, binds a free 127.0.0.1 port and prints `READY <port>`, then serves
(threaded) until it is terminated.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


def write_signing_key(path: Path) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path.write_bytes(
        key.private_bytes(
            encoding=serialization.Encoding.PEM,
            format=serialization.PrivateFormat.PKCS8,
            encryption_algorithm=serialization.NoEncryption(),
        )
    )


def seed(config: dict) -> None:
    from django.contrib.auth import get_user_model
    from oauth2_provider.models import get_application_model

    user_model = get_user_model()
    for person in config["users"]:
        user = user_model(
            username=person["username"],
            email=person["email"],
            first_name=person.get("first_name", ""),
            last_name=person.get("last_name", ""),
        )
        user.set_password(person["password"])
        user.save()
    application_model = get_application_model()
    application_model.objects.create(
        name="LUP (test)",
        client_id=config["client_id"],
        client_secret=config["client_secret"],  # hashed on save
        client_type=application_model.CLIENT_CONFIDENTIAL,
        authorization_grant_type=application_model.GRANT_AUTHORIZATION_CODE,
        redirect_uris=" ".join(config["redirect_uris"]),
        skip_authorization=True,
        algorithm=application_model.RS256_ALGORITHM,
    )


def main(run_dir: Path) -> None:
    config = json.loads((run_dir / "config.json").read_text())
    write_signing_key(run_dir / "signing-key.pem")
    os.environ["LUP_OIDC_DIR"] = str(run_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.oidc_provider.settings"

    import django
    from django.core.management import call_command
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    seed(config)

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            if os.environ.get("LUP_OIDC_VERBOSE"):
                super().log_message(format, *args)

    server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler, allow_reuse_address=False)
    server.daemon_threads = True
    server.set_app(get_wsgi_application())

    def stop(signum: int, frame: FrameType | None) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"READY {server.server_address[1]}", flush=True)
    try:
        server.serve_forever(poll_interval=0.1)
    finally:
        server.server_close()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m tests.oidc_provider.server RUN_DIR")
    main(Path(sys.argv[1]))
