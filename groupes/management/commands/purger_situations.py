"""Efface les dossiers de suivi individuel arrivés au terme de leur conservation : trois ans
après la fin du suivi, ou au 25e anniversaire de la personne, au premier des deux termes.

À lancer chaque jour (cron). Le journal des accès garde une ligne « Purge » par dossier,
avec sa seule référence pseudonyme ; la sortie de la commande ne contient aucun nom.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from groupes import services


class Command(BaseCommand):
    help = "Purge les dossiers de suivi individuel dont la durée de conservation est échue."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="compter les dossiers à purger sans rien effacer",
        )

    def handle(self, *args, dry_run, **options):
        nombre = services.situations_purger(timezone.localdate(), pour_de_bon=not dry_run)
        if dry_run:
            self.stdout.write(f"{nombre} dossier(s) à purger (rien n'a été effacé).")
        else:
            self.stdout.write(self.style.SUCCESS(f"{nombre} dossier(s) purgé(s)."))
