"""AI2-THOR's FIFO wire format, the simulator's side: what the Unity player reads and writes.

A message is a run of fields, each a `struct "!BI"` header (field type, byte length) and its body,
closed by an end-of-message header. The player sends metadata (msgpack) and frames (raw RGB
bytes, bottom row first); it receives actions (JSON). ai2thor's own `FifoServer` is the other side.
"""

from __future__ import annotations

import json
import struct
from typing import Any, BinaryIO

import msgpack
import numpy as np

HEADER = struct.Struct("!BI")
METADATA, ACTION, RGB_IMAGE, END_OF_MESSAGE = 1, 2, 4, 255


def read_action(pipe: BinaryIO) -> dict[str, Any] | None:
    """The next action sent by the controller, or None when it closed the pipe."""
    action = None
    while True:
        header = pipe.read(HEADER.size)
        if len(header) < HEADER.size:
            return None
        kind, length = HEADER.unpack(header)
        if kind == END_OF_MESSAGE:
            return action
        body = pipe.read(length)
        if kind == ACTION:
            action = json.loads(body)


def write_event(pipe: BinaryIO, metadata: dict[str, Any], sequence_id: int, frame: np.ndarray | None) -> None:
    """One event: the agent's metadata and, when given, its H x W x 3 frame."""
    body = msgpack.dumps({"agents": [metadata], "sequenceId": sequence_id})
    parts = [HEADER.pack(METADATA, len(body)), body]
    if frame is not None:
        pixels = np.ascontiguousarray(frame[::-1]).tobytes()  # the controller flips rows back
        parts += [HEADER.pack(RGB_IMAGE, len(pixels)), pixels]
    parts.append(HEADER.pack(END_OF_MESSAGE, 0))
    pipe.write(b"".join(parts))
    pipe.flush()
