"""The one exception type a user sees: the CLI prints it as a single line and exits 2."""


class PrevsteerError(Exception):
    """Bad input: the message names what is wrong and what is allowed."""
