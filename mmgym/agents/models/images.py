"""Observation frames to data URLs: the form in which OpenAI-compatible servers accept images inline."""

from __future__ import annotations

import base64
import io
from typing import Literal

import numpy as np

from mmgym.errors import ConfigError

ImageFormat = Literal["png", "jpeg"]
IMAGE_FORMATS: tuple[str, ...] = ("png", "jpeg")


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


def encode_image(
    image: np.ndarray, image_format: ImageFormat = "png", max_side: int | None = None, jpeg_quality: int = 90
) -> bytes:
    """PNG or JPEG bytes of an RGB frame, downscaled first when its longest side exceeds max_side."""
    from PIL import Image

    check_image(image)
    if image_format not in IMAGE_FORMATS:
        raise ConfigError(f"unknown image format {image_format!r}; valid: {', '.join(IMAGE_FORMATS)}")
    if max_side is not None and max_side < 1:
        raise ConfigError(f"image max_side must be a positive integer or None; got {max_side!r}")
    if not 1 <= jpeg_quality <= 100:
        raise ConfigError(f"jpeg_quality must be in 1..100; got {jpeg_quality!r}")
    picture = Image.fromarray(np.ascontiguousarray(image))
    size = fitted_size(picture.width, picture.height, max_side)
    if size != picture.size:
        picture = picture.resize(size, Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    if image_format == "png":
        picture.save(buffer, format="PNG")
    else:
        picture.save(buffer, format="JPEG", quality=jpeg_quality)
    return buffer.getvalue()


def image_data_url(
    image: np.ndarray, image_format: ImageFormat = "png", max_side: int | None = None, jpeg_quality: int = 90
) -> str:
    """`data:image/png;base64,...` (or image/jpeg) for the `image_url` part of a chat message."""
    data = encode_image(image, image_format, max_side, jpeg_quality)
    return f"data:image/{image_format};base64,{base64.b64encode(data).decode('ascii')}"
