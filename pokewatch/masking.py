"""One masking function for every form a credential takes in a URL or a message: userinfo (even with a raw `@`
in the password), and secret-looking query parameters (`?password=`, `sslpassword`, `token`, `api_key`, …)."""

from __future__ import annotations

import re

# scheme://user:PASSWORD@host — greedy up to the last `@` before the path, so a raw `@` in the password is covered
_USERINFO = re.compile(r"(?P<head>[a-z][a-z0-9+.\-]*://[^:/@\s]*:)[^\s/]*@", re.IGNORECASE)
_QUERY = re.compile(r"(?P<head>[?&;\s](?:password|passwd|pwd|sslpassword|token|api[_-]?key|secret|apikey)=)[^&;\s]*",
                    re.IGNORECASE)


def mask_secrets(text: str) -> str:
    """`text` with every password or token in a URL (or a libpq key=value string) replaced by ***."""
    text = _USERINFO.sub(lambda m: f"{m['head']}***@", text)
    return _QUERY.sub(lambda m: f"{m['head']}***", text)
