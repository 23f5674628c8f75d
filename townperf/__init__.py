"""townperf: performance analytics for township civil servants."""

__version__ = "0.1.0"
