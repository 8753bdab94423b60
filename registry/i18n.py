"""Message markers usable from domain code, which must not import Flask."""


def N_(message: str) -> str:
    """Mark a message for extraction by Babel; the edge translates it when shown."""
    return message
