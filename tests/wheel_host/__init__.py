"""Scripts that tests/test_wheel_host.py runs inside a Wagtail site that installed our wheel."""
