from django.apps import AppConfig


class GroupesConfig(AppConfig):
    name = "groupes"
    verbose_name = "Groupes opérationnels"
