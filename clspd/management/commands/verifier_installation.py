"""Contrôle rapide d'une installation (après une restauration, une mise à jour) : migrations
toutes appliquées, nombre de lignes de chaque table, et les pages principales d'un
coordonnateur servies sans erreur. La sortie ne contient que des nombres et des statuts."""

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse

from clspd import double_authentification as deux_facteurs
from clspd.models import Conseil


class Command(BaseCommand):
    help = "Vérifie une installation : migrations, tables, pages d'un coordonnateur."

    def handle(self, *args, **options):
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            raise CommandError("Des migrations ne sont pas appliquées.")
        for modele in sorted(apps.get_models(), key=lambda m: m._meta.label):
            self.stdout.write(f"{modele._meta.label} {modele._default_manager.count()}")
        conseil = Conseil.objects.order_by("pk").first()
        coordonnateur = conseil and conseil.coordonnateurs.order_by("pk").first()
        if coordonnateur is None:
            self.stdout.write("Aucun coordonnateur : pages non vérifiées.")
            return
        client = Client(HTTP_HOST="localhost")
        client.force_login(coordonnateur)
        # Un client local, sans réseau : la double authentification n'a pas lieu d'être.
        session = client.session
        session[deux_facteurs.ETAPE] = ""
        session.save()
        pages = [reverse("accueil"), reverse("groupes:conseil", args=[conseil.pk])]
        pages += [groupe.get_absolute_url() for groupe in conseil.groupes.order_by("pk")[:3]]
        for page in pages:
            statut = client.get(page, secure=True).status_code
            self.stdout.write(f"page {page} {statut}")
            if statut != 200:
                raise CommandError(f"La page {page} répond {statut}.")
        self.stdout.write(self.style.SUCCESS("Installation vérifiée."))
