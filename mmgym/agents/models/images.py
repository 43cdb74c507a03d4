"""Observation frames to data URLs: the form in which OpenAI-compatible servers accept images inline.

Each frame is encoded once per encoding: the result is kept in the `ImagePart`'s memo, so a frame
shown again as history costs nothing. PNG (lossless, the default) is written here with one
filter for every row ("Up") and deflate at level 1 by ISA-L (`isal`), which is about 10x faster
than zlib's level 1 for the same size: on 384 px puzzle frames about 0.3 ms, against 1.3 ms with
zlib, 3-6 ms for Pillow at level 1 and 5-10 ms at its default level 6, whose per-row adaptive
filter choice is what costs (benchmarks/bench_llm_concurrency.py prints the figures). Pillow
decodes the result bit-exactly (tested). JPEG goes through Pillow. ISA-L's deflate was once seen to give
the same pixels other (equally valid) bytes in another process; zlib's output depends on its input
alone, so `png_level` 2-9 makes requests byte-identical across processes.
"""

from __future__ import annotations

import base64
import io
import struct
import zlib
from dataclasses import dataclass
from typing import Literal

import numpy as np

try:  # ISA-L's deflate: the same zlib stream as the standard library's, about 10x faster at level 1
    from isal import isal_zlib as fast_zlib
except ImportError:  # a platform without an isal wheel: the standard library's
    fast_zlib = zlib

from mmgym.agents.models.base import ImagePart
from mmgym.errors import ConfigError

ImageFormat = Literal["png", "jpeg"]
IMAGE_FORMATS: tuple[str, ...] = ("png", "jpeg")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_UP_FILTER = 2


@dataclass(frozen=True)
class ImageEncoding:
    """How frames are sent; checked once, and the key under which each frame memoizes its data URL."""

    image_format: ImageFormat = "png"
    max_side: int | None = None
    jpeg_quality: int = 90
    png_level: int = 1  # deflate level 0-9: 1 (ISA-L's) is 10-30x faster than zlib's 6 for 10-40% more bytes

    def __post_init__(self) -> None:
        if self.image_format not in IMAGE_FORMATS:
            raise ConfigError(f"unknown image format {self.image_format!r}; valid: {', '.join(IMAGE_FORMATS)}")
        if self.max_side is not None and (not isinstance(self.max_side, int) or self.max_side < 1):
            raise ConfigError(f"image max_side must be a positive integer or None; got {self.max_side!r}")
        if not isinstance(self.jpeg_quality, int) or not 1 <= self.jpeg_quality <= 100:
            raise ConfigError(f"jpeg_quality must be an integer in 1..100; got {self.jpeg_quality!r}")
        if not isinstance(self.png_level, int) or not 0 <= self.png_level <= 9:
            raise ConfigError(f"png_level must be an integer in 0..9; got {self.png_level!r}")

    @property
    def fast(self) -> bool:
        """Whether a frame encodes in well under a millisecond (lossless PNG at level 1 through ISA-L, no
        resizing): cheaper on the event loop than the hand-off to a worker thread and back, which measured
        226 against 157 steps/s at 64 concurrent image episodes (benchmarks/bench_llm_concurrency.py)."""
        return self.image_format == "png" and self.png_level == 1 and fast_zlib is not zlib and self.max_side is None

    def data_url(self, part: ImagePart) -> str:
        """The part's data URL in this encoding, encoded on first use and memoized on the part."""
        url = part.memo.get(self)
        if url is None:
            data = self.encode(part.image)
            url = f"data:image/{self.image_format};base64,{base64.b64encode(data).decode('ascii')}"
            part.memo[self] = url
        return url

    def encode(self, image: np.ndarray) -> bytes:
        """PNG or JPEG bytes of an RGB frame, downscaled first when its longest side exceeds max_side."""
        check_image(image)
        image = _fitted(image, self.max_side)
        if self.image_format == "png":
            return png_bytes(image, self.png_level)
        from PIL import Image

        buffer = io.BytesIO()
        Image.fromarray(image).save(buffer, format="JPEG", quality=self.jpeg_quality)
        return buffer.getvalue()


def check_image(image: np.ndarray) -> None:
    """Reject anything but an H x W x 3 uint8 array, so that a bad frame fails here and not at the server."""
    if not isinstance(image, np.ndarray) or image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        shape = getattr(image, "shape", None)
        dtype = getattr(image, "dtype", type(image).__name__)
        raise ValueError(f"image must be an H x W x 3 uint8 array; got shape {shape} and dtype {dtype}")


def fitted_size(width: int, height: int, max_side: int | None) -> tuple[int, int]:
    """The size keeping the aspect ratio whose longest side is at most max_side (never upscaled)."""
    longest = max(width, height)
    if max_side is None or longest <= max_side:
        return width, height
    scale = max_side / longest
    return max(1, round(width * scale)), max(1, round(height * scale))


def _fitted(image: np.ndarray, max_side: int | None) -> np.ndarray:
    height, width = image.shape[:2]
    size = fitted_size(width, height, max_side)
    if size == (width, height):
        return np.ascontiguousarray(image)
    from PIL import Image

    return np.asarray(Image.fromarray(np.ascontiguousarray(image)).resize(size, Image.Resampling.LANCZOS))


def png_bytes(image: np.ndarray, level: int = 1) -> bytes:
    """A lossless 8-bit RGB PNG: every row Up-filtered (minus the row above), then deflated at `level`
    (level 1 by ISA-L when installed; the others, which it lacks or does differently, by zlib)."""
    height, width = image.shape[:2]
    rows = image.reshape(height, width * 3)
    filtered = np.empty((height, width * 3 + 1), np.uint8)
    filtered[:, 0] = PNG_UP_FILTER
    filtered[0, 0] = 0  # the first row has no row above: no filter
    filtered[0, 1:] = rows[0]
    np.subtract(rows[1:], rows[:-1], out=filtered[1:, 1:])  # uint8 arithmetic wraps modulo 256, as PNG's does
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8 bits, truecolour, deflate, no interlace
    pixels = (fast_zlib if level == 1 else zlib).compress(filtered.data, level)
    return PNG_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", pixels) + _chunk(b"IEND", b"")


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def encode_image(
    image: np.ndarray, image_format: ImageFormat = "png", max_side: int | None = None, jpeg_quality: int = 90
) -> bytes:
    """PNG or JPEG bytes of one frame (no memo: for a frame sent once)."""
    return ImageEncoding(image_format, max_side, jpeg_quality).encode(image)


def image_data_url(
    image: np.ndarray, image_format: ImageFormat = "png", max_side: int | None = None, jpeg_quality: int = 90
) -> str:
    """`data:image/png;base64,...` (or image/jpeg) for the `image_url` part of a chat message."""
    return ImageEncoding(image_format, max_side, jpeg_quality).data_url(ImagePart(image))
