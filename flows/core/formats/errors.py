"""The one exception that document conversion raises, and the guard that makes it so."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

MAX_UNPACKED_BYTES = 256 * 1024 * 1024  # a .docx whose parts unpack to more is a zip bomb, not a document
# the XML a .docx parser builds trees from: a 2,000-page report's document.xml is about 20 MB; a
# tree takes ten times its text in memory, so more than this is a bomb too (images do not count)
MAX_UNPACKED_XML_BYTES = 64 * 1024 * 1024


class ConversionError(Exception):
    """A document that cannot be converted to text.

    `reason` is a value of the `quarantine_reason` vocabulary (encrypted, no_text_layer, corrupt,
    unsupported_format, too_large, ...); `detail` is a sentence for the person who supplied it."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


def guarded(what: str, parse: Callable[[], T]) -> T:
    """Run third-party parsing code on untrusted bytes; any failure becomes a ConversionError.

    Parsers fed hostile input fail in every way Python has (KeyError, struct.error, zlib.error,
    RecursionError on deeply nested objects, MemoryError on bombs), so the catch is broad, but
    only here, at the boundary, and the parser's own message goes into the detail."""
    try:
        return parse()
    except ConversionError:
        raise
    except RecursionError as exc:
        raise ConversionError("corrupt", f"{what}: structure nested too deeply to read ({exc})") from exc
    except MemoryError as exc:
        raise ConversionError("too_large", f"{what}: ran out of memory while reading it") from exc
    except Exception as exc:  # noqa: BLE001 - the boundary between untrusted bytes and the pipeline
        message = str(exc).strip() or type(exc).__name__
        raise ConversionError("corrupt", f"{what}: {message[:300]}") from exc
