"""The one error the rulebook raises."""


class Refused(ValueError):
    """An action the procedure does not allow; the message says why, in plain words."""
