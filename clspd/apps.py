from django.apps import AppConfig


class ClspdConfig(AppConfig):
    name = "clspd"
    verbose_name = "Conseils et partenaires"

    def ready(self):
        # Les signaux (connexion des personnes, connexions à la base) et les vérifications
        # de l'installation.
        from clspd import base_de_donnees, checks, double_authentification, sessions  # noqa: F401
