from django.apps import AppConfig


class ClspdConfig(AppConfig):
    name = "clspd"
    verbose_name = "Conseils et partenaires"
