from django.apps import AppConfig


class ClspdConfig(AppConfig):
    name = "clspd"
    verbose_name = "Conseils et partenaires"

    def ready(self):
        from clspd import sessions  # noqa: F401 (le signal de connexion)
