from django.apps import AppConfig


class ClspdConfig(AppConfig):
    name = "clspd"
    verbose_name = "Conseils et partenaires"

    def ready(self):
        from clspd import double_authentification, sessions  # noqa: F401 (signaux de connexion)
