"""Keeps personal data out of logs: anything shaped like an ID number or a mobile number is masked."""

import logging
import re

# As typed too: in groups split by a space or a dash ("138 0013 8000", "330621 19900101 002X").
_ID = re.compile(r"(?<!\d)(\d{6})[ -]?\d{8}[ -]?(\d{3}[\dXx])(?!\d)")
_PHONE = re.compile(r"(?<!\d)(1[3-9]\d)[ -]?\d{4}[ -]?(\d{4})(?!\d)")


def redact(text: str) -> str:
    return _PHONE.sub(r"\1****\2", _ID.sub(r"\1********\2", text))


class PiiRedactingFilter(logging.Filter):
    """Masks the message and the traceback (an exception's text may quote a value: a database error
    quoting a row, a ValueError quoting its input). The traceback is formatted here, masked and kept in
    `exc_text`, which handlers' formatters print as it is instead of formatting the exception anew."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True
