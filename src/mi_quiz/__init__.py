"""mi-quiz: terminal exam prep for motivational-interviewing topics."""

__version__ = "0.1.0"
