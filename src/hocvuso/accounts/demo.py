"""The one password of every demo account, shown on the login page of a demo install."""

DEMO_PASSWORD = "hocvuso2025"
# Demo accounts are recognised by this username prefix ("demo.xa.dongcuong").
DEMO_USERNAME_PREFIX = "demo."
