"""The site on more than one machine's worth of parts, on one machine: nginx in front of two
gunicorn app servers, a Celery worker, one beat scheduler, PostgreSQL, Redis and an
S3-compatible object store (moto in server mode), all on loopback.

Usage:
    make run-cluster                      # or: .venv/bin/python benchmarks/cluster.py
    .venv/bin/python benchmarks/cluster.py [--port 8080] [--database lup_cluster]

Needs nginx (Debian's package: apt-get install nginx), PostgreSQL on 127.0.0.1:5432 (user
postgres, trust) and Redis on 127.0.0.1:6379, as CI's machine has. It builds its own
database afresh each time (dropped if there, migrated, seeded with the demo), its bucket,
collects the static files for nginx to serve, and starts everything in the foreground
until Ctrl-C. The app servers are stateless: sessions live in the database, rate limits
and caches in Redis, every file in the bucket, so either may answer any request; nginx
alternates between them and names the one that answered in `X-Upstream`.

`tests/test_cluster.py` starts the same cluster (with `Cluster`, on free ports) and walks
a journey whose requests alternate servers; `benchmarks/load.py --cluster` puts it under
load through the proxy.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
HOST = "127.0.0.1"
BUCKET = "lup-cluster"
S3_REGION = "eu-north-1"
# The local object store accepts any key; these only have to match between its clients.
S3_KEY_ID, S3_SECRET = "lup-cluster", "lup-cluster-" + "local"

NGINX_CONF = """
worker_processes 1;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    types {{
        text/css css;
        text/javascript js mjs;
        application/json json;
        image/svg+xml svg;
        image/png png;
        font/woff2 woff2;
        font/woff woff;
    }}
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path {prefix}/client-body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    # Round robin over the two app servers; a server that fails to connect is skipped.
    upstream lup_app {{
        server {host}:{app_port_1} max_fails=0;
        server {host}:{app_port_2} max_fails=0;
        keepalive 16;
    }}
    server {{
        listen {host}:{port};
        # The site's own limit (REQUEST_BODY_MAX_BYTES) answers first; this is above it.
        client_max_body_size 64m;
        location /static/ {{
            alias {static_root}/;
            expires 1h;
        }}
        location / {{
            proxy_pass http://lup_app;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_read_timeout 120s;
            # Which app server answered: how a test knows requests alternated.
            add_header X-Upstream $upstream_addr always;
        }}
    }}
}}
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next(
        (path for path in ("/usr/sbin/nginx", "/usr/bin/nginx") if Path(path).is_file()), None
    )


def _psql(database: str, *sql: str) -> None:
    command = ["psql", "-h", HOST, "-U", "postgres", "-d", database, "-v", "ON_ERROR_STOP=1", "-q"]
    for statement in sql:
        command += ["-c", statement]
    subprocess.run(command, check=True, capture_output=True, text=True)


def _checked_name(name: str) -> str:
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
        raise ValueError(f"not a plain database name: {name!r}")
    return name


def _database_exists(name: str) -> bool:
    name = _checked_name(name)
    found = subprocess.run(
        [
            "psql",
            "-h",
            HOST,
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-tAc",
            f"SELECT 1 FROM pg_database WHERE datname = '{name}'",  # noqa: S608 - checked name
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return found.stdout.strip() == "1"


@dataclass
class Cluster:
    """The processes of a local cluster and how to reach them (see the module docstring)."""

    port: int = 8080
    database: str = "lup_cluster"
    redis_db: int = 13
    app_ports: tuple[int, int] = (8001, 8002)
    s3_port: int = 9000
    app_workers: int = 2
    seed_scale: int = 1
    drop_database_on_stop: bool = False
    extra_env: dict[str, str] = field(default_factory=dict)
    quiet: bool = True
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="lup-cluster-")))

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def database_url(self) -> str:
        return f"{PG_SERVER}/{self.database}"

    def env(self) -> dict[str, str]:
        """What every process of the cluster runs with: production settings on loopback."""
        secret = self.workdir / "secret"
        if not secret.exists():
            secret.write_text(secrets.token_urlsafe(48))
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secret.read_text(),
            "COURSES_LEARNER_PSEUDONYM_KEY": "cluster-pseudonym-key-" + secret.read_text()[:24],
            "SITE_URL": "https://lup.test",
            "DJANGO_ALLOWED_HOSTS": f"{HOST},localhost,lup.test",
            "DJANGO_SECURE_COOKIES": "0",  # plain HTTP on loopback
            "DATABASE_URL": self.database_url,
            "REDIS_URL": f"redis://{HOST}:6379/{self.redis_db}",
            "S3_BUCKET": BUCKET,
            "S3_ENDPOINT_URL": f"http://{HOST}:{self.s3_port}",
            "S3_REGION": S3_REGION,
            "S3_ACCESS_KEY_ID": S3_KEY_ID,
            "S3_SECRET_ACCESS_KEY": S3_SECRET,
            "DJANGO_STATIC_ROOT": str(self.workdir / "static"),
            "EMAIL_HOST": "",
            "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            **self.extra_env,
        }
        env.pop("CELERY_TASK_ALWAYS_EAGER", None)  # the worker runs the tasks
        env.pop("PYTEST_XDIST_WORKER", None)
        return env

    # Starting and stopping -------------------------------------------------------------

    def start(self) -> None:
        # nginx's workers drop root for an unprivileged user, who must read the static files.
        self.workdir.chmod(0o755)
        nginx = nginx_binary()
        if nginx is None:
            raise RuntimeError("nginx is not installed: apt-get install nginx")
        try:
            self._start_object_store()
            self._prepare_database()
            self._empty_cache()
            self._manage("collectstatic", "--noinput", "-v0")
            for number, port in enumerate(self.app_ports, start=1):
                self._spawn(
                    f"app{number}",
                    [
                        str(BIN / "gunicorn"),
                        "config.wsgi",
                        "--bind",
                        f"{HOST}:{port}",
                        "--workers",
                        str(self.app_workers),
                        "--timeout",
                        "120",
                        "--graceful-timeout",
                        "5",
                    ],
                )
            self._spawn(
                "worker",
                [
                    str(BIN / "celery"),
                    "-A",
                    "config",
                    "worker",
                    "--concurrency",
                    "2",
                    "--loglevel",
                    "WARNING",
                    "--hostname",
                    f"worker@{self.port}",
                ],
            )
            self._spawn(
                "beat",
                [
                    str(BIN / "celery"),
                    "-A",
                    "config",
                    "beat",
                    "--loglevel",
                    "WARNING",
                    "--schedule",
                    str(self.workdir / "beat-schedule"),
                ],
            )
            self._write_nginx_conf()
            self._spawn(
                "nginx", [nginx, "-c", str(self.workdir / "nginx.conf"), "-p", str(self.workdir)]
            )
            for port in self.app_ports:
                self._wait_for(f"http://{HOST}:{port}/livez")
            self._wait_for(f"{self.url}/readyz")
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        for name in reversed(list(self.processes)):
            process = self.processes[name]
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
        self.processes.clear()
        if self.drop_database_on_stop and _database_exists(self.database):
            _psql("postgres", f"DROP DATABASE {self.database} WITH (FORCE)")

    def __enter__(self) -> Cluster:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop_app(self, name: str) -> None:
        """Stop one app server (app1 or app2): the proxy sends everything to the other."""
        process = self.processes[name]
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)

    def log(self, name: str) -> str:
        path = self.workdir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    # Parts -------------------------------------------------------------------------------

    def _spawn(self, name: str, command: list[str]) -> None:
        log = open(self.workdir / f"{name}.log", "wb")  # noqa: SIM115 - the process's own
        self.processes[name] = subprocess.Popen(
            command,
            cwd=ROOT,
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def _manage(self, *args: str) -> None:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=1800,
            check=False,
        )
        if done.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}{done.stderr}")

    def _start_object_store(self) -> None:
        self._spawn("s3", [str(BIN / "moto_server"), "-H", HOST, "-p", str(self.s3_port)])
        self._wait_for(f"http://{HOST}:{self.s3_port}/", any_status=True)
        import boto3

        client = boto3.client(
            "s3",
            endpoint_url=f"http://{HOST}:{self.s3_port}",
            region_name=S3_REGION,
            aws_access_key_id=S3_KEY_ID,
            aws_secret_access_key=S3_SECRET,
        )
        client.create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": S3_REGION}
        )

    def _prepare_database(self) -> None:
        _checked_name(self.database)
        # Built afresh every time, like the object store (moto keeps nothing): the demo's
        # rows and its files (certificate PDFs, H5P content) must belong together.
        if _database_exists(self.database):
            _psql("postgres", f"DROP DATABASE {self.database} WITH (FORCE)")
        _psql("postgres", f"CREATE DATABASE {self.database}")
        self._manage("migrate", "-v0")
        self._manage("seed_demo", "--scale", str(self.seed_scale))

    def _empty_cache(self) -> None:
        # Rate-limit counters and cached pages of an earlier run belong to its database.
        import redis

        redis.Redis.from_url(self.env()["REDIS_URL"]).flushdb()

    def _write_nginx_conf(self) -> None:
        (self.workdir / "nginx.conf").write_text(
            NGINX_CONF.format(
                prefix=self.workdir,
                host=HOST,
                port=self.port,
                app_port_1=self.app_ports[0],
                app_port_2=self.app_ports[1],
                static_root=self.workdir / "static",
            )
        )

    def _wait_for(self, url: str, *, any_status: bool = False, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise RuntimeError(
                        f"{name} stopped (exit {process.returncode}):\n" + self.log(name)[-3000:]
                    )
            try:
                with urllib.request.urlopen(url, timeout=5):  # noqa: S310 - loopback
                    return
            except urllib.error.HTTPError:
                if any_status:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"nothing answered at {url} within {timeout:.0f} s")


def free_cluster(**options: object) -> Cluster:
    """A cluster on free ports (for tests and benchmarks that run beside other things)."""
    return Cluster(
        port=free_port(),
        app_ports=(free_port(), free_port()),
        s3_port=free_port(),
        **options,  # type: ignore[arg-type]
    )


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8080, help="nginx's port (8080)")
    parser.add_argument("--database", default="lup_cluster")
    options = parser.parse_args()
    cluster = Cluster(port=options.port, database=options.database)
    # `kill` stops everything too, not only Ctrl-C (the parts run in their own sessions).
    signal.signal(signal.SIGTERM, _interrupt)
    print(
        "starting: object store, database (migrate, seed), static files, 2 app servers, "
        "worker, beat, nginx ...",
        flush=True,
    )
    with cluster:
        print(
            f"LUP runs at {cluster.url}/ behind nginx (app servers on ports "
            f"{cluster.app_ports[0]} and {cluster.app_ports[1]}); logs in {cluster.workdir}. "
            "Demo logins as for make run. Ctrl-C stops everything.",
            flush=True,
        )
        with contextlib.suppress(KeyboardInterrupt):
            while all(process.poll() is None for process in cluster.processes.values()):
                time.sleep(1)
        stopped = [
            name for name, process in cluster.processes.items() if process.poll() is not None
        ]
        if stopped:
            print(f"stopped by itself: {', '.join(stopped)} (see its log)", flush=True)


if __name__ == "__main__":
    main()
