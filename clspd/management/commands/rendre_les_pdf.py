"""Le processus de rendu des PDF longs : traite les demandes en attente, la plus ancienne
d'abord, puis s'arrête quand la file est vide (ou que tous les postes de rendu sont pris).

Le site le lance de lui-même quand une demande arrive (voir ``clspd.rendus``) ; on peut
aussi le lancer à la main ou par une tâche planifiée. Un rendu qui dépasse
``PDF_DUREE_MAXIMALE_MINUTES`` est interrompu (WeasyPrint bloqué ne retient pas un poste).
La sortie ne contient qu'un nombre."""

import contextlib
import signal

from django.conf import settings
from django.core.management.base import BaseCommand

from clspd import rendus


@contextlib.contextmanager
def delai_maximal():
    """Lève ``TimeoutError`` dans le rendu qui dure plus que ``PDF_DUREE_MAXIMALE_MINUTES``
    (un signal d'alarme : ce processus ne fait que cela, dans son fil principal)."""

    def interrompre(signum, frame):
        raise TimeoutError

    precedent = signal.signal(signal.SIGALRM, interrompre)
    signal.alarm(settings.PDF_DUREE_MAXIMALE_MINUTES * 60)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, precedent)


class Command(BaseCommand):
    help = "Rend les PDF longs en attente, puis s'arrête quand la file est vide."

    def handle(self, *args, **options):
        traites = rendus.traiter_la_file(delai=delai_maximal)
        self.stdout.write(f"{traites} PDF rendu(s).")
