"""Message markers usable from domain code, which must not import Flask."""


def N_(message: str) -> str:
    """Mark a message for extraction by Babel; the edge translates it when shown."""
    return message


class Label(str):
    """A message parameter that is itself a msgid (a status, a kind): translated with the
    message it fills, so a Vietnamese sentence never carries an English code."""

    __slots__ = ()


def fill(translate, message: str, params: dict) -> str:
    """``translate(message) % params``, translating the parameters that are Labels."""
    text = translate(message)
    if not params:
        return text
    return text % {k: translate(v) if isinstance(v, Label) else v for k, v in params.items()}
