from django.apps import AppConfig


class CoachlinkConfig(AppConfig):
    name = "coachlink"
    verbose_name = "coachlink"

    def ready(self) -> None:
        from coachlink import checks  # noqa: F401 - registers the checks
