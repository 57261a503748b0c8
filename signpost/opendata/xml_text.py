"""Text that XML 1.0 can hold: the characters it cannot (most control characters, lone
surrogates, U+FFFE and U+FFFF) are dropped. Summaries pasted from PDFs carry form feeds."""

import re

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    return _NOT_XML.sub("", text)
