"""Frames become data URLs of the right type, pixel-exact for PNG, and never larger than max_side."""

from __future__ import annotations

import base64
import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from mmgym.agents.models.base import ImagePart
from mmgym.agents.models.images import ImageEncoding, encode_image, fitted_size, image_data_url, png_bytes
from mmgym.errors import ConfigError


def decode(url: str) -> tuple[str, np.ndarray]:
    head, data = url.split(",", 1)
    assert head.startswith("data:") and head.endswith(";base64")
    mime = head[len("data:") : -len(";base64")]
    return mime, np.asarray(Image.open(io.BytesIO(base64.b64decode(data))).convert("RGB"))


def noisy(height: int, width: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)


def test_png_data_url_is_pixel_exact() -> None:
    image = noisy(12, 20)
    mime, decoded = decode(image_data_url(image))
    assert mime == "image/png"
    np.testing.assert_array_equal(decoded, image)


def test_jpeg_data_url_has_jpeg_mime_and_quality_changes_size() -> None:
    image = noisy(64, 64)
    mime, decoded = decode(image_data_url(image, "jpeg", jpeg_quality=90))
    assert mime == "image/jpeg"
    assert decoded.shape == image.shape
    assert encode_image(image, "jpeg", jpeg_quality=20)[:2] == b"\xff\xd8"
    assert len(encode_image(image, "jpeg", jpeg_quality=20)) < len(encode_image(image, "jpeg", jpeg_quality=95))


@pytest.mark.parametrize(
    ("shape", "max_side", "expected_hw"),
    [((40, 100), 50, (20, 50)), ((100, 40), 50, (50, 20)), ((30, 30), 10, (10, 10)), ((30, 20), 64, (30, 20))],
)
def test_downscale_keeps_aspect_ratio_and_never_upscales(
    shape: tuple[int, int], max_side: int, expected_hw: tuple[int, int]
) -> None:
    _, decoded = decode(image_data_url(noisy(*shape), max_side=max_side))
    assert decoded.shape == (*expected_hw, 3)


def test_no_max_side_keeps_size() -> None:
    _, decoded = decode(image_data_url(noisy(300, 500), max_side=None))
    assert decoded.shape == (300, 500, 3)


def test_fitted_size_extreme_aspect_keeps_one_pixel() -> None:
    assert fitted_size(1000, 2, 10) == (10, 1)


@pytest.mark.parametrize(
    "bad",
    [np.zeros((4, 4), np.uint8), np.zeros((4, 4, 4), np.uint8), np.zeros((4, 4, 3), np.float32), [[0, 0, 0]]],
)
def test_rejects_anything_but_rgb_uint8(bad: object) -> None:
    with pytest.raises(ValueError, match="H x W x 3 uint8"):
        image_data_url(bad)  # type: ignore[arg-type]


def test_bad_settings_are_config_errors() -> None:
    image = noisy(4, 4)
    with pytest.raises(ConfigError, match=r"'gif'.*png, jpeg"):
        image_data_url(image, "gif")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="max_side"):
        image_data_url(image, max_side=0)
    with pytest.raises(ConfigError, match="jpeg_quality"):
        image_data_url(image, "jpeg", jpeg_quality=0)


@settings(max_examples=60, deadline=None)
@given(
    height=st.integers(1, 40),
    width=st.integers(1, 40),
    level=st.integers(0, 9),
    seed=st.integers(0, 2**32 - 1),
    flat=st.booleans(),
)
def test_png_is_decoded_bit_exactly_by_pillow_at_every_level(
    height: int, width: int, level: int, seed: int, flat: bool
) -> None:
    rng = np.random.default_rng(seed)
    image = rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
    if flat:  # few colours, long runs: what puzzle frames look like
        image = rng.integers(0, 3, (height, 1, 1), dtype=np.uint8).repeat(width, 1).repeat(3, 2) * 120
    decoded = Image.open(io.BytesIO(png_bytes(image, level)))
    decoded.load()  # verifies every chunk's CRC and the zlib stream
    assert decoded.mode == "RGB"
    np.testing.assert_array_equal(np.asarray(decoded), image)


def test_an_image_part_is_encoded_once_per_encoding() -> None:
    part = ImagePart(noisy(16, 16))
    png, jpeg = ImageEncoding(), ImageEncoding("jpeg")
    assert png.data_url(part) is png.data_url(part)
    assert jpeg.data_url(part).startswith("data:image/jpeg") and set(part.memo) == {png, jpeg}


def test_png_level_is_checked() -> None:
    with pytest.raises(ConfigError, match="png_level"):
        ImageEncoding(png_level=10)
