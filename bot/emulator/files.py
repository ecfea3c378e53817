"""Storage of uploaded and user-sent files, addressable by file_id and file_path."""

from __future__ import annotations

import mimetypes
import secrets
import struct

from bot.emulator.models import StoredFile


def image_size(data: bytes) -> tuple[int, int]:
    """Return (width, height) of a PNG, GIF or JPEG image, or (0, 0) if unknown."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    if data.startswith(b"\xff\xd8"):
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                i += 1
                continue
            marker = data[i + 1]
            length = struct.unpack(">H", data[i + 2 : i + 4])[0]
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height, width = struct.unpack(">HH", data[i + 5 : i + 9])
                return int(width), int(height)
            i += 2 + length
    return 0, 0


class FileStore:
    """All files of one emulator."""

    def __init__(self) -> None:
        """Start empty."""
        self._by_id: dict[str, StoredFile] = {}
        self._by_path: dict[str, StoredFile] = {}

    def store(
        self, kind: str, data: bytes, filename: str, mime_type: str | None = None
    ) -> StoredFile:
        """Keep a new file and return its record with fresh identifiers."""
        if mime_type is None:
            mime_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        prefix = "AgAC" if kind == "photo" else "BQAC"
        width, height = image_size(data) if kind == "photo" else (0, 0)
        stored = StoredFile(
            file_id=prefix + secrets.token_urlsafe(30),
            file_unique_id="AQAD" + secrets.token_urlsafe(9),
            kind=kind,
            filename=filename,
            mime_type=mime_type,
            data=data,
            width=width,
            height=height,
        )
        self._by_id[stored.file_id] = stored
        self._by_path[stored.file_path] = stored
        return stored

    def get(self, file_id: str) -> StoredFile | None:
        """Return the file with this file_id."""
        return self._by_id.get(file_id)

    def by_path(self, file_path: str) -> StoredFile | None:
        """Return the file served at this file_path."""
        return self._by_path.get(file_path)

    def __len__(self) -> int:
        """Return the number of stored files."""
        return len(self._by_id)
