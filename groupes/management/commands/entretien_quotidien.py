"""L'entretien quotidien (cron) : purge des dossiers de suivi individuel échus, puis des
journaux plus vieux que ``CONSERVATION_JOURNAUX_MOIS`` (historique des modifications,
journal des accès aux situations, traces de connexion), et des PDF longs demandés il y a
plus de 24 heures. La sortie ne contient que des nombres : aucun nom, aucune donnée
personnelle."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from clspd import historique, rendus
from clspd.models import RenduPDF
from groupes.models import JournalAcces


def limite_de_conservation(maintenant):
    """Même jour, ``CONSERVATION_JOURNAUX_MOIS`` mois plus tôt (le 28 au plus pour février)."""
    mois = maintenant.year * 12 + maintenant.month - 1 - settings.CONSERVATION_JOURNAUX_MOIS
    annee, mois = divmod(mois, 12)
    return maintenant.replace(year=annee, month=mois + 1, day=min(maintenant.day, 28))


class Command(BaseCommand):
    help = "Purge les dossiers de suivi échus et les journaux au-delà de leur conservation."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="compter ce qui serait effacé, sans effacer"
        )

    @transaction.atomic
    def handle(self, *args, dry_run, **options):
        call_command("purger_situations", dry_run=dry_run, stdout=self.stdout)
        avant = limite_de_conservation(timezone.now())
        comptes = historique.purger(avant, pour_de_bon=not dry_run)
        journal = JournalAcces.objects.filter(horodatage__lt=avant)
        comptes["journal des accès aux situations"] = journal.count()
        if not dry_run:
            JournalAcces.objects.purger_avant(avant)
        verbe = "à effacer (rien n'a été effacé)" if dry_run else "effacée(s)"
        self.stdout.write(f"Journaux antérieurs au {avant:%d/%m/%Y} :")
        for libelle, nombre in comptes.items():
            if nombre:
                self.stdout.write(f"  {libelle} : {nombre} ligne(s) {verbe}")
        # Les PDF longs (et leur fichier) : gardés le temps de les télécharger.
        limite = timezone.now() - rendus.CONSERVATION
        pdf = (
            RenduPDF.objects.filter(cree_le__lt=limite).count()
            if dry_run
            else rendus.rendus_purger(limite)
        )
        self.stdout.write(f"  rendus PDF de plus de 24 heures : {pdf} ligne(s) {verbe}")
        total = sum(comptes.values()) + pdf
        self.stdout.write(self.style.SUCCESS(f"{total} ligne(s) au total."))
