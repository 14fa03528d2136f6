from django.apps import AppConfig


class CoachlinkConfig(AppConfig):
    name = "coachlink"
    verbose_name = "coachlink"

    def ready(self) -> None:
        from coachlink import checks, sessions  # noqa: F401 - registers checks and receivers
