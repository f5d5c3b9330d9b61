"""Construit les données de démonstration, de façon idempotente.

Chaque application fournit son module ``demo`` avec une fonction
``charger(contexte, mot_de_passe)`` ; la commande les appelle dans l'ordre des
applications installées, qui est l'ordre des dépendances.
"""

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from clspd.demo import SECRET_TOTP_DEMO

MOT_DE_PASSE_DEMO = "demo-clspd-2026"


class Command(BaseCommand):
    help = "Crée (ou complète) les conseils, groupes et comptes de démonstration."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            default=MOT_DE_PASSE_DEMO,
            help="mot de passe de tous les comptes de démonstration (défaut : %(default)s)",
        )

    @transaction.atomic
    def handle(self, *args, password, **options):
        # Des comptes au mot de passe et au secret TOTP publiés : jamais en production.
        if not settings.DEBUG:
            raise CommandError(
                "La démonstration ne se charge qu'avec DEBUG=1 : ses comptes ont un mot de "
                "passe et un secret de double authentification publiés dans le README."
            )
        contexte = {}
        for config in apps.get_app_configs():
            nom = f"{config.name}.demo"
            if find_spec(config.name) and find_spec(nom):
                import_module(nom).charger(contexte, password)
                self.stdout.write(f"Démonstration chargée : {config.verbose_name}")
        self.stdout.write(self.style.SUCCESS("Comptes de démonstration :"))
        for email, role in contexte.get("comptes", []):
            self.stdout.write(f"  {email:<38} {role}")
        self.stdout.write(
            f"Double authentification : tous ont le secret TOTP {SECRET_TOTP_DEMO} (base32)."
        )
