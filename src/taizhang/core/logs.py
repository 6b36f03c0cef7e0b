"""Log lines that name the request (or the job) they come from: the id every audit event written while
serving it carries too, so a line in the log and an event in the chain find each other.

`TAIZHANG_LOG_FORMAT=json` writes one JSON object a line (for a log collector), `text` (the default)
a plain line with the id in brackets.
"""

import json
import logging

from taizhang.core.middleware import current_request_id


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        # Django logs a failed request's line after the middleware has let go of it: the request says.
        record.request_id = current_request_id() or getattr(getattr(record, "request", None), "request_id", "-")
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)
