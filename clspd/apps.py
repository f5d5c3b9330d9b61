from django.apps import AppConfig


class ClspdConfig(AppConfig):
    name = "clspd"
    verbose_name = "Conseils et partenaires"

    def ready(self):
        # Les signaux de connexion, et les vérifications de l'installation.
        from clspd import checks, double_authentification, sessions  # noqa: F401
