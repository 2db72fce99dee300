"""Images for upload tests, made with Pillow: real ones in each format, and hostile ones (a
text file named .png, a PNG whose header claims a huge picture, a truncated PNG)."""

from __future__ import annotations

import io
import struct
import zlib
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (300, 100), mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, "white").save(buffer, fmt)
    return buffer.getvalue()


def upload(data: bytes, name: str = "image.png", content_type: str = "image/png") -> Any:
    return SimpleUploadedFile(name, data, content_type=content_type)


class Rereadable(SimpleUploadedFile):
    """An upload a test client can send more than once (each send reads it from the start)."""

    def read(self, *args: Any, **kwargs: Any) -> Any:
        self.seek(0)
        return super().read(*args, **kwargs)


def png_claiming(width: int, height: int) -> bytes:
    """A small PNG whose header says it is `width` x `height` pixels (a decompression bomb's
    shape: a few bytes that would unpack into an enormous picture)."""
    data = bytearray(image_bytes("PNG", (10, 10)))
    # The IHDR chunk starts at byte 8: length (4), type (4), width (4), height (4), ...
    data[16:24] = struct.pack(">II", width, height)
    crc = zlib.crc32(bytes(data[12:29])) & 0xFFFFFFFF
    data[29:33] = struct.pack(">I", crc)
    return bytes(data)


def truncated_png() -> bytes:
    """A PNG cut off in the middle of its pixels."""
    noisy = io.BytesIO()
    Image.effect_noise((400, 400), 64).save(noisy, "PNG")
    data = noisy.getvalue()
    return data[: len(data) // 2]


TEXT_AS_PNG = b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>\n"
