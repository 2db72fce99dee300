"""STORAGES for an S3-compatible bucket: every kind of file under its own prefix.

config/settings.py uses this when S3_BUCKET is set; the object-storage tests use it too, so
what they exercise is what production configures.
"""

from __future__ import annotations

from typing import Any

S3_BACKEND = "storages.backends.s3.S3Storage"


def s3_storages(
    *,
    bucket: str,
    endpoint_url: str = "",
    region: str = "eu-north-1",
    access_key: str = "",
    secret_key: str = "",
    media_domain: str = "",
) -> dict[str, Any]:
    """The STORAGES setting for one bucket.

    - `media/`: the public images of course pages and certificate logos (their URLs are
      stored in pages' Markdown, so they never expire: give the prefix a public-read
      bucket policy, or serve it through `media_domain`);
    - `h5p/`, `private/`, `certificates/`, `lup-private/`, `exports/`: private, read
      only by the apps' permission-checked views and tasks.
    """
    options: dict[str, Any] = {
        "bucket_name": bucket,
        "endpoint_url": endpoint_url or None,
        "region_name": region,
        "access_key": access_key or None,
        "secret_key": secret_key or None,
        "default_acl": None,  # the bucket's own policy decides, never a public ACL per file
        "file_overwrite": False,
        # Path-style addresses work with every S3-compatible server; AWS's virtual-hosted
        # style needs DNS per bucket, which a local or private endpoint does not have.
        "addressing_style": "path" if endpoint_url else None,
    }

    def prefix(location: str, **more: Any) -> dict[str, Any]:
        return {"BACKEND": S3_BACKEND, "OPTIONS": {**options, "location": location, **more}}

    return {
        "default": prefix("media", querystring_auth=False, custom_domain=media_domain or None),
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        # Content-addressed names: a file under the same name has the same bytes.
        "courses_h5p": prefix("h5p", file_overwrite=True),
        "courses_private": prefix("private"),
        "certificates_pdf": prefix("certificates", file_overwrite=True),
        "lup_private": prefix("lup-private"),
        "lup_exports": prefix("exports", file_overwrite=True),
    }
