"""hocvuso: the open platform of the "Bình dân học vụ số" movement."""

__version__ = "0.1.0"
