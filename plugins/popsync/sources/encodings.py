"""Text encodings of delivered files: declared, or told from the bytes.

What provincial offices deliver: UTF-8 with or without a byte-order mark, UTF-16 as Excel's
"Unicode text" writes it (little-endian with a BOM, tab-separated), Windows-1258 (its tone
marks are combining characters: text is NFC-normalised after decoding) and TCVN3 (ABC),
decoded with the table in :mod:`popsync.domain.legacy_encodings`.
"""

import codecs
from typing import Literal

from popsync.domain.legacy_encodings import register_tcvn3_codec, vietnamese_word_share
from popsync.sources.source_errors import SourceError

FileEncoding = Literal["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1258", "tcvn3"]
NEEDS_NFC: frozenset[str] = frozenset({"cp1258"})
"""Encodings whose decoded text is not composed (Windows-1258 writes tone marks apart)."""

SCORED_BYTES = 1 << 16
"""Bytes whose words are checked to tell Windows-1258 from TCVN3 (a word check is Python, per word)."""

register_tcvn3_codec()


def detect_encoding(sample: bytes) -> FileEncoding:
    """The encoding of a file from its first bytes; raises when the bytes fit none of them."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith(codecs.BOM_UTF16_LE) or sample.startswith(codecs.BOM_UTF16_BE):
        return "utf-16"
    if len(sample) >= 4 and sample[1::2].count(0) > len(sample) // 4:
        return "utf-16-le"  # ASCII-heavy UTF-16 without a BOM
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    try:
        decoder.decode(sample, final=False)  # a character cut at the sample's end is not an error
        return "utf-8"
    except UnicodeDecodeError:
        pass
    head = sample[:SCORED_BYTES]
    scores = {
        "cp1258": vietnamese_word_share(head.decode("cp1258", errors="replace")),
        "tcvn3": vietnamese_word_share(head.decode("tcvn3", errors="replace")),
    }
    best = max(scores, key=lambda name: scores[name])
    if scores[best] < 0.5:
        raise SourceError(
            "cannot tell the file's encoding (not UTF-8 or UTF-16, and neither Windows-1258 nor TCVN3 "
            "gives Vietnamese words): declare `encoding` in the dataset's source"
        )
    return "cp1258" if best == "cp1258" else "tcvn3"
